package io.cssgateway.audit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cssgateway.support.RootCause;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The audit lines of every instance, searchable: the same lines as the audit files (which stay what {@code replay}
 * reads), copied behind the request path by {@link AuditIndexer}. In PostgreSQL when the site shares its
 * de-duplication there (every instance writes its lines, any instance answers for all), partitioned by UTC day so that
 * the retention drops a day's partition whole; else in a local H2 file (one instance). Three tables named from one
 * prefix: {@code <prefix>} (one row per line: its searchable fields and the line itself), {@code <prefix>_files}
 * (how far each audit folder's files are indexed: committed with the rows, so that a line is indexed once, after any
 * crash) and {@code <prefix>_instances} (each instance's last status: spool, RabbitMQ). docs/events-api.md says why.
 */
public final class AuditIndex implements AutoCloseable {

    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,40}");
    /** The verdicts a search may name; written into the SQL as literals (the partial index needs them so). */
    public static final Set<String> VERDICTS = Set.of(AuditLine.ACCEPTED, AuditLine.DUPLICATE, AuditLine.REJECTED);
    private static final String COLUMNS = "id, at_ms, instance, remote_addr, http_status, verdict, reason, event_id, "
            + "event_type, event, stream_id, app, errcode, routing_key, tenant";

    /** One audit line as indexed: its fields; {@code line} the whole line, when asked for. */
    public record Row(long id, long atMs, String instance, String remoteAddr, Integer httpStatus, String verdict,
            String reason, String eventId, Integer eventType, String event, String streamId, String app,
            Integer errcode, String routingKey, String tenant, String line) {}

    /** A line to index: its fields, the line, and where it is in its instance's files. */
    public record NewLine(long atMs, String instance, String remoteAddr, Integer httpStatus, String verdict,
            String reason, String eventId, Integer eventType, String event, String streamId, String app,
            Integer errcode, String routingKey, String tenant, String line) {}

    /** What a search asks for; a null field does not narrow. {@code routingKeyRegex} as
     * {@code TopicPattern.regex} makes it. */
    public record Search(Instant from, Instant to, String streamId, String app, String tenant, Integer eventType,
            String verdict, String reason, String routingKeyRegex) {
        public Search {
            if (verdict != null && !VERDICTS.contains(verdict)) {
                throw new IllegalArgumentException("verdict must be one of " + VERDICTS + ", got '" + verdict + "'");
            }
        }
    }

    /** Where a page ends: the last line it gave (newest first). */
    public record Cursor(long atMs, long id) {}

    /** One page, and the cursor of the next (null after the last). */
    public record Page(List<Row> rows, Cursor next) {}

    /** Refusals counted since a time: by reason, and by source address (the most frequent first). */
    public record Refusals(long total, Map<String, Long> byReason, Map<String, Long> bySource) {}

    /** An instance's last status, as it wrote it (JSON), and when. */
    public record InstanceStatus(String instance, long seenMs, String status) {}

    private final HikariDataSource pool;
    private final boolean postgres;
    private final String lines;
    private final String files;
    private final String instances;
    private final String where;
    private final Set<LocalDate> partitions = ConcurrentHashMap.newKeySet();

    /**
     * @param dataSource the driver's own DataSource (PostgreSQL's or H2's)
     * @param postgres PostgreSQL (partitioned by day) rather than H2
     * @param where how the index is named in messages: its URL
     */
    public AuditIndex(DataSource dataSource, boolean postgres, String where, String tablePrefix, int poolSize,
            Duration connectTimeout) {
        if (!TABLE_NAME.matcher(tablePrefix).matches()) {
            throw new IllegalArgumentException("gateway.audit.index.table must be a plain SQL name (letters, digits, "
                    + "_; at most 41), got '" + tablePrefix + "'");
        }
        this.postgres = postgres;
        this.lines = tablePrefix;
        this.files = tablePrefix + "_files";
        this.instances = tablePrefix + "_instances";
        this.where = where;
        HikariConfig config = new HikariConfig();
        config.setDataSource(dataSource);
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(connectTimeout.toMillis());
        config.setPoolName("css-gateway-audit-index");
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the audit index " + where + " cannot be opened: " + RootCause.message(e),
                    e);
        }
        try {
            createSchema();
        } catch (SQLException e) {
            pool.close();
            throw new IllegalStateException("the audit index tables " + lines + " could not be created in " + where
                    + " (the login needs CREATE on its schema, or create them as docs/events-api.md shows): "
                    + RootCause.message(e), e);
        }
    }

    /** The tables as docs/events-api.md shows them: the statements, in order, for this store. */
    public List<String> schema() {
        String text = postgres ? "TEXT" : "VARCHAR";
        String name = postgres ? "TEXT" : "VARCHAR(1024)";
        String id = postgres ? "id BIGINT NOT NULL DEFAULT nextval('" + lines + "_id')" : "id BIGINT NOT NULL "
                + "GENERATED BY DEFAULT AS IDENTITY";
        List<String> statements = new ArrayList<>();
        if (postgres) {
            statements.add("CREATE SEQUENCE IF NOT EXISTS " + lines + "_id");
        }
        statements.add("CREATE TABLE IF NOT EXISTS " + lines + " (" + id + ", at_ms BIGINT NOT NULL, instance " + name
                + " NOT NULL, remote_addr " + name + ", http_status INT, verdict " + name + ", reason " + name
                + ", event_id " + name + ", event_type INT, event " + name + ", stream_id " + name + ", app " + name
                + ", errcode INT, routing_key " + name + ", tenant " + name + ", line " + text + " NOT NULL, PRIMARY KEY "
                + (postgres ? "(at_ms, id)) PARTITION BY RANGE (at_ms)" : "(id))"));
        // a table of a version before tenants (issue 33) gains the column; PostgreSQL adds it to every partition
        statements.add("ALTER TABLE " + lines + " ADD COLUMN IF NOT EXISTS tenant " + name);
        // newest first, all lines; one stream's; one identity's; the refusals and duplicates (few among many)
        statements.add("CREATE INDEX IF NOT EXISTS " + lines + "_at ON " + lines + " (at_ms, id)");
        statements.add("CREATE INDEX IF NOT EXISTS " + lines + "_stream ON " + lines + " (stream_id, at_ms, id)");
        statements.add("CREATE INDEX IF NOT EXISTS " + lines + "_event ON " + lines + " (event_id)");
        statements.add("CREATE INDEX IF NOT EXISTS " + lines + "_refused ON " + lines + " (verdict, at_ms, id)"
                + (postgres ? " WHERE verdict IN ('" + AuditLine.DUPLICATE + "', '" + AuditLine.REJECTED + "')" : ""));
        statements.add("CREATE TABLE IF NOT EXISTS " + files + " (source " + name + " NOT NULL, file " + name
                + " NOT NULL, indexed_bytes BIGINT NOT NULL, day_ms BIGINT NOT NULL, PRIMARY KEY (source, file))");
        statements.add("CREATE TABLE IF NOT EXISTS " + instances + " (instance " + name + " NOT NULL PRIMARY KEY, "
                + "seen_ms BIGINT NOT NULL, status " + text + " NOT NULL)");
        return statements;
    }

    private void createSchema() throws SQLException {
        try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement()) {
            for (String statement : schema()) {
                sql.execute(statement);
            }
        } catch (SQLException e) {
            // another instance creating them at the same moment loses nothing: the tables are there either way
            try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement()) {
                sql.executeQuery("SELECT COUNT(*) FROM " + instances + " WHERE 1 = 0").close();
            } catch (SQLException missing) {
                throw e;
            }
        }
    }

    /** How far the files of one audit folder ({@code source}: its host and path) are indexed: bytes per file name. */
    public Map<String, Long> positions(String source) throws SQLException {
        Map<String, Long> positions = new HashMap<>();
        try (Connection connection = pool.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT file, indexed_bytes FROM " + files
                        + " WHERE source = ?")) {
            select.setString(1, source);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    positions.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return positions;
    }

    /**
     * Adds the lines and moves the files' positions, in one transaction: after a crash, the lines of a file are indexed
     * from where the last commit left them, never twice.
     *
     * @param source the audit folder the lines come from (its host and path)
     * @param positions file name to its new indexed length, and the start of its UTC day
     */
    public void add(String source, List<NewLine> newLines, Map<String, long[]> positions) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            ensurePartitions(connection, newLines);
            connection.setAutoCommit(false);
            try {
                insert(connection, newLines);
                movePositions(connection, source, positions);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                // a day's partition another instance dropped (its retention) is created again on the next try
                partitions.clear();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private void insert(Connection connection, List<NewLine> newLines) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + lines + " (at_ms, instance, "
                + "remote_addr, http_status, verdict, reason, event_id, event_type, event, stream_id, app, errcode, "
                + "routing_key, tenant, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (NewLine line : newLines) {
                insert.setLong(1, line.atMs());
                insert.setString(2, line.instance());
                insert.setString(3, line.remoteAddr());
                setInteger(insert, 4, line.httpStatus());
                insert.setString(5, line.verdict());
                insert.setString(6, line.reason());
                insert.setString(7, line.eventId());
                setInteger(insert, 8, line.eventType());
                insert.setString(9, line.event());
                insert.setString(10, line.streamId());
                insert.setString(11, line.app());
                setInteger(insert, 12, line.errcode());
                insert.setString(13, line.routingKey());
                insert.setString(14, line.tenant());
                insert.setString(15, line.line());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private void movePositions(Connection connection, String source, Map<String, long[]> positions)
            throws SQLException {
        String upsert = postgres
                ? "INSERT INTO " + files + " (source, file, indexed_bytes, day_ms) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (source, file) DO UPDATE SET indexed_bytes = EXCLUDED.indexed_bytes"
                : "MERGE INTO " + files + " (source, file, indexed_bytes, day_ms) KEY (source, file) "
                        + "VALUES (?, ?, ?, ?)";
        try (PreparedStatement move = connection.prepareStatement(upsert)) {
            for (Map.Entry<String, long[]> position : positions.entrySet()) {
                move.setString(1, source);
                move.setString(2, position.getKey());
                move.setLong(3, position.getValue()[0]);
                move.setLong(4, position.getValue()[1]);
                move.addBatch();
            }
            move.executeBatch();
        }
    }

    /** PostgreSQL: the day partitions the lines fall in, created once (by whichever instance comes first). */
    private void ensurePartitions(Connection connection, Collection<NewLine> newLines) throws SQLException {
        if (!postgres) {
            return;
        }
        for (NewLine line : newLines) {
            LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(line.atMs()), ZoneOffset.UTC);
            if (partitions.contains(day)) {
                continue;
            }
            try (Statement sql = connection.createStatement()) {
                sql.execute("CREATE TABLE IF NOT EXISTS " + partition(day) + " PARTITION OF " + lines
                        + " FOR VALUES FROM (" + startMs(day) + ") TO (" + startMs(day.plusDays(1)) + ")");
            } catch (SQLException raced) {
                // another instance created it between IF NOT EXISTS and CREATE: there it is all the same
                if (!partitionExists(connection, day)) {
                    throw raced;
                }
            }
            partitions.add(day);
        }
    }

    private boolean partitionExists(Connection connection, LocalDate day) throws SQLException {
        try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, partition(day));
            try (ResultSet row = exists.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    private String partition(LocalDate day) {
        return lines + "_" + day.toString().replace("-", "");
    }

    private static long startMs(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    /** Writes this instance's status (JSON), replacing the last. */
    public void status(String instance, long nowMs, String status) throws SQLException {
        String upsert = postgres
                ? "INSERT INTO " + instances + " (instance, seen_ms, status) VALUES (?, ?, ?) ON CONFLICT (instance) "
                        + "DO UPDATE SET seen_ms = EXCLUDED.seen_ms, status = EXCLUDED.status"
                : "MERGE INTO " + instances + " (instance, seen_ms, status) KEY (instance) VALUES (?, ?, ?)";
        try (Connection connection = pool.getConnection(); PreparedStatement write = connection.prepareStatement(upsert)) {
            write.setString(1, instance);
            write.setLong(2, nowMs);
            write.setString(3, status);
            write.executeUpdate();
        }
    }

    /** Every instance's last status, those seen since {@code sinceMs}, by name. */
    public List<InstanceStatus> statuses(long sinceMs) throws SQLException {
        List<InstanceStatus> found = new ArrayList<>();
        try (Connection connection = pool.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT instance, seen_ms, status FROM "
                        + instances + " WHERE seen_ms >= ? ORDER BY instance")) {
            select.setLong(1, sinceMs);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    found.add(new InstanceStatus(rows.getString(1), rows.getLong(2), rows.getString(3)));
                }
            }
        }
        return found;
    }

    /** The lines the search selects, newest first, after {@code cursor} (null: from the newest), at most {@code limit}. */
    public Page search(Search search, Cursor cursor, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM ").append(lines)
                .append(" WHERE 1 = 1");
        List<Object> values = new ArrayList<>();
        if (search.from() != null) {
            sql.append(" AND at_ms >= ?");
            values.add(search.from().toEpochMilli());
        }
        if (search.to() != null) {
            sql.append(" AND at_ms < ?");
            values.add(search.to().toEpochMilli());
        }
        narrow(sql, values, "stream_id", search.streamId());
        narrow(sql, values, "app", search.app());
        narrow(sql, values, "tenant", search.tenant());
        narrow(sql, values, "event_type", search.eventType());
        narrow(sql, values, "reason", search.reason());
        if (search.verdict() != null) {
            // a literal from a fixed set (checked by Search), so that PostgreSQL plans with the partial index
            sql.append(" AND verdict = '").append(search.verdict()).append('\'');
        }
        if (search.routingKeyRegex() != null) {
            sql.append(postgres ? " AND routing_key ~ ?" : " AND REGEXP_LIKE(routing_key, ?)");
            values.add(search.routingKeyRegex());
        }
        if (cursor != null) {
            sql.append(" AND (at_ms, id) < (?, ?)");
            values.add(cursor.atMs());
            values.add(cursor.id());
        }
        sql.append(" ORDER BY at_ms DESC, id DESC LIMIT ?");
        values.add(limit + 1);
        List<Row> rows = query(sql.toString(), values, false);
        Cursor next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            Row last = rows.get(limit - 1);
            next = new Cursor(last.atMs(), last.id());
        }
        return new Page(List.copyOf(rows), next);
    }

    /** Every line of one identity (the first acceptance, duplicates, refusals of the same body), oldest first. */
    public List<Row> event(String eventId) throws SQLException {
        return query("SELECT " + COLUMNS + ", line FROM " + lines + " WHERE event_id = ? ORDER BY at_ms, id",
                List.of(eventId), true);
    }

    /** The refusals since {@code since}: by reason, and by source address (the {@code topSources} most frequent). */
    public Refusals refusals(Instant since, int topSources) throws SQLException {
        String refused = " FROM " + lines + " WHERE verdict = '" + AuditLine.REJECTED + "' AND at_ms >= ?";
        Map<String, Long> byReason = counts("SELECT reason, COUNT(*) AS n" + refused
                + " GROUP BY reason ORDER BY n DESC, reason", since, Integer.MAX_VALUE);
        Map<String, Long> bySource = counts("SELECT remote_addr, COUNT(*) AS n" + refused
                + " GROUP BY remote_addr ORDER BY n DESC, remote_addr", since, topSources);
        return new Refusals(byReason.values().stream().mapToLong(Long::longValue).sum(), byReason, bySource);
    }

    private Map<String, Long> counts(String sql, Instant since, int max) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection connection = pool.getConnection(); PreparedStatement select = connection.prepareStatement(sql)) {
            select.setLong(1, since.toEpochMilli());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next() && counts.size() < max) {
                    counts.put(String.valueOf(rows.getString(1)), rows.getLong(2));
                }
            }
        }
        return counts;
    }

    /**
     * Forgets the lines of days before {@code oldestKept}: PostgreSQL drops their partitions, H2 deletes them; the
     * positions of files of those days go too. Returns how many days (PostgreSQL) or lines (H2) went.
     */
    public long expire(LocalDate oldestKept) throws SQLException {
        long cutoff = startMs(oldestKept);
        long removed = 0;
        try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement()) {
            if (postgres) {
                List<String> old = new ArrayList<>();
                try (ResultSet rows = sql.executeQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON "
                        + "c.oid = i.inhrelid WHERE i.inhparent = to_regclass('" + lines + "')")) {
                    while (rows.next()) {
                        String name = rows.getString(1);
                        String day = name.substring(name.length() - 8);
                        if (name.length() == lines.length() + 9 && day.matches("\\d{8}")
                                && LocalDate.parse(day.substring(0, 4) + "-" + day.substring(4, 6) + "-"
                                        + day.substring(6)).isBefore(oldestKept)) {
                            old.add(name);
                        }
                    }
                }
                for (String name : old) {
                    sql.execute("DROP TABLE IF EXISTS " + name);
                    removed++;
                }
                partitions.removeIf(day -> day.isBefore(oldestKept));
            } else {
                removed = sql.executeUpdate("DELETE FROM " + lines + " WHERE at_ms < " + cutoff);
            }
            sql.executeUpdate("DELETE FROM " + files + " WHERE day_ms < " + cutoff);
        }
        return removed;
    }

    private static void narrow(StringBuilder sql, List<Object> values, String column, Object value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            values.add(value);
        }
    }

    private List<Row> query(String sql, List<Object> values, boolean withLine) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection connection = pool.getConnection(); PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.size(); i++) {
                select.setObject(i + 1, values.get(i));
            }
            try (ResultSet found = select.executeQuery()) {
                while (found.next()) {
                    rows.add(new Row(found.getLong(1), found.getLong(2), found.getString(3), found.getString(4),
                            integer(found, 5), found.getString(6), found.getString(7), found.getString(8),
                            integer(found, 9), found.getString(10), found.getString(11), found.getString(12),
                            integer(found, 13), found.getString(14), found.getString(15),
                            withLine ? found.getString(16) : null));
                }
            }
        }
        return rows;
    }

    private static Integer integer(ResultSet row, int column) throws SQLException {
        int value = row.getInt(column);
        return row.wasNull() ? null : value;
    }

    private static void setInteger(PreparedStatement statement, int index, Integer value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setInt(index, value);
        }
    }

    /** The index's URL, for messages. */
    public String where() {
        return where;
    }

    @Override
    public void close() {
        pool.close();
    }
}
