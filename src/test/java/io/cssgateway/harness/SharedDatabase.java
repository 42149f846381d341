package io.cssgateway.harness;

import io.cssgateway.dedup.SharedSeenEvents;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The real PostgreSQL the integration tests share (127.0.0.1:5432, database test, user postgres, trust; override with
 * -Dtest.postgresql.url): each test names its own table and drops it.
 */
public final class SharedDatabase {

    public static final String URL = System.getProperty("test.postgresql.url", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = System.getProperty("test.postgresql.user", "postgres");

    private SharedDatabase() {
    }

    public static SharedSeenEvents.Database database() {
        return new SharedSeenEvents.Database(URL, USER, "", 4, Duration.ofSeconds(2));
    }

    /** A table name no other run uses. */
    public static String uniqueTable(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    public static void execute(String sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public static long count(String table) {
        return single("SELECT COUNT(*) FROM " + table);
    }

    public static long single(String sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public static List<String> indexes(String table) {
        List<String> names = new ArrayList<>();
        try (Connection connection = connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT indexname FROM pg_indexes WHERE tablename = '" + table.toLowerCase() + "'")) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
            return names;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void drop(String table) {
        execute("DROP TABLE IF EXISTS " + table);
    }

    /** Drops the stream state's three tables of this prefix ({@code gateway.streams.jdbc.table}). */
    public static void dropStreamTables(String prefix) {
        for (String table : new String[] {prefix, prefix + "_closed", prefix + "_meta"}) {
            drop(table);
        }
    }

    /** The audit index's tables (its day partitions go with the first) and its sequence. */
    public static void dropAuditIndex(String prefix) {
        for (String table : new String[] {prefix, prefix + "_files", prefix + "_instances"}) {
            execute("DROP TABLE IF EXISTS " + table + " CASCADE");
        }
        execute("DROP SEQUENCE IF EXISTS " + prefix + "_id");
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(URL, USER, "");
    }
}
