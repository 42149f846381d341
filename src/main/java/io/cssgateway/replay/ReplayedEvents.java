package io.cssgateway.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.event.Callback;
import io.cssgateway.event.EventMessage;
import io.cssgateway.event.OutgoingEvent;
import java.time.Instant;

/**
 * An accepted event's audit line becomes the message first published for it, by the code that built it then
 * ({@link EventMessage}): the same routing key, message id, timestamp, {@code css_*} headers and body, and the header
 * {@code css_replayed=true}.
 */
public final class ReplayedEvents {

    public static final String REPLAYED_HEADER = "css_replayed";

    private final EventMessage messages;

    public ReplayedEvents(EventMessage messages) {
        this.messages = messages;
    }

    /** Throws IllegalArgumentException naming what the line lacks. */
    public OutgoingEvent rebuild(JsonNode line) {
        JsonNode body = line.get("body");
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("its body is not a JSON object");
        }
        for (String field : new String[] {"event_id", "routing_key", "event_type", "received_at"}) {
            if (!line.hasNonNull(field)) {
                throw new IllegalArgumentException("it has no " + field);
            }
        }
        Callback callback = new Callback((ObjectNode) body, line.get("event_type").asInt(), body.path("t").asText(null),
                null);
        return messages.build(callback, line.get("event_id").asText(), text(line, "event"), text(line, "category"),
                line.get("routing_key").asText(), line.hasNonNull("errcode") ? line.get("errcode").asInt() : null,
                line.path("signed").asBoolean(false), Instant.parse(line.get("received_at").asText()).toEpochMilli())
                .withHeader(REPLAYED_HEADER, true);
    }

    private static String text(JsonNode line, String field) {
        return line.hasNonNull(field) ? line.get(field).asText() : null;
    }
}
