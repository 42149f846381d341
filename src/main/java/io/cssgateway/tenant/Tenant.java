package io.cssgateway.tenant;

import io.cssgateway.support.CidrBlock;
import java.util.List;
import java.util.Set;

/**
 * One tenant of {@code gateway.tenants}: an account or a team, the push domains and appids it owns, the keys that
 * sign its callbacks, and its own settings ({@code gateway.tenant.<name>.*}). Its keys are never in
 * {@link #toString()}, a message or a log line.
 */
public final class Tenant {

    private final String name;
    private final List<String> domains;
    private final Set<String> appids;
    private final List<String> keys;
    private final String routingKeyPrefix;
    private final List<CidrBlock> allowedSources;
    private final int rateLimit;
    private final Set<Integer> unsignedEventTypes;
    private final List<String> alertTo;
    private final List<String> alertWebhooks;

    /**
     * @param domains exact names and {@code *.example.com} patterns, in lower case
     * @param keys the callback keys bound to it (several while one is rotated)
     * @param routingKeyPrefix put before its events' routing keys (after the house prefix); "" for none
     * @param allowedSources its own allow-list; empty: any address the gateway's allows
     * @param rateLimit callbacks a second for its domains, all sources together; 0: no limit of its own
     * @param alertTo the mail recipients of its alerts; empty: the gateway's
     * @param alertWebhooks the chat webhooks (of gateway.alert.webhooks) its alerts go to; empty: every one not bound
     *     to a tenant
     */
    Tenant(String name, List<String> domains, Set<String> appids, List<String> keys, String routingKeyPrefix,
            List<CidrBlock> allowedSources, int rateLimit, Set<Integer> unsignedEventTypes, List<String> alertTo,
            List<String> alertWebhooks) {
        this.name = name;
        this.domains = List.copyOf(domains);
        this.appids = Set.copyOf(appids);
        this.keys = List.copyOf(keys);
        this.routingKeyPrefix = routingKeyPrefix;
        this.allowedSources = List.copyOf(allowedSources);
        this.rateLimit = rateLimit;
        this.unsignedEventTypes = Set.copyOf(unsignedEventTypes);
        this.alertTo = List.copyOf(alertTo);
        this.alertWebhooks = List.copyOf(alertWebhooks);
    }

    /** As {@code gateway.tenants} names it: the {@code css_tenant} header, the audit line's and the metrics' tenant. */
    public String getName() {
        return name;
    }

    public List<String> domains() {
        return domains;
    }

    public Set<String> appids() {
        return appids;
    }

    /** The keys bound to it, for the signature check and the audit log's masking only. */
    public List<String> keys() {
        return keys;
    }

    /** Put before its events' routing keys, after the house prefix ({@code tenant-a.}); "" for none. */
    public String getRoutingKeyPrefix() {
        return routingKeyPrefix;
    }

    /** Callbacks a second for its domains, from all sources together; 0: no limit of its own. */
    public int getRateLimit() {
        return rateLimit;
    }

    /** Its event types accepted without t and sign; the gateway's list does not apply to its domains. */
    public Set<Integer> unsignedEventTypes() {
        return unsignedEventTypes;
    }

    /** Whether the address (an IP literal) may post callbacks for its domains: on its allow-list, or it has none. */
    public boolean allowsSource(String host) {
        return allowedSources.isEmpty() || CidrBlock.anyHolds(allowedSources, host);
    }

    /** The mail recipients of its alerts; empty: the gateway's ({@code gateway.alert.to}). */
    public List<String> alertTo() {
        return alertTo;
    }

    /** The chat webhooks its alerts go to; empty: every webhook that no tenant names. */
    public List<String> alertWebhooks() {
        return alertWebhooks;
    }

    @Override
    public String toString() {
        return "Tenant[" + name + ", domains " + domains + ", appids " + appids + ", " + keys.size() + " key(s)]";
    }
}
