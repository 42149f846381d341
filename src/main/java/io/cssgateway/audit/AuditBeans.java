package io.cssgateway.audit;

import io.cssgateway.support.ClosedWithCamel;
import io.cssgateway.support.Settings;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;
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
        boolean shared = shared(settings);
        DataSource dataSource;
        String where;
        if (shared) {
            // every instance's lines in one index: the database they share for the de-duplication
            PGSimpleDataSource postgres = new PGSimpleDataSource();
            where = settings.text("gateway.dedup.jdbc.url");
            postgres.setURL(where);
            postgres.setUser(settings.optional("gateway.dedup.jdbc.username"));
            postgres.setPassword(settings.optional("gateway.dedup.jdbc.password"));
            // a batch of lines is one INSERT of many rows
            postgres.setReWriteBatchedInserts(true);
            dataSource = postgres;
        } else {
            Path dir = Path.of(settings.text("gateway.audit.index.dir")).toAbsolutePath();
            Files.createDirectories(dir);
            // one file, one gateway: H2's lock refuses a second process; a cache of 8 MB (the operating system's
            // page cache holds the rest): the index costs the gateway's heap little
            where = "jdbc:h2:file:" + dir.resolve("audit-index") + ";CACHE_SIZE=8192";
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(where);
            dataSource = h2;
        }
        AuditIndex index = new AuditIndex(dataSource, shared, where, settings.text("gateway.audit.index.table"),
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
                + "/api/events on the management port", where, settings.text("gateway.audit.index.table"));
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

    /**
     * gateway.audit.index.store: jdbc (PostgreSQL, gateway.dedup.jdbc.*), local (an H2 file), or auto: jdbc when the
     * de-duplication is in PostgreSQL (several instances), else local.
     */
    private static boolean shared(Settings settings) {
        String store = settings.text("gateway.audit.index.store");
        return switch (store) {
            case "jdbc" -> true;
            case "local" -> false;
            case "auto" -> "jdbc".equals(settings.text("gateway.dedup.store"));
            default -> throw new IllegalStateException("gateway.audit.index.store must be auto, local or jdbc, got '"
                    + store + "'");
        };
    }
}
