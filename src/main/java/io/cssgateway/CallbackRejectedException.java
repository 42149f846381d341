package io.cssgateway;

/**
 * A callback the gateway refuses. Subclasses name the reason; the routes map each one to its HTTP answer
 * (routes/error-handling.camel.yaml). Messages are fixed texts written here, never echoes of the input,
 * so they are safe to put in a JSON answer and a log line.
 */
public abstract class CallbackRejectedException extends RuntimeException {

    protected CallbackRejectedException(String message) {
        super(message, null, false, false);
    }
}
