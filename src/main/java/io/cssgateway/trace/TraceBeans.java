package io.cssgateway.trace;

import io.cssgateway.support.ClosedWithCamel;
import io.cssgateway.support.Settings;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * Tracing as {@code gateway.tracing.*} says ({@code tracing}): off, or the OpenTelemetry SDK set up from the
 * {@code OTEL_*} settings and closed with Camel, with the routes' {@code step}s as spans and trace ids in their log
 * lines.
 */
public final class TraceBeans {

    private TraceBeans() {}

    /**
     * Binds the tracing once (the HTTP endpoint and the pipeline both ask for it; a test may bind its own first) and
     * returns it; with tracing on, the routes' steps become spans and their log lines carry the trace ids.
     */
    public static Tracing bind(CamelContext camelContext, Settings settings) throws Exception {
        Registry registry = camelContext.getRegistry();
        Tracing tracing = registry.lookupByNameAndType("tracing", Tracing.class);
        if (tracing == null) {
            tracing = Tracing.off();
            TraceExport export = export(settings);
            if (export != null) {
                ClosedWithCamel.register(camelContext, "the trace exporter", export);
                tracing = Tracing.on(export, settings.bool("gateway.tracing.trust-incoming"),
                        settings.text("gateway.http.path"));
            }
            registry.bind("tracing", tracing);
        }
        boolean stepsTraced = camelContext.getManagementStrategy().getEventNotifiers().stream()
                .anyMatch(TracedSteps.class::isInstance);
        if (tracing.enabled() && !stepsTraced) {
            camelContext.getManagementStrategy().addEventNotifier(new TracedSteps(tracing));
            camelContext.getCamelContextExtension().addLogListener(new TracedLogLines());
        }
        return tracing;
    }

    /**
     * The SDK as {@code gateway.tracing.enabled} and the {@code OTEL_*} settings say, or null with tracing off (the
     * replay command's, which closes it when done: its spans are exported then).
     */
    public static TraceExport export(Settings settings) {
        return settings.bool("gateway.tracing.enabled") ? TraceExport.start(otelKeys(settings)) : null;
    }

    /** The {@code otel.*} keys of the gateway's configuration, resolved ({@code {{env:...}}} and the like). */
    private static Map<String, String> otelKeys(Settings settings) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String key : settings.written("otel.").stringPropertyNames()) {
            keys.put(key, settings.optional(key));
        }
        return keys;
    }
}
