package io.cssgateway.spool;

import io.cssgateway.event.CallbackRejectedException;

/**
 * Neither RabbitMQ nor the spool took the event: answered 503, so that the provider retries it later. The only
 * refusal that is the gateway's, not the callback's.
 */
public final class HandOffFailedException extends CallbackRejectedException {

    public HandOffFailedException(Throwable cause) {
        super(503, "unavailable", "event could not be handed on, retry later", cause);
    }
}
