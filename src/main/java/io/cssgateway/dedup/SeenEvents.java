package io.cssgateway.dedup;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identities of the events already handed on, to answer the provider's retries without publishing again: the
 * {@link IdempotentRepository} of the intake's {@code idempotentConsumer}. Bounded: it keeps the newest
 * {@code capacity} identities and forgets the oldest ({@link IdentityRing}, their digests in arrays allocated once).
 * Restart-safe when given a file: each identity is appended to it (written to the OS, not fsynced: a crash may forget
 * the last few, which then publish twice, never lose anything), and when it grows past twice the capacity it is
 * rewritten from the line of the oldest identity held, bytes copied as they are. The file is open while the repository
 * is started (Camel starts and stops it with the route that uses it); the identities stay in memory across a route
 * reload.
 */
public final class SeenEvents extends ServiceSupport implements IdempotentRepository {

    private static final Logger LOG = LoggerFactory.getLogger(SeenEvents.class);

    private final int capacity;
    private final Path file;
    // each identity's stamp: where its line begins in the file, counted from the first byte ever written to it
    private final IdentityRing seen;
    private FileChannel log;
    private int linesInFile;
    // the stamp of the file's first byte (it grows as the file is rewritten from a later line)
    private long fileStart;
    private long fileEnd;

    /** In memory only. */
    public SeenEvents(int capacity) {
        this(capacity, null);
    }

    /** Backed by {@code file} (created with its folder when absent); null keeps it in memory only. */
    public SeenEvents(int capacity, Path file) {
        this.capacity = capacity;
        this.seen = new IdentityRing(capacity, forgottenLine -> { });
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
        if (!seen.add(identity, fileEnd)) {
            return false;
        }
        if (log != null) {
            append(identity);
        }
        return true;
    }

    /** Forgets an identity in memory (the file keeps it until it is rewritten past it). */
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

    /** Reads the file line by line (its last {@code capacity} identities stay), noting where each line begins. */
    private void load() {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file)) {
                try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
                    long offset = 0;
                    long lineStart = 0;
                    for (int b = in.read(); b >= 0; b = in.read()) {
                        offset++;
                        if (b != '\n') {
                            line.write(b);
                            continue;
                        }
                        if (line.size() > 0) {
                            seen.add(line.toString(StandardCharsets.UTF_8), lineStart);
                        }
                        linesInFile++;
                        line.reset();
                        lineStart = offset;
                    }
                    // a last line without its newline (a crash mid-write) is not an identity
                    fileEnd = lineStart;
                }
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
                log = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                // a torn last line (no newline) is written over
                log.truncate(fileEnd - fileStart);
                log.position(fileEnd - fileStart);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the de-duplication file " + file
                        + " (set gateway.dedup.file to a writable path)", e);
            }
        }
    }

    private void append(String identity) {
        byte[] line = (identity + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                log.write(buffer);
            }
            fileEnd += line.length;
            if (++linesInFile > 2 * capacity) {
                compact();
            }
        } catch (IOException e) {
            // the event is handed on already; forgetting it after a restart costs one duplicate at most
            LOG.warn("De-duplication file {} could not be written: {}", file, e.toString());
        }
    }

    /** The file from the oldest identity held to its end, copied to a new file that takes its place. */
    private void compact() throws IOException {
        long from = seen.oldestStamp(fileEnd);
        Path next = file.resolveSibling(file.getFileName() + ".next");
        try (FileChannel copy = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long position = from - fileStart;
            long end = fileEnd - fileStart;
            while (position < end) {
                position += log.transferTo(position, end - position, copy);
            }
        }
        log.close();
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        log = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        log.position(log.size());
        fileStart = from;
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
