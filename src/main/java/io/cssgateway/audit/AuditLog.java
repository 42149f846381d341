package io.cssgateway.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cssgateway.event.Callback;
import io.cssgateway.support.ExchangeProperties;
import io.cssgateway.support.IsoTime;
import io.cssgateway.support.JsonValues;
import io.cssgateway.support.SecretMask;
import io.cssgateway.tenant.Tenant;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the audit line ({@link AuditLine}) of one request: when, from where, what was answered and why, which event, and the
 * provider's body without {@code sign} (at any depth; for a body that is not JSON, its text with anything that
 * looks like a sign masked, cut at a bound). No callback key ever reaches a line. A line that cannot be written
 * is logged and counted, never thrown: the event is handed on and answered all the same.
 * <p>
 * It reads the exchange properties the routes set ({@link ExchangeProperties}: the remote address, the HTTP status
 * (else the HTTP response code header), the verdict and reason, the event's identity, callback, type, errcode, name,
 * category and routing key, the raw body), and sets {@link ExchangeProperties#AUDIT_LINE}.
 */
public final class AuditLog {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    // "sign": "...", 'sign'='...', sign=... in text that is not JSON
    private static final Pattern SIGN_VALUE =
            Pattern.compile("(?i)(sign[\"']?\\s*[:=]\\s*[\"']?)[^\"'&,;}\\]\\s]*");
    // an md5 in hex, the shape of every sign
    private static final Pattern HEX_32 = Pattern.compile("(?i)(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])");
    private static final long FAILURE_LOG_INTERVAL_MS = 10_000;

    private final AuditFiles files;
    private final SecretMask secrets;
    private final int rawBodyMaxChars;
    private final String instance;
    // a body the intake could not read is shown as JSON when it parses within the intake's own nesting bound
    private final ObjectMapper lenient = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(Callback.MAX_NESTING_DEPTH).build()).build()).build();
    private final AtomicLong failures = new AtomicLong();
    private volatile long lastFailureLogged;

    /** @param instance this instance's name, in every line */
    public AuditLog(AuditFiles files, List<String> keys, int rawBodyMaxChars, String instance) {
        this.instance = instance;
        this.files = files;
        this.secrets = new SecretMask(keys);
        this.rawBodyMaxChars = rawBodyMaxChars;
    }

    public void write(Exchange exchange) {
        Instant receivedAt = Instant.ofEpochMilli(exchange.getClock().getCreated());
        try {
            byte[] line = line(exchange, receivedAt);
            exchange.setProperty(ExchangeProperties.AUDIT_LINE, line);
            files.append(receivedAt, line);
        } catch (IOException | RuntimeException e) {
            long count = failures.incrementAndGet();
            long now = System.currentTimeMillis();
            if (now - lastFailureLogged > FAILURE_LOG_INTERVAL_MS) {
                lastFailureLogged = now;
                LOG.error("Audit line not written ({} failed so far); the event is handed on regardless: {}",
                        count, e.toString());
            }
        }
    }

    /** How many audit lines could not be written since the start. */
    public long failures() {
        return failures.get();
    }

    /**
     * The line, with the body as JSON; or, when the body cannot be written as JSON (beyond the writer's limits), with
     * the body as text, as a body that is not JSON is kept: every request leaves exactly one line.
     */
    byte[] line(Exchange exchange, Instant receivedAt) throws IOException {
        Callback callback = exchange.getProperty(ExchangeProperties.CALLBACK, Callback.class);
        String sign = callback == null ? null : callback.sign();
        try {
            return secrets.mask(line(exchange, receivedAt, callback, false), sign);
        } catch (IOException | RuntimeException bodyNotWritable) {
            return secrets.mask(line(exchange, receivedAt, callback, true), sign);
        }
    }

    private byte[] line(Exchange exchange, Instant receivedAt, Callback callback, boolean bodyAsText)
            throws IOException {
        var out = new ByteArrayOutputStream(1024);
        try (JsonGenerator gen = lenient.getFactory().createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField(AuditLine.RECEIVED_AT, IsoTime.format(receivedAt));
            gen.writeStringField(AuditLine.INSTANCE, instance);
            gen.writeStringField(AuditLine.REMOTE_ADDR, remoteAddress(exchange.getProperty(ExchangeProperties.REMOTE_ADDRESS)));
            writeNumberOrNull(gen, AuditLine.HTTP_STATUS, httpStatus(exchange));
            gen.writeStringField(AuditLine.VERDICT, exchange.getProperty(ExchangeProperties.VERDICT, String.class));
            gen.writeStringField(AuditLine.REASON, exchange.getProperty(ExchangeProperties.REASON, String.class));
            gen.writeStringField(AuditLine.EVENT_ID, exchange.getProperty(ExchangeProperties.EVENT_ID, String.class));
            writeNumberOrNull(gen, AuditLine.EVENT_TYPE, exchange.getProperty(ExchangeProperties.EVENT_TYPE, Integer.class));
            gen.writeStringField(AuditLine.EVENT, exchange.getProperty(ExchangeProperties.EVENT, String.class));
            writeBooleanOrNull(gen, AuditLine.SIGNED, exchange.getProperty(ExchangeProperties.SIGNED, Boolean.class));
            gen.writeStringField(AuditLine.STREAM_ID, callback == null ? null : callback.streamId());
            gen.writeStringField(AuditLine.APP, callback == null ? null : callback.app());
            Tenant tenant = exchange.getProperty(ExchangeProperties.TENANT, Tenant.class);
            gen.writeStringField(AuditLine.TENANT, tenant == null ? null : tenant.getName());
            gen.writeStringField(AuditLine.SEQUENCE, callback == null ? null : callback.sequence());
            writeNumberOrNull(gen, AuditLine.ERRCODE, exchange.getProperty(ExchangeProperties.ERRCODE, Integer.class));
            gen.writeStringField(AuditLine.CATEGORY, exchange.getProperty(ExchangeProperties.CATEGORY, String.class));
            gen.writeStringField(AuditLine.ROUTING_KEY, exchange.getProperty(ExchangeProperties.ROUTING_KEY, String.class));
            gen.writeFieldName(AuditLine.BODY);
            if (bodyAsText) {
                writeMaskedText(gen, rawBodyText(exchange));
            } else if (callback != null) {
                JsonValues.write(gen, callback.fields(), "sign");
            } else {
                writeRawBody(gen, exchange);
            }
            gen.writeEndObject();
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void writeBooleanOrNull(JsonGenerator gen, String field, Boolean value) throws IOException {
        if (value != null) {
            gen.writeBooleanField(field, value);
        } else {
            gen.writeNullField(field);
        }
    }

    private static void writeNumberOrNull(JsonGenerator gen, String field, Integer value) throws IOException {
        if (value != null) {
            gen.writeNumberField(field, value);
        } else {
            gen.writeNullField(field);
        }
    }

    /** The status answered; null for what is not an HTTP request (an undelivered alert digest). */
    private static Integer httpStatus(Exchange exchange) {
        Integer status = exchange.getProperty(ExchangeProperties.HTTP_STATUS, Integer.class);
        return status != null ? status : exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
    }

    private static String remoteAddress(Object address) {
        if (address instanceof io.vertx.core.net.SocketAddress socket) {
            return socket.hostAddress();
        }
        return address == null ? null : address.toString();
    }

    private void writeRawBody(JsonGenerator gen, Exchange exchange) throws IOException {
        String text = rawBodyText(exchange);
        if (text != null && !text.isEmpty()) {
            JsonNode parsed = null;
            try {
                parsed = lenient.readTree(text);
            } catch (IOException notJson) {
                // kept as text below
            }
            if (parsed != null && !parsed.isMissingNode()) {
                JsonValues.write(gen, parsed, "sign");
                return;
            }
        }
        writeMaskedText(gen, text);
    }

    private static String rawBodyText(Exchange exchange) {
        Object raw = exchange.getProperty(ExchangeProperties.RAW_BODY);
        return raw == null ? null : exchange.getContext().getTypeConverter().convertTo(String.class, exchange, raw);
    }

    /** The body as text, anything that looks like a sign masked, cut at the bound; null when there is none. */
    private void writeMaskedText(JsonGenerator gen, String text) throws IOException {
        if (text == null || text.isEmpty()) {
            gen.writeNull();
            return;
        }
        String masked = HEX_32.matcher(SIGN_VALUE.matcher(text).replaceAll("$1***")).replaceAll("***");
        gen.writeString(masked.length() > rawBodyMaxChars ? masked.substring(0, rawBodyMaxChars) : masked);
    }
}
