package io.cssgateway.intake;

import io.cssgateway.event.CallbackRejectedException;

/**
 * A callback without {@code t} and {@code sign} of a type not accepted unsigned: answered 401 (the body is
 * well-formed; it is the trust that is missing), with the setting that would accept it.
 */
public final class UnsignedCallbackException extends CallbackRejectedException {

    /** @param setting the list that would accept it: the gateway's, or the tenant's of its push domain */
    public UnsignedCallbackException(int eventType, String setting) {
        super(401, "unsigned", "event_type " + eventType + " callbacks must carry t and sign: list " + eventType
                + " in " + setting + " to accept them unsigned");
    }
}
