package io.cssgateway.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.BooleanSupplier;

/** What a route does off the caller's thread (a drain, a digest), asserted once it has had time: 10 s at most. */
public final class Eventually {

    private Eventually() {}

    /** Waits until {@code condition} holds, and fails naming {@code what} when it does not within 10 s. */
    public static void holds(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }
}
