package io.cssgateway.streams;

/** A message on the stream queue that is not a push or interruption of a stream: it changes no state. */
public final class UntrackableEventException extends RuntimeException {

    public UntrackableEventException(String why) {
        super(why);
    }
}
