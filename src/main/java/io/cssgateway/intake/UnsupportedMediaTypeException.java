package io.cssgateway.intake;

import io.cssgateway.event.CallbackRejectedException;

/** A request whose body is not plain JSON (another content type, or a content coding): answered 415. */
public final class UnsupportedMediaTypeException extends CallbackRejectedException {

    public UnsupportedMediaTypeException(String message) {
        super(415, "unsupported-media-type", message);
    }
}
