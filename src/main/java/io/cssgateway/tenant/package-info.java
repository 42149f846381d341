/**
 * Tenants ({@code gateway.tenants}): which push domains and appids each one owns, the callback keys bound to them,
 * and each tenant's own settings (routing-key prefix, allow-list, rate limit, unsigned event types, alert recipients
 * and channels). Read and checked at start; the intake (routes/intake.camel.yaml) finds a callback's tenant, and the
 * other stages read it from the exchange. docs/tenants.md tells the operator's side.
 */
package io.cssgateway.tenant;
