package io.cssgateway;

/** A request with another method than POST: answered 405. */
public final class MethodNotAllowedException extends CallbackRejectedException {

    public MethodNotAllowedException() {
        super("method not allowed: callbacks are POSTed");
    }
}
