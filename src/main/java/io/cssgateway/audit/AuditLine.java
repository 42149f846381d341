package io.cssgateway.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The audit line, declared once: every request that reaches the intake (and every alert digest that could not be
 * mailed) is one JSON object on one line of the day's audit file. {@link AuditLog} writes these fields, in this order;
 * replay and every other reader of the audit files read them through this class, never by their literal names.
 *
 * <table>
 * <caption>The fields</caption>
 * <tr><td>{@value #RECEIVED_AT}</td><td>when the request arrived, ISO-8601 UTC with milliseconds</td></tr>
 * <tr><td>{@value #INSTANCE}</td><td>the instance that wrote it ({@code gateway.instance}, else host and process id)</td></tr>
 * <tr><td>{@value #REMOTE_ADDR}</td><td>the client's address</td></tr>
 * <tr><td>{@value #HTTP_STATUS}</td><td>the status answered (null for an undelivered digest)</td></tr>
 * <tr><td>{@value #VERDICT}</td><td>{@value #ACCEPTED}, {@value #DUPLICATE}, {@value #REJECTED}, or
 *     {@code alert-undelivered}</td></tr>
 * <tr><td>{@value #REASON}</td><td>why a request was refused ({@code bad-signature}, ...), null otherwise</td></tr>
 * <tr><td>{@value #EVENT_ID}</td><td>the event identity, also the message's {@code message_id}; for a refused callback
 *     whose body was read, the identity its event would have had (null when the body was not read)</td></tr>
 * <tr><td>{@value #EVENT_TYPE}, {@value #EVENT}, {@value #SIGNED}</td><td>the callback's type, its name, whether its
 *     sign was verified</td></tr>
 * <tr><td>{@value #STREAM_ID}, {@value #APP}, {@value #SEQUENCE}, {@value #ERRCODE}, {@value #CATEGORY}</td>
 *     <td>the stream, its push domain, the push session, an interruption's errcode and its category</td></tr>
 * <tr><td>{@value #ROUTING_KEY}</td><td>the routing key it was published with</td></tr>
 * <tr><td>{@value #BODY}</td><td>the provider's body without {@code sign}; a body that is not JSON as masked text</td></tr>
 * </table>
 *
 * @param fields the line as parsed (decimals kept exact by whoever parsed it)
 */
public record AuditLine(JsonNode fields) {

    // decimals kept as written, so that a body rebuilt from a line is the body first published, byte for byte
    private static final ObjectMapper EXACT = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true)).build();

    /** A line's fields as written (decimals exact); null when the text is not a JSON object with a time. */
    public static AuditLine parse(String text) {
        try {
            JsonNode fields = EXACT.readTree(text);
            return fields != null && fields.isObject() && fields.hasNonNull(RECEIVED_AT) ? new AuditLine(fields) : null;
        } catch (JsonProcessingException notJson) {
            return null;
        }
    }

    public static final String RECEIVED_AT = "received_at";
    public static final String INSTANCE = "instance";
    public static final String REMOTE_ADDR = "remote_addr";
    public static final String HTTP_STATUS = "http_status";
    public static final String VERDICT = "verdict";
    public static final String REASON = "reason";
    public static final String EVENT_ID = "event_id";
    public static final String EVENT_TYPE = "event_type";
    public static final String EVENT = "event";
    public static final String SIGNED = "signed";
    public static final String STREAM_ID = "stream_id";
    public static final String APP = "app";
    public static final String TENANT = "tenant";
    public static final String SEQUENCE = "sequence";
    public static final String ERRCODE = "errcode";
    public static final String CATEGORY = "category";
    public static final String ROUTING_KEY = "routing_key";
    public static final String BODY = "body";

    /** The verdict of a callback handed on (published or spooled) and answered 200. */
    public static final String ACCEPTED = "accepted";
    /** The verdict of a callback whose event was already handed on: answered 200, not published again. */
    public static final String DUPLICATE = "duplicate";
    /** The verdict of a callback answered with anything but 200. */
    public static final String REJECTED = "rejected";

    /**
     * The audit files: {@code audit-YYYY-MM-DD.jsonl} for a UTC day, continued in {@code audit-YYYY-MM-DD.1.jsonl},
     * {@code .2}, ...; an operator may compress any of them ({@code .jsonl.gz}). Group 1 the day, group 2 the
     * continuation (absent for the first file), group 3 {@code .gz}.
     */
    public static final Pattern FILE_NAME = Pattern.compile("audit-(\\d{4}-\\d{2}-\\d{2})(?:\\.(\\d+))?\\.jsonl(\\.gz)?");
    /** The glob that lists the audit files (and maybe more: each name is then matched by {@link #FILE_NAME}). */
    public static final String FILE_GLOB = "audit-*";

    /** The name of a day's file: {@code part} 0 the first, 1 its first continuation, ... */
    public static String fileName(LocalDate day, int part) {
        return part == 0 ? "audit-" + day + ".jsonl" : "audit-" + day + "." + part + ".jsonl";
    }

    /** A file's day and continuation, from its name; null for a name that is not an audit file's. */
    public static FileName parseFileName(String name) {
        Matcher m = FILE_NAME.matcher(name);
        if (!m.matches()) {
            return null;
        }
        try {
            return new FileName(LocalDate.parse(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)),
                    m.group(3) != null);
        } catch (DateTimeParseException | NumberFormatException notADay) {
            return null;
        }
    }

    /** What an audit file's name says: its UTC day, its continuation (0 the first file), whether it is compressed. */
    public record FileName(LocalDate day, int part, boolean compressed) {}

    /** When the request arrived; null when the line has no readable time. */
    public Instant receivedAt() {
        try {
            return Instant.parse(fields.path(RECEIVED_AT).asText());
        } catch (DateTimeParseException unreadable) {
            return null;
        }
    }

    public String verdict() {
        return text(VERDICT);
    }

    public String reason() {
        return text(REASON);
    }

    public String eventId() {
        return text(EVENT_ID);
    }

    /** The callback's event_type; null when the line has none (a body that could not be read). */
    public Integer eventType() {
        return fields.path(EVENT_TYPE).isIntegralNumber() ? fields.get(EVENT_TYPE).asInt() : null;
    }

    public String event() {
        return text(EVENT);
    }

    public boolean signed() {
        return fields.path(SIGNED).asBoolean(false);
    }

    public String streamId() {
        return text(STREAM_ID);
    }

    public String app() {
        return text(APP);
    }

    public String sequence() {
        return text(SEQUENCE);
    }

    public Integer errcode() {
        return fields.path(ERRCODE).isIntegralNumber() ? fields.get(ERRCODE).asInt() : null;
    }

    public String category() {
        return text(CATEGORY);
    }

    /** The tenant of its push domain (gateway.tenants) when it had one; null for none, and in older lines. */
    public String tenant() {
        return text(TENANT);
    }

    public String routingKey() {
        return text(ROUTING_KEY);
    }

    /** The body as audited: an object for a callback that was read, else text or null. */
    public JsonNode body() {
        return fields.path(BODY);
    }

    /** A field's text; null when it is absent or null. */
    private String text(String field) {
        return fields.hasNonNull(field) ? fields.get(field).asText() : null;
    }
}
