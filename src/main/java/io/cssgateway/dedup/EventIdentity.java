package io.cssgateway.dedup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.event.Callback;
import io.cssgateway.event.EventTypes;
import io.cssgateway.support.ExchangeProperties;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.camel.ExchangeProperty;

/**
 * The identity of an event, used to recognise the provider's retries and sent as the AMQP {@code message_id}:
 * {@code <event_type>:<identity field values>} for a type whose identity the event-type table names (push and
 * interruption: {@code sequence}; a recording file: {@code file_id}, else {@code record_file_id}); otherwise, or when
 * no alternative's fields are all present, or a value is not a plain token,
 * {@code <event_type>:sha256:<digest of the body without sign and t>}.
 */
public final class EventIdentity {

    private static final Pattern PLAIN_TOKEN = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final EventTypes eventTypes;
    private final ObjectMapper mapper = new ObjectMapper();

    public EventIdentity(EventTypes eventTypes) {
        this.eventTypes = eventTypes;
    }

    /**
     * The identity a refused callback's event would have had; null when no callback was read, or none can be made.
     * Its audit line carries it, so that one identity's lines gather the refusals of its body (a forged copy, a retry
     * signed with a rotated key).
     */
    public String ofRefused(@ExchangeProperty(ExchangeProperties.CALLBACK) Callback callback) {
        if (callback == null) {
            return null;
        }
        try {
            return of(callback);
        } catch (RuntimeException unidentifiable) {
            return null;
        }
    }

    public String of(Callback callback) {
        int type = callback.getEventType();
        for (List<String> fields : eventTypes.of(type).identity()) {
            StringBuilder identity = new StringBuilder().append(type);
            for (String field : fields) {
                String value = callback.text(field);
                if (value == null) {
                    identity = null;
                    break;
                }
                if (!PLAIN_TOKEN.matcher(value).matches()) {
                    return digestIdentity(callback);
                }
                identity.append(':').append(value);
            }
            if (identity != null) {
                return identity.toString();
            }
        }
        return digestIdentity(callback);
    }

    private String digestIdentity(Callback callback) {
        ObjectNode copy = callback.fields().deepCopy();
        copy.remove("t");
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(mapper.writeValueAsBytes(copy));
            return callback.getEventType() + ":sha256:" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot digest a parsed body", e);
        }
    }
}
