package io.cssgateway.dedup;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cssgateway.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The seen-set that several gateway instances share (gateway.dedup.store=jdbc): camel-sql's
 * {@link JdbcMessageIdRepository} on PostgreSQL, with what it lacks for this use.
 * <ul>
 * <li>A concurrent insert of one identity by two instances leaves one row ({@code INSERT ... ON CONFLICT DO NOTHING},
 * one statement) instead of a duplicate-key error.</li>
 * <li>The identities handed on are written behind the answer, by one thread, in batches (one statement for all that
 * came while the last one ran, at most one statement every 10 ms): no callback waits for them. An identity reaches
 * the other instances within tens of milliseconds after the answer (the provider's retries come a minute apart); one
 * lost to a crash costs a duplicate at most.</li>
 * <li>Entries older than the retention are deleted on a schedule, in batches, by every instance (the deletes are
 * idempotent); the row's time is the database's, so that instances' clocks do not matter.</li>
 * <li>A bounded in-memory front ({@link RecentIdentities}) holds the newest identities of every instance: its own, and
 * the others' as PostgreSQL notifies them (each batch written is also a {@code pg_notify} on the channel named like the
 * table, in the same statement; every instance {@code LISTEN}s on a connection of its own). While it listens, and
 * has loaded the identities recorded within the memory window, a new identity is answered from memory, without a
 * query: nothing recorded by any instance within the window is missing from it. The database is asked only for what
 * memory cannot know: after the start until the load is done, while the listening connection is lost, and while the
 * front has forgotten identities learned within the window (more than its capacity came within it).</li>
 * </ul>
 * The table (with an index on the time, for the expiry) is created at start if absent; a connection that cannot be made
 * at start stops the start with the reason. Later, while the database cannot be reached, events are handed on
 * unchecked (at most a duplicate, never a loss nor a 503), requests try it again once a second at most rather than
 * each waiting for a connection, and one line says so per change.
 */
public final class SharedSeenEvents extends JdbcMessageIdRepository {

    private static final Logger LOG = LoggerFactory.getLogger(SharedSeenEvents.class);
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final int EXPIRY_BATCH = 10_000;
    private static final int WRITE_BATCH = 1_000;
    private static final int WRITE_QUEUE = 100_000;
    private static final long WRITE_PAUSE_MS = 10;
    // PostgreSQL's limit on a notification's payload is 8000 bytes
    private static final int NOTIFY_PAYLOAD_BYTES = 7_900;
    private static final int LISTEN_POLL_MS = 500;
    // the listening connection runs a query after this long without a notification, to find out that it was lost
    private static final long LISTEN_PROBE_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** Where and how: the JDBC URL (jdbc:postgresql://...), login, pool size and connection timeout. */
    public record Database(String url, String username, String password, int poolSize, Duration connectTimeout) {
    }

    private final Database database;
    private final Duration retention;
    private final Duration expiryInterval;
    private final long memoryWindowNanos;
    private final RecentIdentities front;
    private final String channel;
    // in each notification after the processor name, so that the listener passes over its own instance's
    private final String sender = UUID.randomUUID().toString();
    // the listener has loaded the window's identities and has listened since, without a gap
    private volatile boolean inStep;
    private volatile Thread listener;
    private final AtomicLong databaseChecks = new AtomicLong();
    private volatile HikariDataSource pool;
    private ScheduledExecutorService expiry;
    private final BlockingQueue<String> toWrite = new LinkedBlockingQueue<>(WRITE_QUEUE);
    // identities added and not yet written (queued, or in the batch being written)
    private final AtomicLong unwritten = new AtomicLong();
    private volatile Thread writer;
    private String insertAllString;
    private String loadString;
    private String expireString;
    private volatile boolean reachable = true;
    // while the database cannot be reached, requests skip it until this System.nanoTime(), instead of each waiting
    // for a connection that does not come
    private volatile long nextTry;
    private Tracing tracing = Tracing.off();

    /**
     * {@code memoryWindow}: a new identity is answered from memory while memory holds every identity recorded within
     * it (zero: the database is asked for every new identity).
     */
    public SharedSeenEvents(Database database, String table, String processorName, Duration retention,
            Duration expiryInterval, Duration memoryWindow, int frontCapacity) {
        if (!database.url().startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("gateway.dedup.jdbc.url must be a PostgreSQL JDBC URL "
                    + "(jdbc:postgresql://host:5432/database), got '" + database.url() + "'");
        }
        if (!TABLE_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("gateway.dedup.jdbc.table must be a plain SQL name (letters, digits, _), "
                    + "got '" + table + "'");
        }
        if (retention.isNegative() || retention.isZero() || expiryInterval.isNegative() || expiryInterval.isZero()) {
            throw new IllegalArgumentException("the de-duplication retention and expiry interval must be positive");
        }
        if (memoryWindow.isNegative() || memoryWindow.compareTo(retention) > 0) {
            throw new IllegalArgumentException("gateway.dedup.jdbc.memory-window-seconds must be between 0 and "
                    + "gateway.dedup.retention-seconds (" + retention.toSeconds() + "), got " + memoryWindow.toSeconds());
        }
        this.database = database;
        this.retention = retention;
        this.expiryInterval = expiryInterval;
        this.memoryWindowNanos = memoryWindow.toNanos();
        this.front = new RecentIdentities(frontCapacity);
        this.channel = table.toLowerCase(Locale.ROOT);
        setTableName(table);
        setProcessorName(processorName);
        // created below with its index, by CREATE ... IF NOT EXISTS (two instances may start at once)
        setCreateTableIfNotExists(false);
    }

    /** With tracing on, each query of {@link #contains} is a span (database client, semantic conventions). */
    void trace(Tracing tracing) {
        this.tracing = tracing;
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        String table = getTableName();
        setCreateString("CREATE TABLE IF NOT EXISTS " + table + " (processorName VARCHAR(255) NOT NULL, "
                + "messageId VARCHAR(512) NOT NULL, createdAt TIMESTAMP NOT NULL DEFAULT now(), "
                + "PRIMARY KEY (processorName, messageId))");
        setQueryString("SELECT COUNT(*) FROM " + table + " WHERE processorName = ? AND messageId = ?");
        expireString = "DELETE FROM " + table + " WHERE processorName = ? AND messageId IN (SELECT messageId FROM "
                + table + " WHERE processorName = ? AND createdAt < now() - make_interval(secs => ?) LIMIT "
                + EXPIRY_BATCH + ")";
        // the insert and its notifications in one statement, so one transaction: the others learn what was written
        insertAllString = "WITH added AS (INSERT INTO " + table + " (processorName, messageId, createdAt) "
                + "SELECT ?, identity, now() FROM unnest(?::varchar[]) AS identity ON CONFLICT DO NOTHING) "
                + "SELECT pg_notify(?, payload) FROM unnest(?::text[]) AS payload";
        loadString = "SELECT messageId FROM " + table + " WHERE processorName = ? "
                + "AND createdAt > now() - make_interval(secs => ?) ORDER BY createdAt DESC LIMIT ?";
    }

    @Override
    protected void doStart() throws Exception {
        HikariConfig config = new HikariConfig();
        // the driver's own DataSource, not DriverManager: it works the same inside an OSGi bundle
        PGSimpleDataSource driver = new PGSimpleDataSource();
        driver.setURL(database.url());
        config.setDataSource(driver);
        config.setUsername(database.username());
        config.setPassword(database.password());
        config.setMaximumPoolSize(database.poolSize());
        config.setConnectionTimeout(database.connectTimeout().toMillis());
        config.setPoolName("css-gateway-dedup");
        // an identity lost in a crash of the database costs a duplicate at most: no wait for the WAL on each insert
        // (bench/README.md, scale-out: a new event's check and add at a third of the database's ceiling, p50 0.13 ms
        // and p99 0.28-0.32 ms without the wait, 0.23-0.25 ms and 0.71-0.94 ms with it)
        config.setConnectionInitSql("SET synchronous_commit = off");
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the shared de-duplication store at " + database.url()
                    + " cannot be reached (gateway.dedup.jdbc.url, .username, .password): " + rootMessage(e), e);
        }
        setJdbcTemplate(new JdbcTemplate(pool));
        setTransactionTemplate(createTransactionTemplate(pool));
        createSchema();
        super.doStart();
        expiry = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "css-gateway-dedup-expiry");
            thread.setDaemon(true);
            return thread;
        });
        long every = expiryInterval.toMillis();
        expiry.scheduleWithFixedDelay(this::expireQuietly, every, every, TimeUnit.MILLISECONDS);
        Thread thread = new Thread(this::writeBehind, "css-gateway-dedup-writer");
        thread.setDaemon(true);
        writer = thread;
        thread.start();
        if (memoryWindowNanos > 0) {
            Thread listening = new Thread(this::listen, "css-gateway-dedup-listener");
            listening.setDaemon(true);
            listener = listening;
            listening.start();
        }
        LOG.info("De-duplication: shared in {} table {} (as '{}'), entries kept {}, new events answered from memory "
                + "while it holds every identity of the last {}", database.url(), getTableName(), getProcessorName(),
                retention, Duration.ofNanos(memoryWindowNanos));
    }

    private void createSchema() {
        String table = getTableName();
        try {
            jdbcTemplate.execute(getCreateString());
            jdbcTemplate.execute("CREATE INDEX IF NOT EXISTS " + table + "_createdat ON " + table + " (createdAt)");
        } catch (DataAccessException e) {
            // another instance creating it at the same moment loses nothing: the table is there either way
            try {
                jdbcTemplate.execute(getTableExistsString());
            } catch (DataAccessException missing) {
                throw new IllegalStateException("the de-duplication table " + table + " could not be created in "
                        + database.url() + " (the login needs CREATE on its schema, or create it as docs/scaling-out.md "
                        + "shows): " + rootMessage(e), e);
            }
        }
    }

    @Override
    protected void doStop() throws Exception {
        Thread stopping = writer;
        writer = null;
        Thread listening = listener;
        listener = null;
        inStep = false;
        // a stop from an interrupted thread (Karaf's bundle:stop, a timed-out shutdown) still writes what is queued,
        // which the interrupt would fail, and ends every thread of the store; the interrupt is given back at the end
        boolean interrupted = Thread.interrupted();
        try {
            if (stopping != null) {
                try {
                    stopping.join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            // what came after the writer's last batch
            writeQueued();
            if (listening != null) {
                try {
                    listening.join(TimeUnit.SECONDS.toMillis(2));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (expiry != null) {
                expiry.shutdownNow();
                expiry = null;
            }
            if (pool != null) {
                pool.close();
                pool = null;
            }
            super.doStop();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Seen by any instance within the retention: answered from memory when it holds the identity, or when it holds
     * every identity recorded within the memory window; otherwise the database is asked.
     */
    @Override
    public boolean contains(String identity) {
        RecentIdentities.Answer answer = front.answer(identity, System.nanoTime(), memoryWindowNanos);
        if (answer == RecentIdentities.Answer.SEEN) {
            return true;
        }
        if (answer == RecentIdentities.Answer.NOT_SEEN && inStep) {
            return false;
        }
        if (skipDatabase()) {
            return false;
        }
        databaseChecks.incrementAndGet();
        Span query = databaseSpan();
        try {
            boolean seen = queryForInt(identity) > 0;
            markReachable();
            if (seen) {
                front.add(identity, System.nanoTime());
            }
            Tracing.end(query, null);
            return seen;
        } catch (DataAccessException e) {
            Tracing.end(query, e);
            markUnreachable(e);
            return false;
        }
    }

    /** The span of one query (within the de-duplication's), or null with tracing off. */
    private Span databaseSpan() {
        Span span = tracing.startWithinCurrent("SELECT " + getTableName(), SpanKind.CLIENT);
        if (span != null) {
            URI server = URI.create(database.url().substring("jdbc:".length()));
            span.setAttribute("db.system.name", "postgresql");
            span.setAttribute("db.operation.name", "SELECT");
            span.setAttribute("db.collection.name", getTableName());
            span.setAttribute("db.namespace", server.getPath().replaceFirst("^/", ""));
            span.setAttribute("db.query.text", getQueryString());
            span.setAttribute("server.address", String.valueOf(server.getHost()));
            span.setAttribute("server.port", server.getPort() < 0 ? 5432 : server.getPort());
        }
        return span;
    }

    /**
     * Remembers an identity whose event is handed on: at once in memory, and in the table behind the answer. False when
     * this instance had it already (Camel's idempotent consumer, not eager, does not use the answer).
     */
    @Override
    public boolean add(String identity) {
        if (!front.add(identity, System.nanoTime())) {
            return false;
        }
        unwritten.incrementAndGet();
        if (!toWrite.offer(identity)) {
            // the database has not kept up with WRITE_QUEUE identities: this caller writes its own
            write(List.of(identity));
        }
        return true;
    }

    /** Waits until every identity added so far is in the table (or was given up on with the database away). */
    public void flush() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (unwritten.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    private void writeBehind() {
        List<String> batch = new ArrayList<>(WRITE_BATCH);
        while (writer == Thread.currentThread()) {
            try {
                String first = toWrite.poll(100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    toWrite.drainTo(batch, WRITE_BATCH - 1);
                    write(batch);
                    if (batch.size() < WRITE_BATCH) {
                        // fewer, larger statements (and notifications to every instance): the database, the
                        // instances' listeners and this thread wake up at most every WRITE_PAUSE_MS
                        Thread.sleep(WRITE_PAUSE_MS);
                    }
                    batch.clear();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void writeQueued() {
        List<String> batch = new ArrayList<>(WRITE_BATCH);
        while (toWrite.drainTo(batch, WRITE_BATCH) > 0) {
            write(batch);
            batch.clear();
        }
    }

    /** One statement for the batch; while the database cannot be used, the batch is given up (duplicates at most). */
    private void write(List<String> identities) {
        try {
            if (!skipDatabase() && pool != null) {
                insertAll(identities);
                markReachable();
            }
        } catch (DataAccessException e) {
            markUnreachable(e);
        } finally {
            unwritten.addAndGet(-identities.size());
        }
    }

    private void insertAll(List<String> identities) {
        jdbcTemplate.execute((ConnectionCallback<Boolean>) connection -> {
            try (PreparedStatement insert = connection.prepareStatement(insertAllString)) {
                insert.setString(1, getProcessorName());
                insert.setArray(2, connection.createArrayOf("varchar", identities.toArray()));
                insert.setString(3, channel);
                insert.setArray(4, connection.createArrayOf("text",
                        payloads(getProcessorName() + "\n" + sender, identities).toArray()));
                return insert.execute();
            }
        });
    }

    /**
     * The notifications of a batch: each the header (processor name and sender, a line each), then identities, one per
     * line, within PostgreSQL's payload limit.
     */
    static List<String> payloads(String header, List<String> identities) {
        List<String> payloads = new ArrayList<>();
        StringBuilder payload = new StringBuilder(header);
        int bytes = utf8Length(header);
        for (String identity : identities) {
            int length = 1 + utf8Length(identity);
            if (bytes + length > NOTIFY_PAYLOAD_BYTES && payload.length() > header.length()) {
                payloads.add(payload.toString());
                payload.setLength(0);
                payload.append(header);
                bytes = utf8Length(header);
            }
            payload.append('\n').append(identity);
            bytes += length;
        }
        if (payload.length() > header.length()) {
            payloads.add(payload.toString());
        }
        return payloads;
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * The listener's thread: listens on a connection of its own, loads the identities recorded within the window, then
     * learns each batch any instance writes; when the connection is lost, memory stops answering new identities until
     * it has listened and loaded again.
     */
    private void listen() {
        PGSimpleDataSource driver = new PGSimpleDataSource();
        driver.setURL(database.url());
        // a connection that went silently away is found by the probe's query within this many seconds
        driver.setSocketTimeout(10);
        // as the database's sessions list it
        driver.setApplicationName("css-gateway-dedup-listener " + channel);
        driver.setConnectTimeout((int) Math.max(1, database.connectTimeout().toSeconds()));
        boolean lost = false;
        while (listener == Thread.currentThread()) {
            try (Connection connection = driver.getConnection(database.username(), database.password())) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN \"" + channel + "\"");
                }
                int loaded = load(connection);
                inStep = true;
                LOG.info("De-duplication: {} identities of the last {} loaded{}; new events are answered from memory",
                        loaded, Duration.ofNanos(memoryWindowNanos), lost ? " after the listening connection came back" : "");
                lost = false;
                follow(connection);
            } catch (SQLException | RuntimeException e) {
                inStep = false;
                if (!lost && listener == Thread.currentThread()) {
                    lost = true;
                    LOG.warn("De-duplication: the notifications of other instances' identities cannot be received "
                            + "from {} ({}): new events are checked in the database until they can",
                            database.url(), rootMessage(e));
                }
                if (!pause(TimeUnit.SECONDS.toMillis(1))) {
                    return;
                }
            }
        }
    }

    /** The identities recorded within the window, newest first, up to the front's capacity; returns how many. */
    private int load(Connection connection) throws SQLException {
        List<String> newestFirst = new ArrayList<>();
        int capacity = front.capacity();
        try (PreparedStatement query = connection.prepareStatement(loadString)) {
            query.setString(1, getProcessorName());
            query.setDouble(2, memoryWindowNanos / 1e9);
            query.setInt(3, capacity);
            query.setFetchSize(10_000);
            connection.setAutoCommit(false);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    newestFirst.add(rows.getString(1));
                }
            } finally {
                connection.commit();
                connection.setAutoCommit(true);
            }
        }
        Collections.reverse(newestFirst);
        long now = System.nanoTime();
        for (String identity : newestFirst) {
            front.add(identity, now);
        }
        if (newestFirst.size() >= capacity) {
            // more were recorded within the window than memory holds: it cannot vouch for them until a window passes
            front.incompleteUpTo(now);
        }
        return newestFirst.size();
    }

    private void follow(Connection connection) throws SQLException {
        PGConnection notifications = connection.unwrap(PGConnection.class);
        String prefix = getProcessorName() + "\n";
        String own = prefix + sender + "\n";
        long quietSince = System.nanoTime();
        while (listener == Thread.currentThread()) {
            PGNotification[] received = notifications.getNotifications(LISTEN_POLL_MS);
            long now = System.nanoTime();
            if (received == null || received.length == 0) {
                if (now - quietSince > LISTEN_PROBE_NANOS) {
                    try (Statement probe = connection.createStatement()) {
                        probe.execute("SELECT 1");
                    }
                    quietSince = now;
                }
                continue;
            }
            quietSince = now;
            for (PGNotification notification : received) {
                String payload = notification.getParameter();
                if (!payload.startsWith(prefix) || payload.startsWith(own)) {
                    continue; // another deployment's, in the same table, or this instance's own
                }
                int from = payload.indexOf('\n', prefix.length()) + 1;
                if (from == 0) {
                    continue;
                }
                while (from < payload.length()) {
                    int end = payload.indexOf('\n', from);
                    if (end < 0) {
                        end = payload.length();
                    }
                    if (end > from) {
                        front.add(payload.substring(from, end), now);
                    }
                    from = end + 1;
                }
            }
        }
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** New identities this instance asked the database about, because memory could not answer. */
    public long databaseChecks() {
        return databaseChecks.get();
    }

    /** Whether new identities are answered from memory now (listening, loaded, nothing of the window forgotten). */
    public boolean answersFromMemory() {
        return inStep && front.holdsAllWithin(System.nanoTime(), memoryWindowNanos);
    }

    @Override
    public boolean remove(String identity) {
        front.remove(identity);
        return super.remove(identity);
    }

    @Override
    public void clear() {
        front.clear();
        front.incompleteUpTo(System.nanoTime());
        super.clear();
    }

    /** Identities held in memory in front of the database (the table itself is not counted on every scrape). */
    public int size() {
        return front.size();
    }

    /** Deletes the entries older than the retention, in batches; returns how many went. */
    public int expire() {
        int total = 0;
        int deleted;
        do {
            deleted = jdbcTemplate.update(expireString, getProcessorName(), getProcessorName(), (double) retention.toSeconds());
            total += deleted;
        } while (deleted == EXPIRY_BATCH);
        return total;
    }

    private void expireQuietly() {
        try {
            int deleted = expire();
            markReachable();
            if (deleted > 0) {
                LOG.debug("De-duplication: {} entries older than {} deleted", deleted, retention);
            }
        } catch (RuntimeException e) {
            markUnreachable(e);
        }
    }

    private boolean skipDatabase() {
        return !reachable && System.nanoTime() - nextTry < 0;
    }

    private void markUnreachable(Exception e) {
        nextTry = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        if (reachable) {
            reachable = false;
            LOG.warn("De-duplication store {} cannot be used ({}): events are handed on without the check "
                    + "(a retry may be published twice, nothing is lost)", database.url(), rootMessage(e));
        }
    }

    private void markReachable() {
        if (!reachable) {
            reachable = true;
            LOG.info("De-duplication store {} is back", database.url());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
