package io.cssgateway.intake;

import io.cssgateway.event.CallbackRejectedException;

/**
 * {@code sign} matches none of the keys that may sign the callback: answered 401 "invalid signature". The audit
 * line's reason is {@code bad-signature}, or {@code key-of-another-tenant} when a key bound to another tenant's
 * domains made it: the answer is the same, and tells nothing of other tenants.
 */
public final class InvalidSignatureException extends CallbackRejectedException {

    public InvalidSignatureException() {
        this("bad-signature");
    }

    private InvalidSignatureException(String reason) {
        super(401, reason, "invalid signature");
    }

    /** Signed with a key bound to another tenant (or, for a domain no tenant owns, with a bound key). */
    static InvalidSignatureException keyOfAnotherTenant() {
        return new InvalidSignatureException("key-of-another-tenant");
    }
}
