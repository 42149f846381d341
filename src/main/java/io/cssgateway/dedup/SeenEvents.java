package io.cssgateway.dedup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identities of the events already handed on, to answer the provider's retries without publishing again: the
 * {@link IdempotentRepository} of the intake's {@code idempotentConsumer}. Bounded: it keeps the newest
 * {@code capacity} identities and forgets the oldest. Restart-safe when given a file: each identity is appended to it
 * (written to the OS, not fsynced: a crash may forget the last few, which then publish twice, never lose anything),
 * and the file is rewritten when it grows past twice the capacity. The file is open while the repository is started
 * (Camel starts and stops it with the route that uses it); the identities stay in memory across a route reload.
 */
public final class SeenEvents extends ServiceSupport implements IdempotentRepository {

    private static final Logger LOG = LoggerFactory.getLogger(SeenEvents.class);

    private final int capacity;
    private final Path file;
    private final LinkedHashSet<String> seen = new LinkedHashSet<>();
    private FileChannel log;
    private int linesInFile;

    /** In memory only. */
    public SeenEvents(int capacity) {
        this(capacity, null);
    }

    /** Backed by {@code file} (created with its folder when absent); null keeps it in memory only. */
    public SeenEvents(int capacity, Path file) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the de-duplication capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.file = file;
        if (file != null) {
            load();
        }
    }

    @Override
    public synchronized boolean contains(String identity) {
        return seen.contains(identity);
    }

    /** Remembers an identity; the intake adds one only once its event is handed on (confirmed or spooled). */
    @Override
    public synchronized boolean add(String identity) {
        if (!seen.add(identity)) {
            return false;
        }
        if (seen.size() > capacity) {
            var oldest = seen.iterator();
            oldest.next();
            oldest.remove();
        }
        if (log != null) {
            append(identity);
        }
        return true;
    }

    /** Forgets an identity in memory (the file keeps it until it is rewritten). */
    @Override
    public synchronized boolean remove(String identity) {
        return seen.remove(identity);
    }

    @Override
    public boolean confirm(String identity) {
        return true;
    }

    @Override
    public synchronized void clear() {
        seen.clear();
    }

    public synchronized int size() {
        return seen.size();
    }

    private void load() {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (String line : lines.subList(Math.max(0, lines.size() - capacity), lines.size())) {
                    if (!line.isEmpty()) {
                        seen.add(line);
                    }
                }
                linesInFile = lines.size();
                LOG.info("De-duplication: {} event identities loaded from {}", seen.size(), file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the de-duplication file " + file
                    + " (set gateway.dedup.file to a readable path)", e);
        }
    }

    @Override
    protected synchronized void doStart() {
        if (file != null && log == null) {
            try {
                log = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the de-duplication file " + file
                        + " (set gateway.dedup.file to a writable path)", e);
            }
        }
    }

    private void append(String identity) {
        try {
            log.write(ByteBuffer.wrap((identity + "\n").getBytes(StandardCharsets.UTF_8)));
            if (++linesInFile > 2 * capacity) {
                compact();
            }
        } catch (IOException e) {
            // the event is handed on already; forgetting it after a restart costs one duplicate at most
            LOG.warn("De-duplication file {} could not be written: {}", file, e.toString());
        }
    }

    private void compact() throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.write(next, seen, StandardCharsets.UTF_8);
        log.close();
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        log = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        linesInFile = seen.size();
    }

    @Override
    protected synchronized void doStop() throws IOException {
        if (log != null) {
            log.close();
            log = null;
        }
    }
}
