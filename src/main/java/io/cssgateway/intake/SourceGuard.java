package io.cssgateway.intake;

import io.cssgateway.support.CidrBlock;
import io.cssgateway.support.ExchangeProperties;
import io.cssgateway.tenant.Tenant;
import io.vertx.core.net.SocketAddress;
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

    private final List<CidrBlock> allowed;

    /** @param allowedSources CIDR blocks ("203.0.113.0/24", "2001:db8::/32") or single addresses; empty: all */
    public SourceGuard(List<String> allowedSources) {
        this.allowed = allowedSources.stream().map(b -> CidrBlock.parse("gateway.http.allowed-sources", b)).toList();
    }

    /** The client's IP address, as text; refused with 403 when an allow-list is set and it is not on it. */
    public String check(@ExchangeProperty(ExchangeProperties.REMOTE_ADDRESS) Object remoteAddress) {
        String host = host(remoteAddress);
        if (allowed.isEmpty()) {
            return host;
        }
        if (CidrBlock.anyHolds(allowed, host)) {
            return host;
        }
        throw new SourceNotAllowedException();
    }

    /**
     * A tenant's own allow-list ({@code gateway.tenant.<name>.allowed-sources}), once the callback's push domain named
     * its tenant: 403 when the tenant has one and the address is not on it.
     */
    public void checkTenant(@ExchangeProperty(ExchangeProperties.TENANT) Tenant tenant,
            @ExchangeProperty(ExchangeProperties.SOURCE_ADDRESS) String sourceAddress) {
        if (tenant != null && !tenant.allowsSource(sourceAddress)) {
            throw new SourceNotAllowedException();
        }
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
}
