package io.cssgateway.streams;

import com.fasterxml.jackson.databind.JsonNode;
import io.cssgateway.support.Integers;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A push (event_type 1) or an interruption (event_type 0) as the stream state reads it from the event message the
 * gateway published: its stream, its push sequence, its identity, when it happened.
 *
 * @param messageId the event's identity ({@code message_id}: {@code 1:<sequence>}, {@code 0:<sequence>})
 * @param at when it happened: the provider's {@code event_time}, else when the gateway received it
 */
public record StreamEvent(StreamKey stream, boolean push, String sequence, String messageId, Instant at) {

    public static final int PUSH = 1;
    public static final int INTERRUPT = 0;

    /**
     * The event a message body (the published event's JSON) tells; throws {@link UntrackableEventException} naming
     * what it lacks when it is not a push or interruption with a stream and a sequence.
     */
    public static StreamEvent of(JsonNode body, String messageId) {
        if (body == null || !body.isObject()) {
            throw new UntrackableEventException("its body is not a JSON object");
        }
        Integer type = Integers.parseIntOrNull(body.path("event_type").asText(null));
        if (type == null || (type != PUSH && type != INTERRUPT)) {
            throw new UntrackableEventException("event_type " + body.path("event_type").asText("(none)")
                    + " is neither a push (1) nor an interruption (0)");
        }
        String sequence = text(body, "sequence");
        String streamId = text(body, "stream_id");
        if (sequence == null || sequence.isEmpty() || streamId == null || streamId.isEmpty()) {
            throw new UntrackableEventException("it has no " + (streamId == null || streamId.isEmpty() ? "stream_id"
                    : "sequence"));
        }
        return new StreamEvent(new StreamKey(text(body, "app"), text(body, "appname"), streamId), type == PUSH,
                sequence, messageId, at(body));
    }

    public int eventType() {
        return push ? PUSH : INTERRUPT;
    }

    /** {@code event_time} (Unix seconds, a number or a string), else {@code received_at}, else now. */
    private static Instant at(JsonNode body) {
        String eventTime = text(body, "event_time");
        if (Integers.isInteger(eventTime)) {
            return Instant.ofEpochSecond(Long.parseLong(eventTime));
        }
        try {
            String received = text(body, "received_at");
            return received == null ? Instant.now() : Instant.parse(received);
        } catch (DateTimeParseException unreadable) {
            return Instant.now();
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
    }
}
