package io.cssgateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The identity of an event, used to recognise the provider's retries and sent as the AMQP {@code message_id}:
 * {@code <event_type>:<sequence>} for push (1) and interruption (0); otherwise, or when the sequence is missing
 * or not a plain token, {@code <event_type>:sha256:<digest of the body without sign and t>}.
 */
public final class EventIdentity {

    private static final Pattern PLAIN_TOKEN = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final ObjectMapper mapper = new ObjectMapper();

    public String of(Callback callback) {
        int type = callback.getEventType();
        if (type == 0 || type == 1) {
            String sequence = callback.text("sequence");
            if (sequence != null && PLAIN_TOKEN.matcher(sequence).matches()) {
                return type + ":" + sequence;
            }
        }
        return type + ":sha256:" + digestWithoutExpiry(callback.fields());
    }

    private String digestWithoutExpiry(ObjectNode fields) {
        ObjectNode copy = fields.deepCopy();
        copy.remove("t");
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(mapper.writeValueAsBytes(copy));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot digest a parsed body", e);
        }
    }
}
