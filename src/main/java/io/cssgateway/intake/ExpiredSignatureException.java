package io.cssgateway.intake;

import io.cssgateway.event.CallbackRejectedException;

/** {@code t}, the signature's expiry, has passed beyond the allowed clock skew: answered 401. */
public final class ExpiredSignatureException extends CallbackRejectedException {

    public ExpiredSignatureException() {
        super(401, "expired", "signature expired");
    }
}
