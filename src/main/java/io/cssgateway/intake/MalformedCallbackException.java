package io.cssgateway.intake;

import io.cssgateway.event.CallbackRejectedException;

/** The body is not a JSON object, or a required field is missing or of the wrong type: answered 400. */
public final class MalformedCallbackException extends CallbackRejectedException {

    public MalformedCallbackException(String message) {
        super(400, "malformed", message);
    }
}
