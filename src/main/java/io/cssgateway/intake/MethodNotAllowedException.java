package io.cssgateway.intake;

import io.cssgateway.event.CallbackRejectedException;

/** A request with another method than POST: answered 405, with {@code Allow: POST}. */
public final class MethodNotAllowedException extends CallbackRejectedException {

    public MethodNotAllowedException() {
        super(405, "method-not-allowed", "method not allowed: callbacks are POSTed");
    }
}
