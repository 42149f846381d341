package io.cssgateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;

/**
 * Turns a verified {@link Callback} into the message consumers read on RabbitMQ: the body is the provider's JSON
 * (every field kept, unknown ones too, {@code sign} removed, and its value masked wherever else it appears) plus {@code event}, {@code category} (interruptions)
 * and {@code received_at}; headers {@code css_event_type}, {@code css_sequence}, {@code css_stream_id},
 * {@code css_app}, {@code css_errcode} where the callback has them (the errcode from the exchange property the
 * reader set). Sets the exchange property {@code eventTime}, the AMQP timestamp.
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

    public void prepare(Exchange exchange) throws InvalidPayloadException {
        Callback callback = exchange.getMessage().getMandatoryBody(Callback.class);
        String event = exchange.getProperty("event", String.class);
        String category = exchange.getProperty("category", String.class);
        long receivedAt = exchange.getClock().getCreated();

        Message message = exchange.getMessage();
        message.setBody(body(callback, event, category, receivedAt));
        message.setHeader("css_event_type", callback.getEventType());
        HEADERS.forEach((header, field) -> {
            String value = callback.text(field);
            if (value != null) {
                message.setHeader(header, value);
            }
        });
        Integer errcode = exchange.getProperty("errcode", Integer.class);
        if (errcode != null) {
            message.setHeader("css_errcode", errcode);
        }
        String eventTime = callback.text("event_time");
        exchange.setProperty("eventTime",
                new Date(Integers.isInteger(eventTime) ? Long.parseLong(eventTime) * 1000 : receivedAt));
    }

    byte[] body(Callback callback, String event, String category, long receivedAt) {
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
