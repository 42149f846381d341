package io.cssgateway.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Where a stage keeps its tables (the stream state, the audit index): in the PostgreSQL the instances share for the
 * de-duplication ({@code gateway.dedup.jdbc.*}), or in a local H2 file, one gateway's. The driver's own DataSource
 * either way: it works the same inside an OSGi bundle.
 */
public final class Stores {

    /** A store: its DataSource, its URL (for messages), and whether it is the shared PostgreSQL. */
    public record Store(DataSource dataSource, String where, boolean shared) {}

    private Stores() {}

    /**
     * The store {@code storeKey} says: {@code jdbc} (the shared PostgreSQL), {@code local} (the H2 file {@code name} in
     * the folder {@code dirKey} names, with {@code h2Options}), or {@code auto}: jdbc when the de-duplication is in
     * PostgreSQL (several instances), else local.
     */
    public static Store of(Settings settings, String storeKey, String dirKey, String name, String h2Options)
            throws IOException {
        String store = settings.text(storeKey);
        boolean shared = switch (store) {
            case "jdbc" -> true;
            case "local" -> false;
            case "auto" -> "jdbc".equals(settings.text("gateway.dedup.store"));
            default -> throw new IllegalStateException(storeKey + " must be auto, local or jdbc, got '" + store + "'");
        };
        if (shared) {
            PGSimpleDataSource postgres = new PGSimpleDataSource();
            String where = settings.text("gateway.dedup.jdbc.url");
            postgres.setURL(where);
            postgres.setUser(settings.optional("gateway.dedup.jdbc.username"));
            postgres.setPassword(settings.optional("gateway.dedup.jdbc.password"));
            // a batch of rows is one INSERT of many
            postgres.setReWriteBatchedInserts(true);
            return new Store(postgres, where, true);
        }
        Path dir = Path.of(settings.text(dirKey)).toAbsolutePath();
        Files.createDirectories(dir);
        // one file, one gateway: H2's lock refuses a second process. DB_CLOSE_ON_EXIT=FALSE: the gateway closes it as
        // Camel stops, after the last writes; H2's own JVM shutdown hook would close it while Camel is still stopping,
        // and the stream state's last batch (and its acknowledgement) was lost to "The database has been closed"
        String where = "jdbc:h2:file:" + dir.resolve(name) + ";DB_CLOSE_ON_EXIT=FALSE" + h2Options;
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(where);
        return new Store(h2, where, false);
    }
}
