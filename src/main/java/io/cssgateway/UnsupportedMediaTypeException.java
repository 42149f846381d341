package io.cssgateway;

/** A request whose content type is not JSON: answered 415. */
public final class UnsupportedMediaTypeException extends CallbackRejectedException {

    public UnsupportedMediaTypeException() {
        super("content type must be application/json");
    }
}
