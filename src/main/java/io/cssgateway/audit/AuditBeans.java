package io.cssgateway.audit;

import io.cssgateway.support.ClosedWithCamel;
import io.cssgateway.support.Settings;
import io.cssgateway.support.Stores;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log of routes/audit.camel.yaml ({@code auditLog}), in the files of {@code gateway.audit.*}, and its
 * index ({@code gateway.audit.index.*}).
 */
public final class AuditBeans {

    private static final Logger LOG = LoggerFactory.getLogger(AuditBeans.class);

    private AuditBeans() {}

    /** @param secrets the callback keys: masked wherever they would appear in a line */
    public static AuditLog bind(CamelContext camelContext, Settings settings, List<String> secrets) throws Exception {
        AuditFiles files = new AuditFiles(Path.of(settings.text("gateway.audit.dir")),
                settings.integer("gateway.audit.max-file-bytes"),
                (int) settings.integer("gateway.audit.retention-days"), Clock.systemUTC());
        AuditLog auditLog = new AuditLog(files, secrets, (int) settings.integer("gateway.audit.raw-body-max-chars"),
                settings.instance());
        camelContext.getRegistry().bind("auditLog", auditLog);
        // write-audit-line's step, bound by name (support.RouteStep says why)
        camelContext.getRegistry().bind("appendAuditLine", (Processor) auditLog::write);
        ClosedWithCamel.register(camelContext, "the audit file", files::close);
        return auditLog;
    }

    /**
     * The audit index and the indexer that fills it from this instance's files, run with Camel; null when the index is
     * off ({@code gateway.audit.index.enabled=false}).
     *
     * @param status this instance's status (JSON), written to the index every few seconds
     */
    public static AuditIndexer bindIndex(CamelContext camelContext, Settings settings, Supplier<String> status)
            throws Exception {
        if (!settings.bool("gateway.audit.index.enabled")) {
            return null;
        }
        // every instance's lines in one index (gateway.audit.index.store), or a local file with a cache of 8 MB (the
        // operating system's page cache holds the rest): the index costs the gateway's heap little
        Stores.Store store = Stores.of(settings, "gateway.audit.index.store", "gateway.audit.index.dir", "audit-index",
                ";CACHE_SIZE=8192");
        AuditIndex index = new AuditIndex(store.dataSource(), store.shared(), store.where(),
                settings.text("gateway.audit.index.table"),
                (int) settings.positive("gateway.audit.index.pool-size"),
                Duration.ofMillis(settings.positive("gateway.dedup.jdbc.connect-timeout-ms")));
        ClosedWithCamel.register(camelContext, "the audit index", index);
        AuditIndexer indexer = new AuditIndexer(index, Path.of(settings.text("gateway.audit.dir")),
                settings.instance(), (int) settings.positive("gateway.audit.index.batch-size"),
                Duration.ofMillis(settings.positive("gateway.audit.index.interval-ms")),
                (int) settings.integer("gateway.audit.retention-days"), status, AuditBeans::machineCpuLoad,
                yieldAbove(settings),
                Duration.ofSeconds(settings.positive("gateway.audit.index.max-delay-seconds")), Clock.systemUTC());
        // the indexer stops before the index closes: services stop in the reverse order of their adding
        camelContext.addService(indexer);
        LOG.info("Audit index: the audit lines copied behind the request path to {} (table {}), searched by "
                + "/api/events on the management port", store.where(), settings.text("gateway.audit.index.table"));
        return indexer;
    }

    /** gateway.audit.index.yield-above-cpu-percent, as a fraction. */
    private static double yieldAbove(Settings settings) {
        long percent = settings.integer("gateway.audit.index.yield-above-cpu-percent");
        if (percent < 0 || percent > 100) {
            throw new IllegalStateException("gateway.audit.index.yield-above-cpu-percent must be 0 to 100 (100: never "
                    + "wait), got " + percent);
        }
        return percent / 100.0;
    }

    /** The machine's CPU load since the last call, 0 to 1, as the JVM reads it; negative where it cannot. */
    private static double machineCpuLoad() {
        try {
            return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                    ? os.getCpuLoad() : -1;
        } catch (LinkageError notInThisRuntime) {
            // a runtime (or an OSGi framework) that does not give com.sun.management: never wait
            return -1;
        }
    }
}
