package io.cssgateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.streams.StreamJson;
import io.cssgateway.streams.StreamKey;
import io.cssgateway.streams.StreamState;
import io.cssgateway.streams.StreamStore;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/streams} (the streams online now: filters {@code app}, {@code appname}; paged by {@code limit} and
 * {@code cursor}) and {@code GET /api/streams/{app}/{appname}/{stream_id}} (one stream: its state, open sequences,
 * since, version, last events), JSON, on the management port. Every instance reads the same store, so any of them
 * gives the same answer. A parameter that is not one of these, or malformed, is a 400 naming it; a stream never seen
 * is a 404. Who may read: {@link ApiAccess}.
 */
public final class StreamsApi {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/api/streams";
    private static final Set<String> LIST_PARAMETERS = Set.of("app", "appname", "limit", "cursor");

    private final StreamStore store;
    private final ApiAccess access;

    public StreamsApi(StreamStore store, ApiAccess access) {
        this.store = store;
        this.access = access;
    }

    /** Answers on this router (the management server's), off its event loop: each answer reads the store. */
    public void mount(Router router) {
        router.route(PREFIX).blockingHandler(this::list, false);
        router.route(PREFIX + "/*").blockingHandler(this::one, false);
    }

    private void list(RoutingContext request) {
        if (!access.read(request)) {
            return;
        }
        for (String name : request.queryParams().names()) {
            if (!LIST_PARAMETERS.contains(name)) {
                ApiAccess.badRequest(request, "unknown parameter '" + name + "': the filters are app and appname, "
                        + "the paging limit and cursor");
                return;
            }
        }
        Integer limit = ApiAccess.limit(request);
        if (limit == null) {
            return;
        }
        StreamStore.Cursor cursor = null;
        String cursorText = request.queryParams().get("cursor");
        if (cursorText != null) {
            cursor = cursor(cursorText);
            if (cursor == null) {
                ApiAccess.badRequest(request, "cursor '" + cursorText + "' is not one this API gave (take the next "
                        + "of an answer as it is)");
                return;
            }
        }
        try {
            StreamStore.Page page = store.online(blankToNull(request.queryParams().get("app")),
                    blankToNull(request.queryParams().get("appname")), cursor, limit);
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            ArrayNode streams = body.putArray("streams");
            page.streams().forEach(state -> streams.add(StreamJson.state(state, false)));
            body.put("next", page.next() == null ? null : cursorText(page.next()));
            ApiAccess.answer(request, 200, body);
        } catch (SQLException e) {
            unavailable(request, e);
        }
    }

    private void one(RoutingContext request) {
        if (!access.read(request)) {
            return;
        }
        String rest = request.request().path().substring(PREFIX.length() + 1);
        String[] parts = rest.split("/", -1);
        if (parts.length != 3 || parts[2].isEmpty()) {
            ApiAccess.answer(request, 404, ApiAccess.error(404, "a stream is /api/streams/{app}/{appname}/{stream_id}, "
                    + "each part URL-encoded"));
            return;
        }
        StreamKey key;
        try {
            key = new StreamKey(decode(parts[0]), decode(parts[1]), decode(parts[2]));
        } catch (IllegalArgumentException badEncoding) {
            ApiAccess.badRequest(request, "the path is not URL-encoded correctly: " + badEncoding.getMessage());
            return;
        }
        try {
            StreamState state = store.find(key);
            if (state == null) {
                ApiAccess.answer(request, 404, ApiAccess.error(404, "stream " + key + " was never seen"));
            } else {
                ApiAccess.answer(request, 200, StreamJson.state(state, true));
            }
        } catch (SQLException e) {
            unavailable(request, e);
        }
    }

    private void unavailable(RoutingContext request, SQLException e) {
        LOG.warn("/api/streams could not read the stream state store {}: {}", store.where(), e.getMessage());
        ApiAccess.unavailable(request, "the stream state store cannot be read now: " + e.getMessage());
    }

    /** A cursor: the URL-safe Base64 of the JSON array [app, appname, stream_id] of the last stream given. */
    static String cursorText(StreamStore.Cursor cursor) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(
                    List.of(cursor.app(), cursor.appname(), cursor.streamId())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static StreamStore.Cursor cursor(String text) {
        try {
            JsonNode parts = JSON.readTree(Base64.getUrlDecoder().decode(text.strip()));
            if (parts != null && parts.isArray() && parts.size() == 3 && parts.get(0).isTextual()
                    && parts.get(1).isTextual() && parts.get(2).isTextual()) {
                return new StreamStore.Cursor(parts.get(0).asText(), parts.get(1).asText(), parts.get(2).asText());
            }
            return null;
        } catch (Exception notOurs) {
            return null;
        }
    }

    /** A path segment, percent-decoded ({@code +} stays a plus, as in a path). */
    static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
