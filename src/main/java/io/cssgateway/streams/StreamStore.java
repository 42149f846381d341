package io.cssgateway.streams;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cssgateway.support.RootCause;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Where the stream states are kept, out of the heap: in PostgreSQL when the gateway shares its de-duplication there
 * (several instances: any of them answers for every stream), else in a local H2 file ({@code gateway.streams.dir}).
 * Three tables, named from one prefix, each row marked with the deployment (its exchange), so that two deployments
 * can share a database: {@code <prefix>} (a row per stream: its open sequences, since, version, last events),
 * {@code <prefix>_closed} (the closed sequences, remembered for the closed retention, keyed by a digest of their
 * stream), {@code <prefix>_meta} (the
 * version floor: the highest version of any stream forgotten, so that a stream seen again never goes back). One
 * consumer at a time writes (the single active consumer of the stream queue); any instance reads.
 */
public final class StreamStore implements AutoCloseable {

    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,40}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Long>> OPEN = new TypeReference<>() { };
    private static final TypeReference<List<AppliedJson>> APPLIED = new TypeReference<>() { };
    private static final String COLUMNS = "app, appname, stream_id, online, open_sequences, since_ms, version, "
            + "last_events";

    /** One page of online streams, and the cursor of the next (null after the last). */
    public record Page(List<StreamState> streams, Cursor next) {}

    /** Where a page ends: the last stream it gave. */
    public record Cursor(String app, String appname, String streamId) {}

    /** What one expiry removed. */
    public record Expired(int closedSequences, int offlineStreams) {}

    /** A last event as stored (JSON), the same fields as {@link StreamState.Applied}. */
    record AppliedJson(int event_type, String sequence, String message_id, long at_ms, String effect) {}

    private final HikariDataSource pool;
    private final String deployment;
    private final String streams;
    private final String closed;
    private final String meta;
    private final String where;

    /**
     * @param dataSource the driver's own DataSource (PostgreSQL's or H2's): it works the same inside an OSGi bundle
     * @param where how the store is named in messages: its URL
     * @param tablePrefix the tables' names start with it
     * @param deployment the rows of this deployment (its exchange)
     */
    public StreamStore(DataSource dataSource, String where, String tablePrefix, String deployment, int poolSize,
            Duration connectTimeout) {
        if (!TABLE_NAME.matcher(tablePrefix).matches()) {
            throw new IllegalArgumentException("gateway.streams.jdbc.table must be a plain SQL name (letters, digits, _; "
                    + "at most 41), got '" + tablePrefix + "'");
        }
        this.deployment = deployment;
        this.streams = tablePrefix;
        this.closed = tablePrefix + "_closed";
        this.meta = tablePrefix + "_meta";
        this.where = where;
        HikariConfig config = new HikariConfig();
        config.setDataSource(dataSource);
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(connectTimeout.toMillis());
        config.setPoolName("css-gateway-streams");
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the stream state store " + where + " cannot be opened: " + RootCause.message(e),
                    e);
        }
        try {
            createSchema();
        } catch (SQLException e) {
            pool.close();
            throw new IllegalStateException("the stream state tables " + streams + " could not be created in " + where
                    + " (the login needs CREATE on its schema, or create them as docs/streams.md shows): "
                    + RootCause.message(e), e);
        }
    }

    private void createSchema() throws SQLException {
        String key = "deployment VARCHAR(255) NOT NULL, app VARCHAR(255) NOT NULL, appname VARCHAR(255) NOT NULL, "
                + "stream_id VARCHAR(512) NOT NULL, ";
        try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement()) {
            sql.execute("CREATE TABLE IF NOT EXISTS " + streams + " (" + key + "online BOOLEAN NOT NULL, "
                    + "open_sequences VARCHAR(20000) NOT NULL, since_ms BIGINT NOT NULL, version BIGINT NOT NULL, "
                    + "last_events VARCHAR(20000) NOT NULL, updated_ms BIGINT NOT NULL, "
                    + "PRIMARY KEY (deployment, app, appname, stream_id))");
            sql.execute("CREATE INDEX IF NOT EXISTS " + streams + "_online ON " + streams
                    + " (deployment, online, app, appname, stream_id)");
            // a closed sequence is kept small (millions of them): its stream by a 64-bit digest of its name
            sql.execute("CREATE TABLE IF NOT EXISTS " + closed + " (deployment VARCHAR(255) NOT NULL, "
                    + "stream_hash BIGINT NOT NULL, sequence VARCHAR(255) NOT NULL, closed_ms BIGINT NOT NULL, "
                    + "PRIMARY KEY (stream_hash, sequence))");
            sql.execute("CREATE INDEX IF NOT EXISTS " + closed + "_at ON " + closed + " (deployment, closed_ms)");
            sql.execute("CREATE TABLE IF NOT EXISTS " + meta + " (deployment VARCHAR(255) NOT NULL PRIMARY KEY, "
                    + "version_floor BIGINT NOT NULL)");
        } catch (SQLException e) {
            // another instance creating them at the same moment loses nothing: the tables are there either way
            try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement()) {
                sql.executeQuery("SELECT COUNT(*) FROM " + meta + " WHERE 1 = 0").close();
            } catch (SQLException missing) {
                throw e;
            }
        }
    }

    /** The stream's state; an unseen one (offline, at the version floor) when the store has none. */
    public StreamState load(StreamKey key) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            return load(connection, key);
        }
    }

    private StreamState load(Connection connection, StreamKey key) throws SQLException {
        StreamState found = find(connection, key);
        return found != null ? found : StreamState.unseen(key, versionFloor(connection));
    }

    /** The stream's state as stored; null for a stream never seen. */
    public StreamState find(StreamKey key) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            return find(connection, key);
        }
    }

    private StreamState find(Connection connection, StreamKey key) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT " + COLUMNS + " FROM " + streams
                + " WHERE deployment = ? AND app = ? AND appname = ? AND stream_id = ?")) {
            bindKey(query, 1, key);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? state(row) : null;
            }
        }
    }

    /** Whether the sequence is remembered as closed (its interruption was seen). */
    public boolean closed(StreamKey key, String sequence) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            return closed(connection, key, sequence);
        }
    }

    private boolean closed(Connection connection, StreamKey key, String sequence) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT 1 FROM " + closed + " WHERE stream_hash = ? AND sequence = ?")) {
            query.setLong(1, streamHash(key));
            query.setString(2, sequence);
            try (ResultSet row = query.executeQuery()) {
                return row.next();
            }
        }
    }

    private long versionFloor(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT version_floor FROM " + meta
                + " WHERE deployment = ?")) {
            query.setString(1, deployment);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getLong(1) : 0;
            }
        }
    }

    /** Saves what an event did, in one transaction: the stream's row, and its sequence as closed when it closes one. */
    public void save(StreamState.Transition transition, Instant now) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                write(connection, transition, now);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    /**
     * The single consumer's own connection, its writes kept in one transaction until {@link Writer#commit}: many
     * events saved with one commit (a commit writes the database's pages, and costs more than the rest of an event;
     * bench/README.md, stream state), and its reads see what it wrote. Its methods are called by one thread at a time.
     */
    public final class Writer implements AutoCloseable {

        private Connection connection;

        private Connection connection() throws SQLException {
            if (connection == null) {
                connection = pool.getConnection();
                connection.setAutoCommit(false);
            }
            return connection;
        }

        public StreamState load(StreamKey key) throws SQLException {
            return StreamStore.this.load(connection(), key);
        }

        public boolean closed(StreamKey key, String sequence) throws SQLException {
            return StreamStore.this.closed(connection(), key, sequence);
        }

        /** Writes what an event did, in the open transaction. */
        public void write(StreamState.Transition transition, Instant now) throws SQLException {
            StreamStore.this.write(connection(), transition, now);
        }

        public void commit() throws SQLException {
            if (connection != null) {
                connection.commit();
            }
        }

        /** Drops what was written since the last commit, and the connection with it (it may be the one that broke). */
        @Override
        public void close() {
            if (connection != null) {
                try {
                    connection.rollback();
                    connection.close();
                } catch (SQLException alreadyBroken) {
                    // nothing was committed, nothing is lost
                }
                connection = null;
            }
        }
    }

    /** A writer of its own, for the stream queue's consumer. */
    public Writer writer() {
        return new Writer();
    }

    private void write(Connection connection, StreamState.Transition transition, Instant now) throws SQLException {
        StreamState after = transition.after();
        Map<String, Long> openAt = new TreeMap<>();
        after.open().forEach((sequence, at) -> openAt.put(sequence, at.toEpochMilli()));
        String openSequences = json(openAt);
        String lastEvents = json(after.lastEvents().stream().map(a -> new AppliedJson(a.eventType(),
                a.sequence(), a.messageId(), a.at().toEpochMilli(), a.effect())).toList());
        int updated;
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + streams + " SET online = ?, "
                + "open_sequences = ?, since_ms = ?, version = ?, last_events = ?, updated_ms = ? "
                + "WHERE deployment = ? AND app = ? AND appname = ? AND stream_id = ?")) {
            update.setBoolean(1, after.online());
            update.setString(2, openSequences);
            update.setLong(3, after.since().toEpochMilli());
            update.setLong(4, after.version());
            update.setString(5, lastEvents);
            update.setLong(6, now.toEpochMilli());
            bindKey(update, 7, after.stream());
            updated = update.executeUpdate();
        }
        if (updated == 0) {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + streams
                    + " (deployment, app, appname, stream_id, online, open_sequences, since_ms, version, "
                    + "last_events, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bindKey(insert, 1, after.stream());
                insert.setBoolean(5, after.online());
                insert.setString(6, openSequences);
                insert.setLong(7, after.since().toEpochMilli());
                insert.setLong(8, after.version());
                insert.setString(9, lastEvents);
                insert.setLong(10, now.toEpochMilli());
                insert.executeUpdate();
            }
        }
        long hash = streamHash(after.stream());
        for (String sequence : transition.closedSequences()) {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + closed
                    + " (deployment, stream_hash, sequence, closed_ms) SELECT ?, ?, ?, ? WHERE NOT EXISTS "
                    + "(SELECT 1 FROM " + closed + " WHERE stream_hash = ? AND sequence = ?)")) {
                insert.setString(1, deployment);
                insert.setLong(2, hash);
                insert.setString(3, sequence);
                insert.setLong(4, now.toEpochMilli());
                insert.setLong(5, hash);
                insert.setString(6, sequence);
                insert.executeUpdate();
            }
        }
    }

    /**
     * The online streams after {@code after} (null: from the first), in the order of app, appname and stream_id,
     * narrowed to an app and an appname when given.
     */
    public Page online(String app, String appname, Cursor after, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM " + streams
                + " WHERE deployment = ? AND online = TRUE");
        List<Object> parameters = new ArrayList<>(List.of(deployment));
        if (app != null) {
            sql.append(" AND app = ?");
            parameters.add(app);
        }
        if (appname != null) {
            sql.append(" AND appname = ?");
            parameters.add(appname);
        }
        if (after != null) {
            sql.append(" AND (app, appname, stream_id) > (?, ?, ?)");
            parameters.addAll(List.of(after.app(), after.appname(), after.streamId()));
        }
        sql.append(" ORDER BY app, appname, stream_id LIMIT ?");
        parameters.add(limit + 1);
        try (Connection connection = pool.getConnection();
                PreparedStatement query = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                query.setObject(i + 1, parameters.get(i));
            }
            List<StreamState> page = new ArrayList<>(limit);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    page.add(state(rows));
                }
            }
            if (page.size() <= limit) {
                return new Page(page, null);
            }
            page.remove(limit);
            StreamKey last = page.get(limit - 1).stream();
            return new Page(page, new Cursor(last.app(), last.appname(), last.streamId()));
        }
    }

    /** How many streams are online now. */
    public long onlineCount() throws SQLException {
        try (Connection connection = pool.getConnection(); PreparedStatement query = connection.prepareStatement(
                "SELECT COUNT(*) FROM " + streams + " WHERE deployment = ? AND online = TRUE")) {
            query.setString(1, deployment);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /**
     * Forgets the closed sequences closed before {@code closedBefore}, and the streams offline since before
     * {@code offlineBefore}: the version floor rises to the highest version forgotten, so that a stream seen again
     * goes on above every version it had.
     */
    public Expired expire(Instant closedBefore, Instant offlineBefore) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int sequences;
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + closed
                        + " WHERE deployment = ? AND closed_ms < ?")) {
                    delete.setString(1, deployment);
                    delete.setLong(2, closedBefore.toEpochMilli());
                    sequences = delete.executeUpdate();
                }
                long highest = 0;
                try (PreparedStatement query = connection.prepareStatement("SELECT MAX(version) FROM " + streams
                        + " WHERE deployment = ? AND online = FALSE AND updated_ms < ?")) {
                    query.setString(1, deployment);
                    query.setLong(2, offlineBefore.toEpochMilli());
                    try (ResultSet row = query.executeQuery()) {
                        row.next();
                        highest = row.getLong(1);
                    }
                }
                int offline = 0;
                if (highest > 0) {
                    raiseFloor(connection, highest);
                    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + streams
                            + " WHERE deployment = ? AND online = FALSE AND updated_ms < ?")) {
                        delete.setString(1, deployment);
                        delete.setLong(2, offlineBefore.toEpochMilli());
                        offline = delete.executeUpdate();
                    }
                }
                connection.commit();
                return new Expired(sequences, offline);
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private void raiseFloor(Connection connection, long version) throws SQLException {
        long floor = versionFloor(connection);
        if (version <= floor) {
            return;
        }
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + meta + " SET version_floor = ? "
                + "WHERE deployment = ?")) {
            update.setLong(1, version);
            update.setString(2, deployment);
            if (update.executeUpdate() == 0) {
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + meta
                        + " (deployment, version_floor) VALUES (?, ?)")) {
                    insert.setString(1, deployment);
                    insert.setLong(2, version);
                    insert.executeUpdate();
                }
            }
        }
    }

    /** The store's URL, for messages. */
    public String where() {
        return where;
    }

    @Override
    public void close() {
        pool.close();
    }

    private void bindKey(PreparedStatement statement, int first, StreamKey key) throws SQLException {
        statement.setString(first, deployment);
        statement.setString(first + 1, key.app());
        statement.setString(first + 2, key.appname());
        statement.setString(first + 3, key.streamId());
    }

    /**
     * A stream of this deployment as 64 bits (the first of SHA-256 of its names): the key of its closed sequences. Two
     * streams that shared it would share their closed sequences, which the provider makes new for every push: no
     * state would change for it.
     */
    long streamHash(StreamKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(String.join("\n", deployment, key.app(),
                    key.appname(), key.streamId()).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static StreamState state(ResultSet row) throws SQLException {
        try {
            Map<String, Instant> open = new TreeMap<>();
            JSON.readValue(row.getString("open_sequences"), OPEN)
                    .forEach((sequence, at) -> open.put(sequence, Instant.ofEpochMilli(at)));
            List<StreamState.Applied> last = JSON.readValue(row.getString("last_events"), APPLIED).stream()
                    .map(a -> new StreamState.Applied(a.event_type(), a.sequence(), a.message_id(),
                            Instant.ofEpochMilli(a.at_ms()), a.effect())).toList();
            return new StreamState(new StreamKey(row.getString("app"), row.getString("appname"),
                    row.getString("stream_id")), open, Instant.ofEpochMilli(row.getLong("since_ms")),
                    row.getLong("version"), last);
        } catch (IOException e) {
            throw new SQLException("a stream row does not read: " + e.getMessage(), e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
