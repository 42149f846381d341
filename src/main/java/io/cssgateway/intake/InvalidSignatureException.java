package io.cssgateway.intake;

import io.cssgateway.event.CallbackRejectedException;

/** {@code sign} matches none of the configured keys: answered 401. */
public final class InvalidSignatureException extends CallbackRejectedException {

    public InvalidSignatureException() {
        super(401, "bad-signature", "invalid signature");
    }
}
