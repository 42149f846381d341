package io.cssgateway.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.support.Integers;

/**
 * One callback as the provider sent it, checked for shape. {@link #fields()} is the provider's JSON object
 * with every field kept in its order and type except {@code sign}, which never leaves the intake.
 */
public final class Callback {

    /**
     * How deep a body may nest objects and arrays. CSS callbacks nest a few levels; the bound keeps every later writer
     * (the audit line, the spool file, which nest the body one level deeper) far from Jackson's own limit.
     */
    public static final int MAX_NESTING_DEPTH = 100;

    private final ObjectNode fields;
    private final int eventType;
    private final String expiry;
    private final String sign;

    public Callback(ObjectNode fields, int eventType, String expiry, String sign) {
        this.fields = fields;
        this.eventType = eventType;
        this.expiry = expiry;
        this.sign = sign;
    }

    /** The provider's fields without {@code sign}. */
    public ObjectNode fields() {
        return fields;
    }

    public int getEventType() {
        return eventType;
    }

    /** {@code t} as sent, in decimal; null when the callback is unsigned. */
    public String expiry() {
        return expiry;
    }

    /** {@code sign} as sent; null when the callback is unsigned. */
    public String sign() {
        return sign;
    }

    /** A field's text ({@code "5"} for 5 and for "5"), or null when it is absent, null, an object or an array. */
    public String text(String field) {
        var node = fields.get(field);
        return node == null || !node.isValueNode() || node.isNull() ? null : node.asText();
    }

    /** The stream: {@code stream_id}, or {@code streamId} (image moderation, 317); null when neither is there. */
    public String streamId() {
        return firstText("stream_id", "streamId");
    }

    /** The push domain: {@code app} (push, interruption, recording, ...), or {@code domain} (321, 341, 348, ...). */
    public String app() {
        return firstText("app", "domain");
    }

    /** The account's APPID: {@code appid} (most types), or {@code appId} (as the relay's table, 314, writes it). */
    public String appid() {
        return firstText("appid", "appId");
    }

    /** The sequence: {@code sequence} (push, interruption, push error), or {@code seq} (recording status, 332). */
    public String sequence() {
        return firstText("sequence", "seq");
    }

    private String firstText(String... names) {
        for (String name : names) {
            String value = text(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** The interruption's {@code errcode} as an integer, or null when it is absent or not an integer. */
    public Integer getErrcode() {
        return Integers.parseIntOrNull(text("errcode"));
    }

    @Override
    public String toString() {
        // sign stays out of every log line and error message
        return "Callback[event_type=" + eventType + ", sequence=" + sequence() + "]";
    }
}
