package io.cssgateway.intake;

import io.cssgateway.event.CallbackRejectedException;

/**
 * {@code t}, the signature's expiry, lies further ahead than {@code gateway.signature.max-expiry-seconds}: answered
 * 401. A signature covers no body, so a far expiry would let a captured {@code (t, sign)} carry any body for as long.
 */
public final class ExpiryTooFarException extends CallbackRejectedException {

    public ExpiryTooFarException(long maxSeconds) {
        super(401, "expiry-too-far", "signature expiry t is more than " + maxSeconds + " s ahead");
    }
}
