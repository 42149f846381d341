package io.cssgateway.intake;

import io.cssgateway.event.Callback;
import io.cssgateway.support.ExchangeProperties;
import io.cssgateway.tenant.Tenant;
import io.cssgateway.tenant.Tenants;
import org.apache.camel.ExchangeProperty;

/**
 * The intake's step that names a callback's tenant ({@code tenantOfCallback} in routes/intake.camel.yaml): the tenant
 * of its push domain ({@code app}, or {@code domain} in the types that name it so), else of its appid; null when no
 * binding names it, and always null without tenants.
 */
public final class TenantOfCallback {

    private final Tenants tenants;

    public TenantOfCallback(Tenants tenants) {
        this.tenants = tenants;
    }

    public Tenant of(Callback callback) {
        // without tenants, not even the callback's fields are read
        return tenants.isEmpty() ? null : tenants.owner(callback.app(), callback.appid());
    }

    /**
     * Whether the callback's tenant has a rate limit of its own (the intake's filter before its throttle, the step
     * {@code tenantRateLimited}): Java, as the simple language's {@code ?.} costs ten times as much per callback
     * (bench/README.md, issue 33).
     */
    public boolean rateLimited(@ExchangeProperty(ExchangeProperties.TENANT) Tenant tenant) {
        return tenant != null && tenant.getRateLimit() > 0;
    }
}
