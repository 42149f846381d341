package io.cssgateway.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.event.Callback;
import io.cssgateway.support.ExchangeProperties;
import io.cssgateway.support.Integers;
import java.io.IOException;
import org.apache.camel.Exchange;

/**
 * Reads a request body into a {@link Callback}, or says in a {@link MalformedCallbackException} what is wrong
 * with it. Numbers sent as strings and strings sent as numbers are accepted, as the provider does both.
 */
public final class CallbackReader {

    private final ObjectMapper mapper = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(Callback.MAX_NESTING_DEPTH).build())
                    .build())
            // two "sign" fields in one body could show one value to the check and another to a consumer
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // keep decimals exactly as sent when the body is written on
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    /**
     * Reads the exchange's body into a {@link Callback}, which becomes the body and the exchange property
     * {@link ExchangeProperties#CALLBACK}; the event type and (when it is an integer) the errcode are set beside it, so
     * that the routes and the audit line read them without reflection.
     */
    public void read(Exchange exchange) {
        Callback callback = parse(exchange.getMessage().getBody(byte[].class));
        exchange.getMessage().setBody(callback);
        exchange.setProperty(ExchangeProperties.CALLBACK, callback);
        exchange.setProperty(ExchangeProperties.EVENT_TYPE, callback.getEventType());
        Integer errcode = callback.getErrcode();
        if (errcode != null) {
            exchange.setProperty(ExchangeProperties.ERRCODE, errcode);
        }
    }

    public Callback parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new MalformedCallbackException("body is empty");
        }
        ObjectNode fields = parseObject(body);
        int eventType = eventType(fields.get("event_type"));
        String expiry = integerText(fields.get("t"), "t");
        String sign = signText(fields.get("sign"));
        // a callback without t and sign is unsigned: whether its type may be is the signature check's to say
        if (sign != null && expiry == null) {
            throw new MalformedCallbackException("field t is required");
        }
        fields.remove("sign");
        return new Callback(fields, eventType, expiry, sign);
    }

    private ObjectNode parseObject(byte[] body) {
        JsonNode node;
        try (JsonParser parser = mapper.createParser(body)) {
            node = mapper.readTree(parser);
        } catch (StreamConstraintsException e) {
            // a limit of the parser: nesting, a number's digits, a field name's length; Jackson names no location
            throw new MalformedCallbackException("body exceeds the JSON limits: " + withoutJacksonHint(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            String what = String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field") ? "body has a field twice"
                    : "body is not valid JSON";
            JsonLocation where = e.getLocation();
            throw new MalformedCallbackException(where == null ? what
                    : what + " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")");
        } catch (IOException e) {
            throw new MalformedCallbackException("body is not valid JSON");
        }
        if (node == null || node.isMissingNode()) {
            throw new MalformedCallbackException("body is empty");
        }
        if (!node.isObject()) {
            throw new MalformedCallbackException("body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /** "Document nesting depth (101) exceeds the maximum allowed (100, from `StreamReadConstraints...`)" without "from ...". */
    private static String withoutJacksonHint(String message) {
        return String.valueOf(message).replaceAll(", from `[^`]*`", "");
    }

    private static int eventType(JsonNode node) {
        if (node == null || node.isNull()) {
            throw new MalformedCallbackException("field event_type is required");
        }
        Integer value = isIntegerValue(node) ? Integers.parseIntOrNull(node.asText()) : null;
        if (value == null) {
            throw new MalformedCallbackException("field event_type must be an integer");
        }
        return value;
    }

    private static String integerText(JsonNode node, String name) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!isIntegerValue(node) || !Integers.isInteger(node.asText())) {
            throw new MalformedCallbackException("field " + name + " must be an integer");
        }
        return node.asText();
    }

    private static String signText(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() && !node.isIntegralNumber()) {
            throw new MalformedCallbackException("field sign must be a string");
        }
        return node.asText();
    }

    private static boolean isIntegerValue(JsonNode node) {
        return node.isIntegralNumber() || node.isTextual();
    }
}
