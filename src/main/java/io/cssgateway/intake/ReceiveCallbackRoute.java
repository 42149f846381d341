package io.cssgateway.intake;

import org.apache.camel.builder.RouteBuilder;

/**
 * The HTTP endpoint: every request to {@code gateway.http.path} goes on to the intake route
 * ({@code routes/intake.camel.yaml}). Written here rather than in routes/ so that it stays open while route files are
 * reloaded, where a reloaded HTTP consumer would answer 404 meanwhile; while any route file is swapped in, each
 * request waits at the {@link CallbackGate}.
 */
public final class ReceiveCallbackRoute extends RouteBuilder {

    private final CallbackGate gate;

    public ReceiveCallbackRoute(CallbackGate gate) {
        this.gate = gate;
    }

    @Override
    public void configure() {
        from("platform-http:{{gateway.http.path}}").routeId("receive-callback")
                .process(gate)
                .to("direct:intake");
    }
}
