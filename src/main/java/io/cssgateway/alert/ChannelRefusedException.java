package io.cssgateway.alert;

/** A chat tool's webhook did not take an alert (an error status, or an error code in its answer): tried again. */
public final class ChannelRefusedException extends RuntimeException {

    public ChannelRefusedException(String message) {
        super(message);
    }
}
