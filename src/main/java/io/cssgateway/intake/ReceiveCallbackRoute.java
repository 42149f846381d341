package io.cssgateway.intake;

import io.cssgateway.trace.Tracing;
import org.apache.camel.builder.RouteBuilder;

/**
 * The HTTP endpoint: every request to {@code gateway.http.path} goes on to the intake route
 * ({@code routes/intake.camel.yaml}). Written here rather than in routes/ so that it stays open while route files are
 * reloaded, where a reloaded HTTP consumer would answer 404 meanwhile; while any route file is swapped in, each
 * request waits at the {@link CallbackGate}.
 */
public final class ReceiveCallbackRoute extends RouteBuilder {

    private final CallbackGate gate;
    private final Tracing tracing;

    public ReceiveCallbackRoute(CallbackGate gate, Tracing tracing) {
        this.gate = gate;
        this.tracing = tracing;
    }

    @Override
    public void configure() {
        from("platform-http:{{gateway.http.path}}").routeId("receive-callback")
                // the callback's span, with tracing on (docs/tracing.md)
                .process(tracing)
                .process(gate)
                .to("direct:intake");
    }
}
