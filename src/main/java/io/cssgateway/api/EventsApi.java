package io.cssgateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.audit.AuditIndex;
import io.cssgateway.audit.AuditLine;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.publish.BrokerFailures;
import io.cssgateway.publish.ConfirmedPublisher;
import io.cssgateway.replay.ReplayedEvents;
import io.cssgateway.support.IsoTime;
import io.cssgateway.support.TopicPattern;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit lines of every instance, from the {@link AuditIndex}, JSON on the management port:
 * <ul>
 * <li>{@code GET /api/events}: filters {@code stream_id}, {@code app}, {@code tenant}, {@code event_type},
 *     {@code verdict},
 *     {@code reason}, {@code routing_key} (a topic pattern), {@code from}, {@code to} (ISO-8601), newest first, paged by
 *     {@code limit} and {@code cursor}; each entry the fields of its audit line, without the body;</li>
 * <li>{@code GET /api/events/{event_id}}: every line of that identity, oldest first, each with its body as audited
 *     (no sign);</li>
 * <li>{@code POST /api/events/{event_id}/replay}: that event published again as {@code replay} publishes it (the
 *     message first published, plus {@code css_replayed=true}), confirmed; needs the API token;</li>
 * <li>{@code GET /api/refusals?since=}: the refusals since then (default: the last hour) by reason and by source.</li>
 * </ul>
 * A parameter that is not one of these, or malformed, is a 400 naming it. Who may: {@link ApiAccess}.
 */
public final class EventsApi {

    private static final Logger LOG = LoggerFactory.getLogger(EventsApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EVENTS = "/api/events";
    private static final Set<String> SEARCH_PARAMETERS = Set.of(AuditLine.STREAM_ID, AuditLine.APP, AuditLine.TENANT,
            AuditLine.EVENT_TYPE, AuditLine.VERDICT, AuditLine.REASON, AuditLine.ROUTING_KEY, "from", "to", "limit",
            "cursor");
    private static final int TOP_SOURCES = 50;

    private final AuditIndex index;
    private final ApiAccess access;
    private final ReplayedEvents replayed;
    private final ConfirmedPublisher publisher;
    private final Duration confirmTimeout;
    private final Clock clock;

    /**
     * @param index null when the index is off: every answer then says so
     * @param publisher null where there is no broker: a replay then says so
     */
    public EventsApi(AuditIndex index, ApiAccess access, ReplayedEvents replayed, ConfirmedPublisher publisher,
            Duration confirmTimeout, Clock clock) {
        this.index = index;
        this.access = access;
        this.replayed = replayed;
        this.publisher = publisher;
        this.confirmTimeout = confirmTimeout;
        this.clock = clock;
    }

    /** Answers on this router (the management server's), off its event loop: each answer reads the index. */
    public void mount(Router router) {
        router.route(EVENTS).blockingHandler(this::search, false);
        router.route(EVENTS + "/:id/replay").blockingHandler(this::replay, false);
        router.route(EVENTS + "/:id").blockingHandler(this::event, false);
        router.route("/api/refusals").blockingHandler(this::refusals, false);
    }

    private void search(RoutingContext request) {
        if (!access.read(request) || !indexOn(request)) {
            return;
        }
        var query = request.queryParams();
        for (String name : query.names()) {
            if (!SEARCH_PARAMETERS.contains(name)) {
                ApiAccess.badRequest(request, "unknown parameter '" + name + "': the filters are " + String.join(", ",
                        List.of(AuditLine.STREAM_ID, AuditLine.APP, AuditLine.TENANT, AuditLine.EVENT_TYPE,
                                AuditLine.VERDICT, AuditLine.REASON, AuditLine.ROUTING_KEY, "from", "to"))
                        + "; the paging limit and cursor");
                return;
            }
        }
        Integer limit = ApiAccess.limit(request);
        if (limit == null) {
            return;
        }
        AuditIndex.Search search;
        AuditIndex.Cursor cursor = null;
        try {
            String verdict = text(query.get(AuditLine.VERDICT));
            if (verdict != null && !AuditIndex.VERDICTS.contains(verdict)) {
                throw new BadParameter("verdict must be accepted, duplicate or rejected, got '" + verdict + "'");
            }
            String pattern = text(query.get(AuditLine.ROUTING_KEY));
            if (pattern != null && TopicPattern.problem(pattern) != null) {
                throw new BadParameter("routing_key '" + pattern + "' is not a topic pattern: "
                        + TopicPattern.problem(pattern));
            }
            Instant from = time("from", query.get("from"));
            Instant to = time("to", query.get("to"));
            if (from != null && to != null && !from.isBefore(to)) {
                throw new BadParameter("from (" + from + ") must be before to (" + to + ")");
            }
            search = new AuditIndex.Search(from, to, text(query.get(AuditLine.STREAM_ID)),
                    text(query.get(AuditLine.APP)), text(query.get(AuditLine.TENANT)),
                    eventType(query.get(AuditLine.EVENT_TYPE)), verdict,
                    text(query.get(AuditLine.REASON)), pattern == null ? null : TopicPattern.regex(pattern));
            if (query.get("cursor") != null) {
                cursor = cursor(query.get("cursor"));
            }
        } catch (BadParameter wrong) {
            ApiAccess.badRequest(request, wrong.getMessage());
            return;
        }
        try {
            AuditIndex.Page page = index.search(search, cursor, limit);
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            ArrayNode events = body.putArray("events");
            page.rows().forEach(row -> events.add(entry(row)));
            body.put("next", page.next() == null ? null : cursorText(page.next()));
            ApiAccess.answer(request, 200, body);
        } catch (SQLException e) {
            unreadable(request, e);
        }
    }

    private void event(RoutingContext request) {
        if (!access.read(request) || !indexOn(request)) {
            return;
        }
        String id = request.pathParam("id");
        try {
            List<AuditIndex.Row> rows = index.event(id);
            if (rows.isEmpty()) {
                ApiAccess.answer(request, 404, ApiAccess.error(404, "no audit line of event '" + id + "' (in the "
                        + "index: the audit retention's days)"));
                return;
            }
            ObjectNode body = JsonNodeFactory.instance.objectNode().put(AuditLine.EVENT_ID, id);
            ArrayNode lines = body.putArray("lines");
            for (AuditIndex.Row row : rows) {
                // the body as audited; a line the index holds is an audit line (the indexer took no other)
                AuditLine line = AuditLine.parse(row.line());
                lines.add(entry(row).set(AuditLine.BODY, line == null ? null : line.body()));
            }
            ApiAccess.answer(request, 200, body);
        } catch (SQLException e) {
            unreadable(request, e);
        }
    }

    private void replay(RoutingContext request) {
        if (!access.write(request) || !indexOn(request)) {
            return;
        }
        String id = request.pathParam("id");
        try {
            AuditIndex.Row accepted = index.event(id).stream()
                    .filter(row -> AuditLine.ACCEPTED.equals(row.verdict())).findFirst().orElse(null);
            if (accepted == null) {
                ApiAccess.answer(request, 404, ApiAccess.error(404, "event '" + id + "' was never accepted (no "
                        + "accepted audit line in the index): nothing to replay"));
                return;
            }
            if (publisher == null) {
                ApiAccess.unavailable(request, "no broker is bound in this gateway: nothing can be published");
                return;
            }
            OutgoingEvent event;
            try {
                AuditLine line = AuditLine.parse(accepted.line());
                if (line == null) {
                    throw new IllegalArgumentException("its indexed line is not an audit line");
                }
                event = replayed.rebuild(line);
            } catch (RuntimeException unusable) {
                ApiAccess.answer(request, 422, ApiAccess.error(422, "event '" + id + "' cannot be rebuilt from its "
                        + "audit line: " + unusable.getMessage()));
                return;
            }
            publisher.publish(event).get(confirmTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            LOG.info("Event {} replayed through the API to {} ({}), confirmed", id, event.routingKey(),
                    request.request().remoteAddress());
            ApiAccess.answer(request, 200, JsonNodeFactory.instance.objectNode().put(AuditLine.EVENT_ID, id)
                    .put(AuditLine.ROUTING_KEY, event.routingKey()).put("confirmed", true)
                    .put(ReplayedEvents.REPLAYED_HEADER, true)
                    .put("message", "published again as first published, plus css_replayed=true; RabbitMQ "
                            + "confirmed it"));
        } catch (SQLException e) {
            unreadable(request, e);
        } catch (ExecutionException | TimeoutException notConfirmed) {
            Throwable cause = notConfirmed instanceof ExecutionException ? notConfirmed.getCause() : notConfirmed;
            ApiAccess.unavailable(request, "event '" + id + "' was not confirmed by RabbitMQ: "
                    + BrokerFailures.describe(cause instanceof Exception e ? e : notConfirmed));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ApiAccess.unavailable(request, "interrupted while waiting for RabbitMQ's confirm");
        }
    }

    private void refusals(RoutingContext request) {
        if (!access.read(request) || !indexOn(request)) {
            return;
        }
        for (String name : request.queryParams().names()) {
            if (!name.equals("since")) {
                ApiAccess.badRequest(request, "unknown parameter '" + name + "': the only one is since");
                return;
            }
        }
        Instant since;
        try {
            since = time("since", request.queryParams().get("since"));
        } catch (BadParameter wrong) {
            ApiAccess.badRequest(request, wrong.getMessage());
            return;
        }
        if (since == null) {
            since = clock.instant().minus(Duration.ofHours(1));
        }
        try {
            AuditIndex.Refusals refusals = index.refusals(since, TOP_SOURCES);
            ObjectNode body = JsonNodeFactory.instance.objectNode().put("since", IsoTime.format(since))
                    .put("total", refusals.total());
            body.set("by_reason", JSON.valueToTree(refusals.byReason()));
            body.set("by_source", JSON.valueToTree(refusals.bySource()));
            ApiAccess.answer(request, 200, body);
        } catch (SQLException e) {
            unreadable(request, e);
        }
    }

    /** A search's entry: the audit line's fields, without its body. */
    static ObjectNode entry(AuditIndex.Row row) {
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.put(AuditLine.RECEIVED_AT, IsoTime.format(Instant.ofEpochMilli(row.atMs())));
        entry.put(AuditLine.INSTANCE, row.instance());
        entry.put(AuditLine.REMOTE_ADDR, row.remoteAddr());
        entry.put(AuditLine.HTTP_STATUS, row.httpStatus());
        entry.put(AuditLine.VERDICT, row.verdict());
        entry.put(AuditLine.REASON, row.reason());
        entry.put(AuditLine.EVENT_ID, row.eventId());
        entry.put(AuditLine.EVENT_TYPE, row.eventType());
        entry.put(AuditLine.EVENT, row.event());
        entry.put(AuditLine.STREAM_ID, row.streamId());
        entry.put(AuditLine.APP, row.app());
        entry.put(AuditLine.TENANT, row.tenant());
        entry.put(AuditLine.ERRCODE, row.errcode());
        entry.put(AuditLine.ROUTING_KEY, row.routingKey());
        return entry;
    }

    private boolean indexOn(RoutingContext request) {
        if (index == null) {
            ApiAccess.answer(request, 503, ApiAccess.error(503, "the audit index is off "
                    + "(gateway.audit.index.enabled=false): the audit files hold every line"));
            return false;
        }
        return true;
    }

    private void unreadable(RoutingContext request, SQLException e) {
        LOG.warn("{} could not read the audit index {}: {}", request.request().path(), index.where(), e.getMessage());
        ApiAccess.unavailable(request, "the audit index cannot be read now: " + e.getMessage());
    }

    /** A malformed parameter: its sentence is the 400's message. */
    private static final class BadParameter extends Exception {
        BadParameter(String message) {
            super(message, null, false, false);
        }
    }

    private static String text(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static Integer eventType(String text) throws BadParameter {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException notANumber) {
            throw new BadParameter("event_type must be a whole number (0, 1, 100, ...), got '" + text + "'");
        }
    }

    /** ISO-8601: an instant (2026-12-04T14:02:00Z) or a time with an offset (2026-12-04T22:02:00+08:00). */
    static Instant time(String name, String text) throws BadParameter {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text.strip()).toInstant();
        } catch (DateTimeParseException notATime) {
            throw new BadParameter(name + " must be an ISO-8601 time such as 2026-12-04T14:02:00Z or "
                    + "2026-12-04T22:02:00+08:00, got '" + text + "'");
        }
    }

    /** A cursor: the URL-safe Base64 of the JSON array [received at in ms, row id] of the last line given. */
    static String cursorText(AuditIndex.Cursor cursor) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(
                    List.of(cursor.atMs(), cursor.id())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static AuditIndex.Cursor cursor(String text) throws BadParameter {
        try {
            JsonNode parts = JSON.readTree(Base64.getUrlDecoder().decode(text.strip()));
            if (parts != null && parts.isArray() && parts.size() == 2 && parts.get(0).canConvertToLong()
                    && parts.get(0).isIntegralNumber() && parts.get(1).isIntegralNumber()) {
                return new AuditIndex.Cursor(parts.get(0).asLong(), parts.get(1).asLong());
            }
        } catch (Exception notOurs) {
            // below
        }
        throw new BadParameter("cursor '" + text + "' is not one this API gave (take the next of an answer as it is)");
    }
}
