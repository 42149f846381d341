package io.cssgateway.support;

/** The innermost cause of a failure, whose message says what went wrong (a driver's, a socket's). */
public final class RootCause {

    private RootCause() {}

    /** The message of the innermost cause of {@code e}. */
    public static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
