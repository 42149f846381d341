package io.cssgateway.event;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What is published for one event, built once per callback ({@link EventMessage}): the routing key, the AMQP
 * {@code message_id} (the event identity) and {@code timestamp} (the event's time, epoch milliseconds), the
 * {@code css_*} headers, and the JSON body. The spool keeps it and gives it back as it was; the publisher takes
 * nothing else.
 *
 * @param headers header name to value (an Integer, a String or a Boolean), in the order they were set
 */
public record OutgoingEvent(String routingKey, String messageId, long timestamp, Map<String, Object> headers,
        byte[] body) {

    public OutgoingEvent {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** An event of just a routing key, an id and a body, stamped now, without headers (bench/publish-only). */
    public static OutgoingEvent of(String routingKey, String messageId, byte[] body) {
        return new OutgoingEvent(routingKey, messageId, System.currentTimeMillis(), Map.of(), body);
    }

    /** The same event with one more header (replay marks what it sends again). */
    public OutgoingEvent withHeader(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new OutgoingEvent(routingKey, messageId, timestamp, more, body);
    }

    @Override
    public String toString() {
        return "OutgoingEvent[" + routingKey + ", message_id=" + messageId + ", " + body.length + " bytes]";
    }
}
