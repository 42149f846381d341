package io.cssgateway.support;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Replaces secrets with {@code ***} in a line about to leave the gateway (an audit line, an event message), wherever
 * they appear, under any field name: the callback keys (exactly), and the request's own sign (in either case, when
 * it has the shape of a sign, 32 hex digits; anything else can match no key, and masking a short value would garble
 * the line). Works on the UTF-8 bytes: the secrets are ASCII, which never occurs inside a multi-byte character.
 */
public final class SecretMask {

    private static final byte[] MASK = "***".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] NONE = new byte[0][];

    /**
     * The keys by their first byte, the longest first: one pass over the line looks only at the keys that start with
     * the byte at hand. Written for this, not taken from a library: with 50 keys (a tenant per callback template) a
     * scan of the line per key took 85 us an audit line, this pass 0.9 us (1 us with one key, where the scan took 3;
     * bench/README.md, "Tenants (issue 33)").
     */
    private final byte[][][] byFirstByte = new byte[256][][];
    /**
     * Whether a key starts with this byte: the pass skips every other byte at the cost of one lookup, where it called
     * {@link #secretAt} for each (the masking was 5.3% of the gateway's samples at saturation with one key, 2.9% with
     * this; bench/README.md, "Where the time goes (issue 35)").
     */
    private final boolean[] startsKey = new boolean[256];

    public SecretMask(List<String> keys) {
        Arrays.fill(byFirstByte, NONE);
        keys.stream().filter(k -> !k.isEmpty()).map(k -> k.getBytes(StandardCharsets.UTF_8)).distinct()
                .sorted(Comparator.comparingInt((byte[] k) -> k.length).reversed()).forEach(key -> {
                    byte[][] bucket = byFirstByte[key[0] & 0xff];
                    byte[][] grown = Arrays.copyOf(bucket, bucket.length + 1);
                    grown[bucket.length] = key;
                    byFirstByte[key[0] & 0xff] = grown;
                    startsKey[key[0] & 0xff] = true;
                });
    }

    /** {@code line} with every key and {@code sign} (may be null) masked; the same array when none occurs. */
    public byte[] mask(byte[] line, String sign) {
        byte[] signBytes = isSignShaped(sign) ? sign.getBytes(StandardCharsets.US_ASCII) : null;
        // the sign's first character in lower case (a hex digit), or none: a byte b may start the sign when
        // (b | 0x20) is it, which holds for that character in either case and for no other byte a JSON line holds
        int signStart = signBytes == null ? -1 : lower(signBytes[0]);
        // where each secret starts and how long it is, in the order met
        int[] found = null;
        int count = 0;
        for (int i = 0; i < line.length; ) {
            int b = line[i] & 0xff;
            if (!startsKey[b] && (b | 0x20) != signStart) {
                i++;
                continue;
            }
            int length = secretAt(line, i, signBytes);
            if (length == 0) {
                i++;
                continue;
            }
            if (found == null) {
                found = new int[8];
            } else if (count * 2 == found.length) {
                found = Arrays.copyOf(found, found.length * 2);
            }
            found[count * 2] = i;
            found[count * 2 + 1] = length;
            count++;
            i += length;
        }
        if (found == null) {
            return line;
        }
        int removed = 0;
        for (int n = 0; n < count; n++) {
            removed += found[n * 2 + 1] - MASK.length;
        }
        byte[] out = new byte[line.length - removed];
        int from = 0;
        int to = 0;
        for (int n = 0; n < count; n++) {
            int start = found[n * 2];
            System.arraycopy(line, from, out, to, start - from);
            to += start - from;
            System.arraycopy(MASK, 0, out, to, MASK.length);
            to += MASK.length;
            from = start + found[n * 2 + 1];
        }
        System.arraycopy(line, from, out, to, line.length - from);
        return out;
    }

    /** The length of the secret that starts at {@code at} (the longest key, else the sign in any case), or 0. */
    private int secretAt(byte[] line, int at, byte[] sign) {
        for (byte[] key : byFirstByte[line[at] & 0xff]) {
            if (at + key.length <= line.length && Arrays.equals(line, at, at + key.length, key, 0, key.length)) {
                return key.length;
            }
        }
        if (sign != null && at + sign.length <= line.length && lower(line[at]) == lower(sign[0])) {
            for (int j = 1; j < sign.length; j++) {
                if (lower(line[at + j]) != lower(sign[j])) {
                    return 0;
                }
            }
            return sign.length;
        }
        return 0;
    }

    public static boolean isSignShaped(String sign) {
        if (sign == null || sign.length() != 32) {
            return false;
        }
        for (int i = 0; i < sign.length(); i++) {
            if (Character.digit(sign.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b | 0x20) : b;
    }
}
