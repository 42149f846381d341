package io.cssgateway.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The OpenTelemetry SDK as the standard {@code OTEL_*} environment variables and {@code otel.*} system properties
 * configure it (the SDK's own autoconfiguration: endpoint, headers, service name, resource attributes, sampler and
 * ratio, the batch processor's queue), with this gateway's defaults beneath them: OTLP over HTTP with protobuf,
 * service name {@code css-callback-gateway}, no metrics or logs exported (the gateway has its Prometheus metrics and
 * its log). {@code otel.*} keys of the gateway's own configuration (application.properties, Karaf's
 * etc/io.cssgateway.cfg) apply beneath the environment and the system properties.
 *
 * <p>Spans wait for export in the batch processor's bounded queue ({@code OTEL_BSP_MAX_QUEUE_SIZE}, 2048): while the
 * collector cannot take them, the queue is full and further spans are dropped, never waited for; {@link #dropped()}
 * counts them, from the SDK's own count.
 */
public final class TraceExport implements AutoCloseable {

    /** The only OTLP protocol this gateway ships an exporter for (the JDK's HTTP client; no gRPC library). */
    static final String PROTOCOL = "http/protobuf";
    private static final Set<String> PROTOCOL_KEYS = Set.of("otel.exporter.otlp.protocol",
            "otel.exporter.otlp.traces.protocol");

    private final OpenTelemetrySdk sdk;
    private final DroppedSpans dropped;

    private TraceExport(OpenTelemetrySdk sdk, DroppedSpans dropped) {
        this.sdk = sdk;
        this.dropped = dropped;
    }

    /**
     * @param configured the {@code otel.*} keys of the gateway's configuration, beneath the environment and the system
     *     properties
     * @throws IllegalStateException naming the setting, for a protocol other than http/protobuf or a configuration
     *     the SDK refuses
     */
    public static TraceExport start(Map<String, String> configured) {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("otel.service.name", "css-callback-gateway");
        defaults.put("otel.exporter.otlp.protocol", PROTOCOL);
        defaults.put("otel.metrics.exporter", "none");
        defaults.put("otel.logs.exporter", "none");
        defaults.putAll(configured);
        DroppedSpans dropped = new DroppedSpans();
        try {
            AutoConfiguredOpenTelemetrySdk configuredSdk = AutoConfiguredOpenTelemetrySdk.builder()
                    // inside Karaf the exporter is found in this bundle, not through the thread's class loader
                    .setServiceClassLoader(TraceExport.class.getClassLoader())
                    // closed with Camel (a JVM hook would outlive a Karaf bundle)
                    .disableShutdownHook()
                    .addPropertiesSupplier(() -> defaults)
                    .addPropertiesCustomizer(TraceExport::requireHttpProtobuf)
                    .addMeterProviderCustomizer((meters, config) -> meters.registerMetricReader(dropped))
                    .build();
            return new TraceExport(configuredSdk.getOpenTelemetrySdk(), dropped);
        } catch (RuntimeException e) {
            throw new IllegalStateException("gateway.tracing.enabled=true, but OpenTelemetry cannot be set up as the "
                    + "OTEL_* settings say: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> requireHttpProtobuf(ConfigProperties config) {
        for (String key : PROTOCOL_KEYS) {
            String protocol = config.getString(key);
            if (protocol != null && !protocol.equals(PROTOCOL)) {
                throw new IllegalStateException(key + " (" + key.toUpperCase().replace('.', '_') + ") is " + protocol
                        + ": this gateway exports OTLP as " + PROTOCOL + " only (a collector takes it on port 4318)");
            }
        }
        return Map.of();
    }

    public OpenTelemetrySdk sdk() {
        return sdk;
    }

    /** Spans dropped because the export queue was full (the collector away or too slow), since the start. */
    public long dropped() {
        return dropped.count();
    }

    /** Exports what is queued (within the SDK's timeout) and stops the exporter's thread. */
    @Override
    public void close() {
        sdk.close();
    }

    /**
     * Reads the batch span processor's own count of the spans it processed, those it dropped apart: {@code
     * processedSpans} with {@code dropped=true} (the SDK's telemetry by default), or {@code
     * otel.sdk.processor.span.processed} with an {@code error.type} (its newer telemetry,
     * {@code otel.experimental.sdk.telemetry.version}). Read when Prometheus scrapes; exports nothing.
     */
    static final class DroppedSpans implements MetricReader {

        private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");
        private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

        private volatile CollectionRegistration registration = CollectionRegistration.noop();

        @Override
        public void register(CollectionRegistration registration) {
            this.registration = registration;
        }

        long count() {
            long dropped = 0;
            for (MetricData metric : registration.collectAllMetrics()) {
                boolean processed = metric.getName().equals("processedSpans")
                        || metric.getName().equals("otel.sdk.processor.span.processed");
                if (processed && metric.getType() == MetricDataType.LONG_SUM) {
                    for (LongPointData point : metric.getLongSumData().getPoints()) {
                        if (Boolean.TRUE.equals(point.getAttributes().get(DROPPED))
                                || point.getAttributes().get(ERROR_TYPE) != null) {
                            dropped += point.getValue();
                        }
                    }
                }
            }
            return dropped;
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
            return AggregationTemporality.CUMULATIVE;
        }

        @Override
        public CompletableResultCode forceFlush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
