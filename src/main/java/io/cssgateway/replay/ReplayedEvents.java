package io.cssgateway.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.audit.AuditLine;
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
    public OutgoingEvent rebuild(AuditLine line) {
        JsonNode body = line.body();
        if (!body.isObject()) {
            throw new IllegalArgumentException("its body is not a JSON object");
        }
        for (String field : new String[] {AuditLine.EVENT_ID, AuditLine.ROUTING_KEY, AuditLine.EVENT_TYPE,
                AuditLine.RECEIVED_AT}) {
            if (!line.fields().hasNonNull(field)) {
                throw new IllegalArgumentException("it has no " + field);
            }
        }
        Integer eventType = line.eventType();
        Instant receivedAt = line.receivedAt();
        if (eventType == null || receivedAt == null) {
            throw new IllegalArgumentException("its " + (eventType == null ? AuditLine.EVENT_TYPE : AuditLine.RECEIVED_AT)
                    + " cannot be read");
        }
        Callback callback = new Callback((ObjectNode) body, eventType, body.path("t").asText(null), null);
        return messages.build(callback, line.eventId(), line.event(), line.category(), line.routingKey(),
                line.errcode(), line.signed(), line.tenant(), receivedAt.toEpochMilli())
                .withHeader(REPLAYED_HEADER, true);
    }
}
