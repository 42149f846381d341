package io.cssgateway.dedup;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The seen-set that several gateway instances share (gateway.dedup.store=jdbc): camel-sql's
 * {@link JdbcMessageIdRepository} on PostgreSQL, with the three things it lacks for this use.
 * <ul>
 * <li>A concurrent insert of one identity by two instances answers "already there" to the second
 * ({@code INSERT ... ON CONFLICT DO NOTHING}, one statement) instead of a duplicate-key error.</li>
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

    /** Where and how: the JDBC URL (jdbc:postgresql://...), login, pool size and connection timeout. */
    public record Database(String url, String username, String password, int poolSize, Duration connectTimeout) {
    }

    private final Database database;
    private final Duration retention;
    private final Duration expiryInterval;
    private final SeenEvents front;
    private HikariDataSource pool;
    private ScheduledExecutorService expiry;
    private volatile boolean reachable = true;
    // while the database cannot be reached, requests skip it until this System.nanoTime(), instead of each waiting
    // for a connection that does not come
    private volatile long nextTry;

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

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        String table = getTableName();
        setCreateString("CREATE TABLE IF NOT EXISTS " + table + " (processorName VARCHAR(255) NOT NULL, "
                + "messageId VARCHAR(512) NOT NULL, createdAt TIMESTAMP NOT NULL DEFAULT now(), "
                + "PRIMARY KEY (processorName, messageId))");
        setQueryString("SELECT COUNT(*) FROM " + table + " WHERE processorName = ? AND messageId = ?");
        setInsertString("INSERT INTO " + table + " (processorName, messageId, createdAt) VALUES (?, ?, now()) "
                + "ON CONFLICT DO NOTHING");
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
        if (expiry != null) {
            expiry.shutdownNow();
            expiry = null;
        }
        if (pool != null) {
            pool.close();
            pool = null;
        }
        super.doStop();
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
        try {
            boolean seen = queryForInt(identity) > 0;
            markReachable();
            if (seen) {
                front.add(identity);
            }
            return seen;
        } catch (DataAccessException e) {
            markUnreachable(e);
            return false;
        }
    }

    /** Remembers an identity whose event is handed on; false when this or another instance had it already. */
    @Override
    public boolean add(String identity) {
        if (front.contains(identity)) {
            return false;
        }
        if (skipDatabase()) {
            return true;
        }
        try {
            boolean added = insert(identity) == 1;
            markReachable();
            front.add(identity);
            return added;
        } catch (DataAccessException e) {
            // the event is handed on already: not remembering it costs a duplicate at most
            markUnreachable(e);
            return true;
        }
    }

    @Override
    protected int insert(String identity) {
        return jdbcTemplate.update(getInsertString(), getProcessorName(), identity);
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
        String table = getTableName();
        String delete = "DELETE FROM " + table + " WHERE processorName = ? AND messageId IN (SELECT messageId FROM "
                + table + " WHERE processorName = ? AND createdAt < now() - make_interval(secs => ?) LIMIT "
                + EXPIRY_BATCH + ")";
        int total = 0;
        int deleted;
        do {
            deleted = jdbcTemplate.update(delete, getProcessorName(), getProcessorName(), (double) retention.toSeconds());
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
