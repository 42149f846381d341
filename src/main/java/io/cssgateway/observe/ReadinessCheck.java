package io.cssgateway.observe;

import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A readiness check of the gateway's own, in Camel's health-check registry beside Camel's (context, routes): DOWN
 * while {@code problem} names one, with that text as the reason in {@code /observe/health}'s JSON. Readiness only:
 * a broker that is down or a full disk is no reason to restart the process.
 */
public final class ReadinessCheck extends AbstractHealthCheck {

    private final Supplier<String> problem;

    /** @param problem what keeps the gateway from being ready now, or null when nothing does */
    public ReadinessCheck(CamelContext camelContext, String id, Supplier<String> problem) {
        super("gateway", id);
        this.problem = problem;
        setCamelContext(camelContext);
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String reason = problem.get();
        if (reason == null) {
            builder.up();
        } else {
            builder.down().message(reason);
        }
    }
}
