package io.cssgateway.intake;

import io.cssgateway.event.Callback;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks {@code sign == md5(key + t)} for any configured key (several during a key rotation), in constant time,
 * that {@code t}, the signature's expiry, has not passed beyond the allowed clock skew, and that it lies no further
 * ahead than allowed (the provider sets it about 10 minutes ahead; a signature covers no body, so a far expiry
 * would let a captured {@code (t, sign)} carry any body for as long). A callback without {@code t} and {@code sign}
 * is accepted, unsigned, only for an event type the operator lists ({@code gateway.signature.unsigned-event-types}),
 * or when signatures are not required at all; a callback that carries a sign is always verified.
 * The keys never appear in a message, a log line or {@link #toString()}.
 */
public final class SignatureVerifier {

    private final byte[][] keys;
    private final long clockSkewSeconds;
    private final long maxExpirySeconds;
    private final boolean required;
    private final Set<Integer> unsignedEventTypes;
    private final Clock clock;

    /**
     * @param maxExpiry how far ahead of now {@code t} may lie
     * @param required false accepts any callback without t and sign (trials only)
     * @param unsignedEventTypes the event types accepted without t and sign
     */
    public SignatureVerifier(List<String> keys, Duration clockSkew, Duration maxExpiry, boolean required,
            Set<Integer> unsignedEventTypes, Clock clock) {
        this.keys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        this.clockSkewSeconds = clockSkew.toSeconds();
        this.maxExpirySeconds = maxExpiry.toSeconds();
        this.required = required;
        this.unsignedEventTypes = Set.copyOf(unsignedEventTypes);
        this.clock = clock;
    }

    /** Whether any key is configured: without one, callbacks cannot be verified. */
    public boolean hasKeys() {
        return keys.length > 0;
    }

    /** Whether the callback was signed and verified; false for one accepted unsigned; an exception for a refusal. */
    public boolean verify(Callback callback) {
        if (callback.sign() == null) {
            if (required && !unsignedEventTypes.contains(callback.getEventType())) {
                throw new UnsignedCallbackException(callback.getEventType());
            }
            return false;
        }
        if (!hasKeys()) {
            // only with gateway.signature.required=false: nothing to verify against
            return false;
        }
        if (!matchesAnyKey(callback.expiry(), callback.sign())) {
            throw new InvalidSignatureException();
        }
        // written so that no sum or difference overflows, whatever t a long holds
        long now = clock.instant().getEpochSecond();
        long expiry = Long.parseLong(callback.expiry());
        if (expiry < now - clockSkewSeconds) {
            throw new ExpiredSignatureException();
        }
        if (expiry > now && expiry - now > maxExpirySeconds) {
            throw new ExpiryTooFarException(maxExpirySeconds);
        }
        return true;
    }

    /** The sign the provider computes for {@code key} and {@code t}: md5(key + t) in lower-case hex. */
    public static String sign(String key, String expiry) {
        MessageDigest md5 = md5();
        md5.update(key.getBytes(StandardCharsets.UTF_8));
        return new String(hex(md5.digest(expiry.getBytes(StandardCharsets.US_ASCII))), StandardCharsets.US_ASCII);
    }

    boolean matchesAnyKey(String expiry, String sign) {
        byte[] given = sign.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        byte[] t = expiry.getBytes(StandardCharsets.US_ASCII);
        MessageDigest md5 = md5();
        boolean match = false;
        for (byte[] key : keys) {
            md5.update(key);
            md5.update(t);
            // every key is tried, so the time taken does not tell which one matched
            match |= MessageDigest.isEqual(given, hex(md5.digest()));
        }
        return match;
    }

    private static byte[] hex(byte[] digest) {
        byte[] out = new byte[digest.length * 2];
        for (int i = 0; i < digest.length; i++) {
            out[2 * i] = HEX[(digest[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[digest[i] & 0xf];
        }
        return out;
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5", e);
        }
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String toString() {
        return "SignatureVerifier[" + keys.length + " key(s), clock skew " + clockSkewSeconds + " s, expiry at most "
                + maxExpirySeconds + " s ahead, unsigned accepted for " + (required ? unsignedEventTypes : "all") + "]";
    }
}
