package io.cssgateway.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.support.ExchangeProperties;
import io.cssgateway.support.Integers;
import io.cssgateway.support.IsoTime;
import io.cssgateway.support.JsonValues;
import io.cssgateway.support.SecretMask;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;

/**
 * Builds the {@link OutgoingEvent} of a verified {@link Callback}, the message consumers read on RabbitMQ: the body is
 * the provider's JSON (every field kept, unknown ones too, {@code sign} removed, and its value masked wherever else it
 * appears) plus {@code event}, {@code category} (interruptions) and {@code received_at}; headers
 * {@code css_event_type}, {@code css_sequence}, {@code css_stream_id}, {@code css_app}, {@code css_errcode} where the
 * callback has them; {@code message_id} the event identity, {@code timestamp} its {@code event_time} (else the time it
 * was received). The one place an outgoing event is made, live and (later) for replay alike.
 */
public final class EventMessage {

    private static final Set<String> ADDED = Set.of("event", "category", "received_at");
    private static final Map<String, String> HEADERS = Map.of(
            "css_sequence", "sequence",
            "css_stream_id", "stream_id",
            "css_app", "app");

    private final JsonFactory json = new ObjectMapper().getFactory();
    // the request's sign, should a field other than sign carry it, never reaches a consumer
    private final SecretMask sign = new SecretMask(List.of());

    /**
     * The exchange's callback, as classified (the exchange properties the intake and classify set), becomes the
     * body: the outgoing event.
     */
    public void prepare(Exchange exchange) {
        exchange.getMessage().setBody(build(
                exchange.getProperty(ExchangeProperties.CALLBACK, Callback.class),
                exchange.getProperty(ExchangeProperties.EVENT_ID, String.class),
                exchange.getProperty(ExchangeProperties.EVENT, String.class),
                exchange.getProperty(ExchangeProperties.CATEGORY, String.class),
                exchange.getProperty(ExchangeProperties.ROUTING_KEY, String.class),
                exchange.getProperty(ExchangeProperties.ERRCODE, Integer.class),
                exchange.getClock().getCreated()));
    }

    /**
     * @param event the event's name, or null (a type without one)
     * @param category an interruption's errcode category, or null
     * @param errcode an interruption's errcode, or null
     * @param receivedAt when the callback was received, epoch milliseconds
     */
    public OutgoingEvent build(Callback callback, String eventId, String event, String category, String routingKey,
            Integer errcode, long receivedAt) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("css_event_type", callback.getEventType());
        HEADERS.forEach((header, field) -> {
            String value = callback.text(field);
            if (value != null) {
                headers.put(header, value);
            }
        });
        if (errcode != null) {
            headers.put("css_errcode", errcode);
        }
        String eventTime = callback.text("event_time");
        long timestamp = Integers.isInteger(eventTime) ? Long.parseLong(eventTime) * 1000 : receivedAt;
        return new OutgoingEvent(routingKey, eventId, timestamp, headers, body(callback, event, category, receivedAt));
    }

    private byte[] body(Callback callback, String event, String category, long receivedAt) {
        var out = new ByteArrayOutputStream(512);
        try (JsonGenerator gen = json.createGenerator(out)) {
            gen.writeStartObject();
            for (Iterator<Map.Entry<String, JsonNode>> it = callback.fields().fields(); it.hasNext(); ) {
                var field = it.next();
                if (!ADDED.contains(field.getKey())) {
                    gen.writeFieldName(field.getKey());
                    JsonValues.write(gen, field.getValue(), null);
                }
            }
            if (event != null) {
                gen.writeStringField("event", event);
            }
            if (category != null) {
                gen.writeStringField("category", category);
            }
            gen.writeStringField("received_at", IsoTime.format(Instant.ofEpochMilli(receivedAt)));
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the event message", e);
        }
        return sign.mask(out.toByteArray(), callback.sign());
    }
}
