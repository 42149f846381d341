package io.cssgateway.intake;

import io.cssgateway.event.CallbackRejectedException;

/**
 * A callback without {@code t} and {@code sign} of a type not accepted unsigned: answered 401 (the body is
 * well-formed; it is the trust that is missing), with the setting that would accept it.
 */
public final class UnsignedCallbackException extends CallbackRejectedException {

    public UnsignedCallbackException(int eventType) {
        super(401, "unsigned", "event_type " + eventType + " callbacks must carry t and sign: list " + eventType
                + " in gateway.signature.unsigned-event-types to accept them unsigned");
    }
}
