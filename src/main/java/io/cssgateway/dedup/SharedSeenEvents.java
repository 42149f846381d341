package io.cssgateway.dedup;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cssgateway.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.net.URI;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
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
 * came while the last one ran): the check before an event is handed on is the only query a callback waits for. An
 * identity reaches the other instances within a statement's time after the answer (the provider's retries come a
 * minute apart); one lost to a crash costs a duplicate at most.</li>
 * <li>Entries older than the retention are deleted on a schedule, in batches, by every instance (the deletes are
 * idempotent); the row's time is the database's, so that instances' clocks do not matter.</li>
 * <li>A bounded in-memory front ({@link SeenEvents}) holds the identities this instance added or found, so that the
 * hot path asks the database once per event ({@code contains}) and never twice for a retry it has seen.</li>
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

    /** Where and how: the JDBC URL (jdbc:postgresql://...), login, pool size and connection timeout. */
    public record Database(String url, String username, String password, int poolSize, Duration connectTimeout) {
    }

    private final Database database;
    private final Duration retention;
    private final Duration expiryInterval;
    private final SeenEvents front;
    private volatile HikariDataSource pool;
    private ScheduledExecutorService expiry;
    private final BlockingQueue<String> toWrite = new LinkedBlockingQueue<>(WRITE_QUEUE);
    // identities added and not yet written (queued, or in the batch being written)
    private final AtomicLong unwritten = new AtomicLong();
    private volatile Thread writer;
    private String insertAllString;
    private String expireString;
    private volatile boolean reachable = true;
    // while the database cannot be reached, requests skip it until this System.nanoTime(), instead of each waiting
    // for a connection that does not come
    private volatile long nextTry;
    private Tracing tracing = Tracing.off();

    public SharedSeenEvents(Database database, String table, String processorName, Duration retention,
            Duration expiryInterval, int frontCapacity) {
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
        this.database = database;
        this.retention = retention;
        this.expiryInterval = expiryInterval;
        this.front = new SeenEvents(frontCapacity);
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
        insertAllString = "INSERT INTO " + table + " (processorName, messageId, createdAt) SELECT ?, identity, now() "
                + "FROM unnest(?::varchar[]) AS identity ON CONFLICT DO NOTHING";
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
        LOG.info("De-duplication: shared in {} table {} (as '{}'), entries kept {}, {} in memory in front",
                database.url(), getTableName(), getProcessorName(), retention, front.size());
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

    /** Seen by this instance lately, or by any instance within the retention. */
    @Override
    public boolean contains(String identity) {
        if (front.contains(identity)) {
            return true;
        }
        if (skipDatabase()) {
            return false;
        }
        Span query = databaseSpan();
        try {
            boolean seen = queryForInt(identity) > 0;
            markReachable();
            if (seen) {
                front.add(identity);
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
        if (!front.add(identity)) {
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
        jdbcTemplate.execute((ConnectionCallback<Integer>) connection -> {
            try (PreparedStatement insert = connection.prepareStatement(insertAllString)) {
                insert.setString(1, getProcessorName());
                insert.setArray(2, connection.createArrayOf("varchar", identities.toArray()));
                return insert.executeUpdate();
            }
        });
    }

    @Override
    public boolean remove(String identity) {
        front.remove(identity);
        return super.remove(identity);
    }

    @Override
    public void clear() {
        front.clear();
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
