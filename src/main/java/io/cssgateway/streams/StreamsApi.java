package io.cssgateway.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
 * is a 404. With {@code gateway.api.read-token-required=true} a request needs {@code Authorization: Bearer} with the
 * API token: 401 without one, 403 with another.
 */
public final class StreamsApi {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/api/streams";
    private static final Set<String> LIST_PARAMETERS = Set.of("app", "appname", "limit", "cursor");
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final StreamStore store;
    private final byte[] readToken;

    /** @param readToken the token every request must carry; null when reads need none */
    public StreamsApi(StreamStore store, String readToken) {
        this.store = store;
        this.readToken = readToken == null ? null : readToken.getBytes(StandardCharsets.UTF_8);
    }

    /** Answers on this router (the management server's), off its event loop: each answer reads the store. */
    public void mount(Router router) {
        router.route(PREFIX).blockingHandler(this::list, false);
        router.route(PREFIX + "/*").blockingHandler(this::one, false);
    }

    private void list(RoutingContext request) {
        if (!allowed(request)) {
            return;
        }
        for (String name : request.queryParams().names()) {
            if (!LIST_PARAMETERS.contains(name)) {
                answer(request, 400, error(400, "unknown parameter '" + name + "': the filters are app and appname, "
                        + "the paging limit and cursor"));
                return;
            }
        }
        Integer limit = limit(request.queryParams().get("limit"));
        if (limit == null) {
            answer(request, 400, error(400, "limit must be a whole number from 1 to " + MAX_LIMIT + ", got '"
                    + request.queryParams().get("limit") + "'"));
            return;
        }
        StreamStore.Cursor cursor = null;
        String cursorText = request.queryParams().get("cursor");
        if (cursorText != null) {
            cursor = cursor(cursorText);
            if (cursor == null) {
                answer(request, 400, error(400, "cursor '" + cursorText + "' is not one this API gave (take the next "
                        + "of an answer as it is)"));
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
            answer(request, 200, body);
        } catch (SQLException e) {
            unavailable(request, e);
        }
    }

    private void one(RoutingContext request) {
        if (!allowed(request)) {
            return;
        }
        String rest = request.request().path().substring(PREFIX.length() + 1);
        String[] parts = rest.split("/", -1);
        if (parts.length != 3 || parts[2].isEmpty()) {
            answer(request, 404, error(404, "a stream is /api/streams/{app}/{appname}/{stream_id}, each part "
                    + "URL-encoded"));
            return;
        }
        StreamKey key;
        try {
            key = new StreamKey(decode(parts[0]), decode(parts[1]), decode(parts[2]));
        } catch (IllegalArgumentException badEncoding) {
            answer(request, 400, error(400, "the path is not URL-encoded correctly: " + badEncoding.getMessage()));
            return;
        }
        try {
            StreamState state = store.find(key);
            if (state == null) {
                answer(request, 404, error(404, "stream " + key + " was never seen"));
            } else {
                answer(request, 200, StreamJson.state(state, true));
            }
        } catch (SQLException e) {
            unavailable(request, e);
        }
    }

    private boolean allowed(RoutingContext request) {
        if (!request.request().method().name().equals("GET")) {
            request.response().putHeader("Allow", "GET");
            answer(request, 405, error(405, "only GET is answered here"));
            return false;
        }
        if (readToken == null) {
            return true;
        }
        String authorization = request.request().getHeader("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            request.response().putHeader("WWW-Authenticate", "Bearer");
            answer(request, 401, error(401, "this API needs Authorization: Bearer <GATEWAY_API_TOKEN>"));
            return false;
        }
        byte[] given = authorization.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, readToken)) {
            answer(request, 403, error(403, "wrong API token"));
            return false;
        }
        return true;
    }

    private void unavailable(RoutingContext request, SQLException e) {
        LOG.warn("/api/streams could not read the stream state store {}: {}", store.where(), e.getMessage());
        request.response().putHeader("Retry-After", "5");
        answer(request, 503, error(503, "the stream state store cannot be read now: " + e.getMessage()));
    }

    private static void answer(RoutingContext request, int status, JsonNode body) {
        try {
            request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store").end(JSON.writeValueAsString(body));
        } catch (Exception e) {
            request.fail(e);
        }
    }

    private static ObjectNode error(int code, String message) {
        return JsonNodeFactory.instance.objectNode().put("code", code).put("message", message);
    }

    /** The page size: absent, the default; else 1 to the maximum; null when it is neither. */
    static Integer limit(String text) {
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.strip());
            return limit >= 1 && limit <= MAX_LIMIT ? limit : null;
        } catch (NumberFormatException notANumber) {
            return null;
        }
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
