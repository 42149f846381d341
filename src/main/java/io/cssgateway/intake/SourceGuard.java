package io.cssgateway.intake;

import io.cssgateway.support.ExchangeProperties;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import org.apache.camel.ExchangeProperty;

/**
 * Where a callback comes from, and whether that address may post at all: with {@code gateway.http.allowed-sources}
 * set (CIDR blocks, e.g. the provider's published callback ranges or a load balancer's), any other address is
 * refused with 403 and audited. Empty: every address may post (the signature is what authenticates a callback).
 * Behind a load balancer, the address seen is the balancer's: list it, and keep the provider's ranges on the
 * balancer.
 */
public final class SourceGuard {

    private final List<Block> allowed;

    /** @param allowedSources CIDR blocks ("203.0.113.0/24", "2001:db8::/32") or single addresses; empty: all */
    public SourceGuard(List<String> allowedSources) {
        this.allowed = allowedSources.stream().map(Block::parse).toList();
    }

    /** The client's IP address, as text; refused with 403 when an allow-list is set and it is not on it. */
    public String check(@ExchangeProperty(ExchangeProperties.REMOTE_ADDRESS) Object remoteAddress) {
        String host = host(remoteAddress);
        if (allowed.isEmpty()) {
            return host;
        }
        byte[] address = literal(host);
        if (address != null) {
            for (Block block : allowed) {
                if (block.contains(address)) {
                    return host;
                }
            }
        }
        throw new SourceNotAllowedException();
    }

    /** Whether an allow-list is set. */
    public boolean restricting() {
        return !allowed.isEmpty();
    }

    static String host(Object remoteAddress) {
        if (remoteAddress instanceof SocketAddress socket) {
            return socket.hostAddress();
        }
        String text = String.valueOf(remoteAddress);
        int port = text.lastIndexOf(':');
        // "1.2.3.4:5678" or "[2001:db8::1]:5678"; an IPv6 address alone has colons but no brackets
        if (text.startsWith("[")) {
            return text.substring(1, text.indexOf(']'));
        }
        return port > 0 && text.indexOf(':') == port ? text.substring(0, port) : text;
    }

    /** The bytes of an IP literal, without any name lookup; null when the text is not one. */
    static byte[] literal(String host) {
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

    /** A CIDR block: an address and how many of its leading bits a member shares. */
    record Block(byte[] network, int prefix) {

        static Block parse(String cidr) {
            String text = cidr.strip();
            int slash = text.indexOf('/');
            String address = slash < 0 ? text : text.substring(0, slash);
            byte[] bytes = literal(address);
            if (bytes == null) {
                throw new IllegalArgumentException("gateway.http.allowed-sources: '" + cidr
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
                    throw new IllegalArgumentException("gateway.http.allowed-sources: '" + cidr
                            + "' has a prefix length outside 0-" + bytes.length * 8);
                }
            }
            return new Block(bytes, prefix);
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
}
