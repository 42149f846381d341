package io.cssgateway.support;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * A CIDR block of an allow-list ({@code gateway.http.allowed-sources}, {@code gateway.tenant.<name>.allowed-sources}):
 * an address and how many of its leading bits a member shares. Addresses are IP literals only, never names to look up.
 */
public record CidrBlock(byte[] network, int prefix) {

    /**
     * @param key the setting it comes from, named in the error
     * @param cidr "203.0.113.0/24", "2001:db8::/32" or a single address
     */
    public static CidrBlock parse(String key, String cidr) {
        String text = cidr.strip();
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = literal(address);
        if (bytes == null) {
            throw new IllegalStateException(key + ": '" + cidr
                    + "' is not an IP address or CIDR block (such as 203.0.113.0/24 or 2001:db8::/32)");
        }
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalStateException(key + ": '" + cidr + "' has a prefix length outside 0-"
                        + bytes.length * 8);
            }
        }
        return new CidrBlock(bytes, prefix);
    }

    /** Whether one of the blocks holds the address (an IP literal; a name or null is held by none). */
    public static boolean anyHolds(List<CidrBlock> blocks, String host) {
        byte[] address = literal(host);
        if (address != null) {
            for (CidrBlock block : blocks) {
                if (block.contains(address)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The bytes of an IP literal, without any name lookup; null when the text is not one. */
    public static byte[] literal(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        boolean v6 = host.indexOf(':') >= 0;
        boolean v4 = !v6 && host.chars().filter(c -> c == '.').count() == 3;
        // only digits, dots (and hex digits and colons for IPv6): parsed as a literal, never a name to look up
        if (!(v4 && host.chars().allMatch(c -> Character.isDigit(c) || c == '.'))
                && !(v6 && host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':'))) {
            return null;
        }
        try {
            return InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        if (!Arrays.equals(address, 0, full, network, 0, full)) {
            return false;
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (address[full] & mask) == (network[full] & mask);
    }
}
