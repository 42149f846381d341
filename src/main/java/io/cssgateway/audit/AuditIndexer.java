package io.cssgateway.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.cssgateway.support.RootCause;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies this instance's audit lines into the {@link AuditIndex}, behind the request path: a thread of its own reads
 * what the audit files gained since its last pass (complete lines only), in batches, and commits each batch with the
 * files' new positions. The request path does nothing more than write its line, as before; the index is never ahead
 * of the files and loses nothing they hold: after a restart, or while the index's database is away, it goes on from
 * the last committed position of each file of its folder (the files of the retention's days; positions are kept by
 * host and folder, so that a new instance name does not read them again). It gives way to the callbacks: while the
 * machine is busy with other work (a burst at the gateway's saturation), it waits, up to a bound, and catches up
 * after, at half a core at most (it pauses after each batch as long as the batch took). Compressed files are not read (an operator compresses a day's file once it is indexed). Every few seconds it
 * also writes this instance's status.
 */
public final class AuditIndexer extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(AuditIndexer.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final long FAILURE_LOG_INTERVAL_MS = 60_000;
    private static final Duration STATUS_INTERVAL = Duration.ofSeconds(5);
    private static final Duration EXPIRY_INTERVAL = Duration.ofHours(1);

    private final AuditIndex index;
    private final Path dir;
    private final String instance;
    private final String source;
    private final int batchSize;
    private final Duration interval;
    private final int retentionDays;
    private final Supplier<String> status;
    private final DoubleSupplier machineCpu;
    private final double yieldAbove;
    private final Duration maxDelay;
    private final Clock clock;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final int cores = Runtime.getRuntime().availableProcessors();
    private final AtomicLong behindBytes = new AtomicLong();
    private final AtomicLong skippedLines = new AtomicLong();
    private final AtomicLong indexedLines = new AtomicLong();
    private Map<String, Long> positions;
    private ScheduledExecutorService thread;
    private long lastFailureLogged;
    private long lastStatusMs;
    private long lastExpiryMs;
    private volatile boolean stopping;
    private long deferredSinceMs;
    private long lastCheckNanos;
    private long lastThreadCpuNanos;
    private final AtomicLong deferredPasses = new AtomicLong();

    /**
     * @param retentionDays lines of days before this many days before today are not indexed, and are forgotten by the
     *     index; 0 keeps them all
     * @param status this instance's status as JSON, written every few seconds
     * @param machineCpu the machine's recent CPU load, 0 to 1 (negative when it cannot be known)
     * @param yieldAbove while the machine, the indexer's own work aside, is busier than this (0 to 1), the indexer
     *     waits, so that callbacks have the cores; 1 never waits
     * @param maxDelay how long it waits at most: past it, it indexes a batch a pass whatever the load
     */
    public AuditIndexer(AuditIndex index, Path dir, String instance, int batchSize, Duration interval,
            int retentionDays, Supplier<String> status, DoubleSupplier machineCpu, double yieldAbove,
            Duration maxDelay, Clock clock) {
        this.index = index;
        this.dir = dir;
        this.instance = instance;
        // the folder, not the instance's name: the default name changes with every start, the folder does not
        this.source = hostName() + ":" + dir.toAbsolutePath().normalize();
        this.batchSize = batchSize;
        this.interval = interval;
        this.retentionDays = retentionDays;
        this.status = status;
        this.machineCpu = machineCpu;
        this.yieldAbove = yieldAbove;
        this.maxDelay = maxDelay;
        this.clock = clock;
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException unknown) {
            return "localhost";
        }
    }

    @Override
    protected void doStart() {
        stopping = false;
        thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread indexer = new Thread(runnable, "audit-indexer");
            indexer.setDaemon(true);
            return indexer;
        });
        thread.scheduleWithFixedDelay(this::pass, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() throws InterruptedException {
        stopping = true;
        if (thread != null) {
            thread.shutdown();
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        }
    }

    /** The index it fills. */
    public AuditIndex index() {
        return index;
    }

    /** Bytes of the audit files not yet in the index, at the last pass. */
    public long behindBytes() {
        return behindBytes.get();
    }

    /** Lines indexed since the start. */
    public long indexedLines() {
        return indexedLines.get();
    }

    /** Lines that were not audit lines (corrupt, cut short by a crash), passed over, since the start. */
    public long skippedLines() {
        return skippedLines.get();
    }

    /** One pass: batches until the files are indexed to their end; then the status, and the expiry when due. */
    void pass() {
        try {
            if (positions == null) {
                positions = index.positions(source);
            }
            // batch after batch while they are full (a backlog: a burst, a restart, an outage of the index's
            // database), unless the machine is busy with other work: then at most one a pass once it waited too long
            boolean first = true;
            while (!stopping) {
                if (othersBusy()) {
                    long now = clock.millis();
                    deferredSinceMs = deferredSinceMs == 0 ? now : deferredSinceMs;
                    if (!first || now - deferredSinceMs < maxDelay.toMillis()) {
                        deferredPasses.incrementAndGet();
                        behindBytes.set(behind());
                        break;
                    }
                }
                first = false;
                long started = System.nanoTime();
                if (!indexBatch()) {
                    deferredSinceMs = 0;
                    break;
                }
                writeStatusWhenDue();
                // a backlog is copied at half a core at most: as long a pause as the batch took
                TimeUnit.NANOSECONDS.sleep(System.nanoTime() - started);
            }
            writeStatusWhenDue();
            long now = clock.millis();
            if (retentionDays > 0 && now - lastExpiryMs >= EXPIRY_INTERVAL.toMillis()) {
                lastExpiryMs = now;
                index.expire(oldestKept());
            }
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        } catch (SQLException | IOException | RuntimeException e) {
            // the positions are re-read from the index: a batch that failed halfway was rolled back
            positions = null;
            long now = clock.millis();
            if (now - lastFailureLogged > FAILURE_LOG_INTERVAL_MS) {
                lastFailureLogged = now;
                LOG.warn("Audit index {} not written ({}): the audit files are complete; indexing resumes from "
                        + "where it stopped once the index can be written", index.where(), RootCause.message(e));
            }
        }
    }

    /**
     * Whether the machine is busier than {@code yieldAbove} with work other than the indexer's own (its thread's CPU
     * since the last check, the embedded database's included), by the machine's load since the last check.
     */
    private boolean othersBusy() {
        double machine = machineCpu.getAsDouble();
        long nanos = System.nanoTime();
        long mine = threads.getCurrentThreadCpuTime();
        double own = lastCheckNanos == 0 || mine < 0 ? 0
                : (mine - lastThreadCpuNanos) / ((double) (nanos - lastCheckNanos) * cores);
        lastCheckNanos = nanos;
        lastThreadCpuNanos = mine;
        return machine >= 0 && machine - own > yieldAbove;
    }

    /** Passes that waited for the machine to be less busy, since the start. */
    public long deferredPasses() {
        return deferredPasses.get();
    }

    private void writeStatusWhenDue() throws SQLException {
        long now = clock.millis();
        if (now - lastStatusMs >= STATUS_INTERVAL.toMillis()) {
            lastStatusMs = now;
            index.status(instance, now, status.get());
        }
    }

    private LocalDate oldestKept() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(retentionDays);
    }

    /** Indexes at most one batch; true when it was full (more may wait). */
    private boolean indexBatch() throws IOException, SQLException {
        List<AuditIndex.NewLine> batch = new ArrayList<>();
        Map<String, long[]> moved = new LinkedHashMap<>();
        long behind = 0;
        for (Path file : files()) {
            String name = file.getFileName().toString();
            long size;
            try {
                size = Files.size(file);
            } catch (NoSuchFileException removed) {
                continue;
            }
            long from = positions.getOrDefault(name, 0L);
            if (size <= from || batch.size() >= batchSize) {
                behind += Math.max(0, size - from);
                continue;
            }
            long to = read(file, from, size, batch);
            if (to > from) {
                AuditLine.FileName parsed = AuditLine.parseFileName(name);
                moved.put(name, new long[] {to, parsed.day().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()});
            }
            behind += size - to;
        }
        if (!moved.isEmpty()) {
            index.add(source, batch, moved);
            moved.forEach((name, position) -> positions.put(name, position[0]));
            indexedLines.addAndGet(batch.size());
        }
        behindBytes.set(behind);
        return batch.size() >= batchSize;
    }

    /** Bytes of the audit files beyond their indexed positions. */
    private long behind() throws IOException {
        long behind = 0;
        for (Path file : files()) {
            try {
                behind += Math.max(0, Files.size(file) - positions.getOrDefault(file.getFileName().toString(), 0L));
            } catch (NoSuchFileException removed) {
                // gone since the listing
            }
        }
        return behind;
    }

    /** The plain audit files of the retention's days, oldest first. */
    private List<Path> files() throws IOException {
        LocalDate oldest = retentionDays > 0 ? oldestKept() : LocalDate.MIN;
        List<Path> found = new ArrayList<>();
        Map<Path, AuditLine.FileName> names = new HashMap<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, AuditLine.FILE_GLOB)) {
            for (Path file : stream) {
                AuditLine.FileName name = AuditLine.parseFileName(file.getFileName().toString());
                if (name != null && !name.compressed() && !name.day().isBefore(oldest)) {
                    found.add(file);
                    names.put(file, name);
                }
            }
        } catch (NoSuchFileException noLinesYet) {
            return List.of();
        }
        found.sort(Comparator.comparing((Path f) -> names.get(f).day()).thenComparingInt(f -> names.get(f).part()));
        return found;
    }

    /**
     * Reads the complete lines from {@code from} onwards into the batch, until it is full; returns the position after
     * the last complete line read.
     */
    private long read(Path file, long from, long size, List<AuditIndex.NewLine> batch) throws IOException {
        long position = from;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
            while (position < size && batch.size() < batchSize) {
                buffer.clear();
                channel.position(position);
                int read = channel.read(buffer);
                if (read <= 0) {
                    break;
                }
                byte[] bytes = buffer.array();
                int start = 0;
                for (int i = 0; i < read && batch.size() < batchSize; i++) {
                    if (bytes[i] == '\n') {
                        add(bytes, start, i - start, file, batch);
                        start = i + 1;
                    }
                }
                if (start == 0) {
                    // no complete line in a whole buffer: one still being written (or longer than any the gateway
                    // writes): left for the next pass
                    break;
                }
                position += start;
            }
        }
        return position;
    }

    private void add(byte[] bytes, int offset, int length, Path file, List<AuditIndex.NewLine> batch) {
        if (length == 0) {
            return;
        }
        AuditIndex.NewLine line = parse(bytes, offset, length, instance);
        if (line == null) {
            long skipped = skippedLines.incrementAndGet();
            LOG.warn("{}: a line that is not an audit line (corrupt, or cut short by a crash) is not indexed ({} so "
                    + "far)", file, skipped);
            return;
        }
        batch.add(line);
    }

    /**
     * The searchable fields of one audit line (its top level; the body is kept whole in the line); null when it is not
     * an audit line. The instance named in the line wins over this one's name.
     */
    static AuditIndex.NewLine parse(byte[] bytes, int offset, int length, String instance) {
        Map<String, Object> fields = new HashMap<>();
        try (JsonParser parser = JSON.createParser(bytes, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    parser.skipChildren();
                } else if (value == JsonToken.VALUE_NUMBER_INT) {
                    fields.put(field, parser.getNumberValue());
                } else if (value == JsonToken.VALUE_STRING) {
                    fields.put(field, parser.getText());
                }
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return null;
            }
        } catch (IOException notJson) {
            return null;
        }
        Instant at;
        try {
            at = Instant.parse(String.valueOf(fields.get(AuditLine.RECEIVED_AT)));
        } catch (DateTimeParseException noTime) {
            return null;
        }
        Object named = fields.get(AuditLine.INSTANCE);
        return new AuditIndex.NewLine(at.toEpochMilli(), named instanceof String s ? s : instance,
                text(fields, AuditLine.REMOTE_ADDR), integer(fields, AuditLine.HTTP_STATUS),
                text(fields, AuditLine.VERDICT), text(fields, AuditLine.REASON), text(fields, AuditLine.EVENT_ID),
                integer(fields, AuditLine.EVENT_TYPE), text(fields, AuditLine.EVENT), text(fields, AuditLine.STREAM_ID),
                text(fields, AuditLine.APP), integer(fields, AuditLine.ERRCODE), text(fields, AuditLine.ROUTING_KEY),
                text(fields, AuditLine.TENANT), new String(bytes, offset, length, StandardCharsets.UTF_8));
    }

    private static String text(Map<String, Object> fields, String name) {
        return fields.get(name) instanceof String s ? s : null;
    }

    private static Integer integer(Map<String, Object> fields, String name) {
        return fields.get(name) instanceof Integer i ? i : null;
    }
}
