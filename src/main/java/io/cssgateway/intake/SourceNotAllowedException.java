package io.cssgateway.intake;

import io.cssgateway.event.CallbackRejectedException;

/** The client's address is not in {@code gateway.http.allowed-sources}: answered 403. */
public final class SourceNotAllowedException extends CallbackRejectedException {

    public SourceNotAllowedException() {
        super(403, "source-not-allowed", "source address not allowed");
    }
}
