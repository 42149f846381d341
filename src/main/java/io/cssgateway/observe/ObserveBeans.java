package io.cssgateway.observe;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.Registry;

/**
 * What {@code /observe/health} and {@code /observe/metrics} report of the gateway's own state, beside Camel's: the
 * metrics ({@code gatewayMetrics}) and the readiness checks ({@code brokerReadiness}, {@code foldersReadiness}).
 */
public final class ObserveBeans {

    private ObserveBeans() {}

    /**
     * The gateway's metrics, in the Micrometer registry camel-micrometer-prometheus serves (bound under the name it
     * looks up, whichever of the two comes first).
     */
    public static GatewayMetrics metrics(CamelContext camelContext) {
        Registry registry = camelContext.getRegistry();
        GatewayMetrics metrics = registry.lookupByNameAndType("gatewayMetrics", GatewayMetrics.class);
        if (metrics == null) {
            MeterRegistry meters = registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                    MeterRegistry.class);
            if (meters == null) {
                meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
            }
            metrics = new GatewayMetrics(meters);
            registry.bind("gatewayMetrics", metrics);
            // write-audit-line's step, bound by name (support.RouteStep says why)
            registry.bind("countRequest", (Processor) metrics::request);
        }
        return metrics;
    }

    /**
     * Readiness: RabbitMQ takes events ({@code brokerProblem} names what keeps it from it, or null) and the folders can
     * be written.
     *
     * @param folders the folders that must stay writable, by the name readiness gives them (spool, audit)
     */
    public static void bindReadiness(CamelContext camelContext, Supplier<String> brokerProblem,
            WritableFolders folders) {
        Registry registry = camelContext.getRegistry();
        registry.bind("brokerReadiness", new ReadinessCheck(camelContext, "broker", brokerProblem));
        registry.bind("foldersReadiness", new ReadinessCheck(camelContext, "folders", folders));
    }
}
