package io.cssgateway.spool;

/**
 * The spool could not be read (its folder or a file): a problem of the disk or of the process, not of RabbitMQ, so
 * the drain tries again at its next round without marking the broker down.
 */
public final class SpoolReadException extends RuntimeException {

    public SpoolReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
