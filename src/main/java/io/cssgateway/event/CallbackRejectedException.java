package io.cssgateway.event;

/**
 * A callback the gateway refuses, carrying its own answer: the HTTP status, the reason written in the audit line,
 * and the message of the JSON answer. One rule in routes/error-handling.camel.yaml answers every subclass. Messages
 * are fixed texts written here, never echoes of the input, so they are safe in a JSON answer and a log line.
 */
public abstract class CallbackRejectedException extends RuntimeException {

    private final int httpStatus;
    private final String reason;

    protected CallbackRejectedException(int httpStatus, String reason, String message) {
        this(httpStatus, reason, message, null);
    }

    protected CallbackRejectedException(int httpStatus, String reason, String message, Throwable cause) {
        super(message, cause, false, false);
        this.httpStatus = httpStatus;
        this.reason = reason;
    }

    /** The status answered. */
    public int getHttpStatus() {
        return httpStatus;
    }

    /** The audit line's reason. */
    public String getReason() {
        return reason;
    }
}
