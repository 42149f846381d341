package io.cssgateway.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaces secrets with {@code ***} in a line about to leave the gateway (an audit line, an event message), wherever
 * they appear, under any field name: the callback keys (exactly), and the request's own sign (in either case, when
 * it has the shape of a sign, 32 hex digits; anything else can match no key, and masking a short value would garble
 * the line). Works on the UTF-8 bytes: the secrets are ASCII, which never occurs inside a multi-byte character.
 */
public final class SecretMask {

    private static final byte[] MASK = "***".getBytes(StandardCharsets.US_ASCII);

    private final List<byte[]> keys;

    public SecretMask(List<String> keys) {
        this.keys = keys.stream().filter(k -> !k.isEmpty()).map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** {@code line} with every key and {@code sign} (may be null) masked; the same array when none occurs. */
    public byte[] mask(byte[] line, String sign) {
        byte[] masked = line;
        for (byte[] key : keys) {
            masked = replace(masked, key, false);
        }
        if (isSignShaped(sign)) {
            masked = replace(masked, sign.getBytes(StandardCharsets.US_ASCII), true);
        }
        return masked;
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

    private static byte[] replace(byte[] text, byte[] secret, boolean ignoreCase) {
        List<Integer> at = null;
        for (int i = 0; i + secret.length <= text.length; i++) {
            if (matches(text, i, secret, ignoreCase)) {
                if (at == null) {
                    at = new ArrayList<>();
                }
                at.add(i);
                i += secret.length - 1;
            }
        }
        if (at == null) {
            return text;
        }
        byte[] out = new byte[text.length - at.size() * (secret.length - MASK.length)];
        int from = 0;
        int to = 0;
        for (int start : at) {
            System.arraycopy(text, from, out, to, start - from);
            to += start - from;
            System.arraycopy(MASK, 0, out, to, MASK.length);
            to += MASK.length;
            from = start + secret.length;
        }
        System.arraycopy(text, from, out, to, text.length - from);
        return out;
    }

    private static boolean matches(byte[] text, int at, byte[] secret, boolean ignoreCase) {
        for (int j = 0; j < secret.length; j++) {
            byte a = text[at + j];
            byte b = secret[j];
            if (a != b && !(ignoreCase && lower(a) == lower(b))) {
                return false;
            }
        }
        return true;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b | 0x20) : b;
    }
}
