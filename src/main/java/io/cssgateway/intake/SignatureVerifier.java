package io.cssgateway.intake;

import io.cssgateway.event.Callback;
import io.cssgateway.support.ExchangeProperties;
import io.cssgateway.tenant.Tenant;
import io.cssgateway.tenant.Tenants;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.camel.ExchangeProperty;

/**
 * Checks {@code sign == md5(key + t)} for the keys that may sign the callback, in constant time: the keys bound to
 * its tenant ({@code gateway.tenant.<name>.keys}, found by its push domain or appid) and the unbound ones
 * ({@code gateway.signature.keys}, which sign for every domain); several during a key rotation. Also checks
 * that {@code t}, the signature's expiry, has not passed beyond the allowed clock skew, and that it lies no further
 * ahead than allowed (the provider sets it about 10 minutes ahead; a signature covers no body, so a far expiry
 * would let a captured {@code (t, sign)} carry any body for as long). A callback without {@code t} and {@code sign}
 * is accepted, unsigned, only for an event type the operator lists (its tenant's
 * {@code gateway.tenant.<name>.unsigned-event-types}; for a domain no tenant owns,
 * {@code gateway.signature.unsigned-event-types}), or when signatures are not required at all; a callback that
 * carries a sign is always verified. A callback signed with another tenant's key is refused as any bad signature
 * (the answer tells nothing of other tenants); its audit line's reason says whose key it was not.
 * The keys never appear in a message, a log line or {@link #toString()}.
 */
public final class SignatureVerifier {

    private final byte[][] keys;
    /** By tenant name: its keys and the unbound ones, then the keys of every other tenant. */
    private final Map<String, byte[][]> keysOf = new HashMap<>();
    private final Map<String, byte[][]> othersOf = new HashMap<>();
    private final byte[][] boundKeys;
    private final boolean anyKey;
    private final long clockSkewSeconds;
    private final long maxExpirySeconds;
    private final boolean required;
    private final Set<Integer> unsignedEventTypes;
    private final Clock clock;

    /**
     * @param keys the unbound keys (gateway.signature.keys): they sign for every domain
     * @param tenants the tenants, each with the keys bound to its domains
     * @param maxExpiry how far ahead of now {@code t} may lie
     * @param required false accepts any callback without t and sign (trials only)
     * @param unsignedEventTypes the event types accepted without t and sign for domains no tenant owns
     */
    public SignatureVerifier(List<String> keys, Tenants tenants, Duration clockSkew, Duration maxExpiry,
            boolean required, Set<Integer> unsignedEventTypes, Clock clock) {
        this.keys = bytes(keys);
        this.boundKeys = bytes(tenants.keys());
        for (Tenant tenant : tenants.all()) {
            List<String> own = new ArrayList<>(tenant.keys());
            own.addAll(keys);
            keysOf.put(tenant.getName(), bytes(own));
            othersOf.put(tenant.getName(), bytes(tenants.keys().stream().filter(k -> !tenant.keys().contains(k))
                    .toList()));
        }
        this.anyKey = this.keys.length > 0 || boundKeys.length > 0;
        this.clockSkewSeconds = clockSkew.toSeconds();
        this.maxExpirySeconds = maxExpiry.toSeconds();
        this.required = required;
        this.unsignedEventTypes = Set.copyOf(unsignedEventTypes);
        this.clock = clock;
    }

    /** Whether any key is configured, bound or not: without one, callbacks cannot be verified. */
    public boolean hasKeys() {
        return anyKey;
    }

    /**
     * Whether the callback was signed and verified; false for one accepted unsigned; an exception for a refusal.
     *
     * @param tenant the tenant that owns its push domain or appid, or null
     */
    public boolean verify(Callback callback, @ExchangeProperty(ExchangeProperties.TENANT) Tenant tenant) {
        if (callback.sign() == null) {
            Set<Integer> accepted = tenant == null ? unsignedEventTypes : tenant.unsignedEventTypes();
            if (required && !accepted.contains(callback.getEventType())) {
                throw new UnsignedCallbackException(callback.getEventType(), tenant == null
                        ? "gateway.signature.unsigned-event-types"
                        // the answer names no tenant
                        : "the unsigned event types of its push domain's tenant "
                                + "(gateway.tenant.<name>.unsigned-event-types)");
            }
            return false;
        }
        if (!hasKeys()) {
            // only with gateway.signature.required=false: nothing to verify against
            return false;
        }
        byte[][] candidates = tenant == null ? keys : keysOf.get(tenant.getName());
        if (candidates.length == 0) {
            // every key is bound, and no tenant owns this domain
            throw new NoKeyForDomainException(callback.app());
        }
        if (!matchesAnyKey(candidates, callback.expiry(), callback.sign())) {
            // a refusal's cost: was it signed with a key bound to another tenant (a binding to fix, or a misuse)?
            byte[][] others = tenant == null ? boundKeys : othersOf.get(tenant.getName());
            throw others.length > 0 && matchesAnyKey(others, callback.expiry(), callback.sign())
                    ? InvalidSignatureException.keyOfAnotherTenant() : new InvalidSignatureException();
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
        return matchesAnyKey(keys, expiry, sign);
    }

    private static boolean matchesAnyKey(byte[][] keys, String expiry, String sign) {
        byte[] given = sign.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        byte[] t = expiry.getBytes(StandardCharsets.US_ASCII);
        MessageDigest md5 = MD5.get();
        boolean match = false;
        for (byte[] key : keys) {
            md5.update(key);
            md5.update(t);
            // every key is tried, so the time taken does not tell which one matched
            match |= MessageDigest.isEqual(given, hex(md5.digest()));
        }
        return match;
    }

    private static byte[][] bytes(List<String> keys) {
        return keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    private static byte[] hex(byte[] digest) {
        byte[] out = new byte[digest.length * 2];
        for (int i = 0; i < digest.length; i++) {
            out[2 * i] = HEX[(digest[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[digest[i] & 0xf];
        }
        return out;
    }

    /**
     * Each HTTP worker's own digest, reset by each {@code digest()}: looking MD5 up in the security providers for every
     * callback took up to 7% of the gateway's CPU at saturation (a profile of issue 33, bench/README.md).
     */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(SignatureVerifier::md5);

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
        return "SignatureVerifier[" + keys.length + " unbound key(s), " + boundKeys.length + " bound to "
                + keysOf.size() + " tenant(s), clock skew " + clockSkewSeconds + " s, expiry at most "
                + maxExpirySeconds + " s ahead, unsigned accepted for " + (required ? unsignedEventTypes : "all") + "]";
    }
}
