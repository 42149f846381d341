package io.cssgateway.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cssgateway.support.ExchangeProperties;
import io.cssgateway.support.Integers;
import io.cssgateway.support.IsoTime;
import io.cssgateway.support.JsonValues;
import io.cssgateway.support.SecretMask;
import io.cssgateway.tenant.Tenant;
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
 * the provider's JSON (every field kept as sent, unknown ones too, {@code sign} removed, and its value masked wherever
 * else it appears) plus {@code event}, {@code category} (interruptions), {@code received_at}, and under
 * {@code decoded} the parsed form of each field that carries JSON in a string ({@code callback_ext}, ...) when it
 * parses; headers {@code css_event_type}, {@code css_sequence}, {@code css_stream_id}, {@code css_app},
 * {@code css_errcode} where the callback has them (in whichever name family its type uses), {@code css_signed}, and
 * {@code css_tenant} when its push domain has a tenant (gateway.tenants);
 * {@code message_id} the event identity, {@code timestamp} its {@code event_time} (else the time it was received).
 * The one place an outgoing event is made: live (publish-event), and again from an audit line by replay
 * ({@code ReplayedEvents}), which must publish what was first published.
 */
public final class EventMessage {

    /** The header naming the event's tenant (gateway.tenants), which the alert digests read back. */
    public static final String TENANT_HEADER = "css_tenant";

    private static final Set<String> ADDED = Set.of("event", "category", "received_at", "decoded");

    private final JsonFactory json = new ObjectMapper().getFactory();
    // JSON inside a string is read as strictly as a body: decimals exact, nesting bounded
    private final ObjectMapper decoder = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(Callback.MAX_NESTING_DEPTH).build()).build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true)).build();
    // the request's sign, should a field other than sign carry it, never reaches a consumer
    private final SecretMask sign = new SecretMask(List.of());
    private final List<String> decodedFields;

    /** @param decodedFields the fields that may carry JSON in a string ({@code gateway.classify.decoded-fields}) */
    public EventMessage(List<String> decodedFields) {
        this.decodedFields = List.copyOf(decodedFields);
    }

    /**
     * The exchange's callback, as classified (the exchange properties the intake and classify set), becomes the
     * body: the outgoing event, with the callback's trace context when it is traced.
     */
    public void prepare(Exchange exchange) {
        OutgoingEvent event = build(
                exchange.getProperty(ExchangeProperties.CALLBACK, Callback.class),
                exchange.getProperty(ExchangeProperties.EVENT_ID, String.class),
                exchange.getProperty(ExchangeProperties.EVENT, String.class),
                exchange.getProperty(ExchangeProperties.CATEGORY, String.class),
                exchange.getProperty(ExchangeProperties.ROUTING_KEY, String.class),
                exchange.getProperty(ExchangeProperties.ERRCODE, Integer.class),
                Boolean.TRUE.equals(exchange.getProperty(ExchangeProperties.SIGNED, Boolean.class)),
                tenantName(exchange.getProperty(ExchangeProperties.TENANT, Tenant.class)),
                exchange.getClock().getCreated());
        // with tracing on, the callback's trace context (docs/tracing.md); the publish puts its own in its place
        Map<?, ?> traceContext = exchange.getProperty(ExchangeProperties.TRACE_CONTEXT, Map.class);
        if (traceContext != null) {
            for (Map.Entry<?, ?> header : traceContext.entrySet()) {
                event = event.withHeader(header.getKey().toString(), header.getValue());
            }
        }
        exchange.getMessage().setBody(event);
    }

    /**
     * @param event the event's name, or null (a type without one)
     * @param category an interruption's errcode category, or null
     * @param errcode the callback's integer errcode, or null
     * @param signed whether its sign was verified
     * @param tenant the tenant of its push domain, or null
     * @param receivedAt when the callback was received, epoch milliseconds
     */
    public OutgoingEvent build(Callback callback, String eventId, String event, String category, String routingKey,
            Integer errcode, boolean signed, String tenant, long receivedAt) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("css_event_type", callback.getEventType());
        putIfPresent(headers, "css_sequence", callback.sequence());
        putIfPresent(headers, "css_stream_id", callback.streamId());
        putIfPresent(headers, "css_app", callback.app());
        putIfPresent(headers, "css_errcode", errcode);
        headers.put("css_signed", signed);
        putIfPresent(headers, TENANT_HEADER, tenant);
        String eventTime = callback.text("event_time");
        long timestamp = Integers.isInteger(eventTime) ? Long.parseLong(eventTime) * 1000 : receivedAt;
        return new OutgoingEvent(routingKey, eventId, timestamp, headers, body(callback, event, category, receivedAt));
    }

    private static String tenantName(Tenant tenant) {
        return tenant == null ? null : tenant.getName();
    }

    private static void putIfPresent(Map<String, Object> headers, String name, Object value) {
        if (value != null) {
            headers.put(name, value);
        }
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
            writeDecoded(gen, callback);
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the event message", e);
        }
        return sign.mask(out.toByteArray(), callback.sign());
    }

    /** {@code "decoded": {"callback_ext": {...}}}: each listed field that is a string holding a JSON object or array. */
    private void writeDecoded(JsonGenerator gen, Callback callback) throws IOException {
        boolean open = false;
        for (String field : decodedFields) {
            JsonNode value = callback.fields().get(field);
            JsonNode parsed = value != null && value.isTextual() ? parsed(value.textValue()) : null;
            if (parsed != null) {
                if (!open) {
                    gen.writeObjectFieldStart("decoded");
                    open = true;
                }
                gen.writeFieldName(field);
                JsonValues.write(gen, parsed, "sign");
            }
        }
        if (open) {
            gen.writeEndObject();
        }
    }

    /** The JSON object or array the text holds; null for anything else (plain text, a number, broken JSON). */
    private JsonNode parsed(String text) {
        String trimmed = text.strip();
        if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) {
            return null;
        }
        try {
            JsonNode node = decoder.readTree(trimmed);
            return node != null && node.isContainerNode() ? node : null;
        } catch (IOException notJson) {
            // kept as it came, verbatim, and not decoded
            return null;
        }
    }
}
