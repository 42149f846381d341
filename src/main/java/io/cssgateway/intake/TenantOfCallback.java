package io.cssgateway.intake;

import io.cssgateway.event.Callback;
import io.cssgateway.tenant.Tenant;
import io.cssgateway.tenant.Tenants;

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
        return tenants.isEmpty() ? null : tenants.owner(callback.app(), callback.appid());
    }
}
