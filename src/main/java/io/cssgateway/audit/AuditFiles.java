package io.cssgateway.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only audit files ({@link AuditLine#FILE_NAME}): one per UTC day, {@code audit-YYYY-MM-DD.jsonl},
 * continued in {@code audit-YYYY-MM-DD.1.jsonl}, {@code .2}, ... when a file reaches its size bound; files of days
 * older than the retention are removed, compressed ones too. Each line is written with one write call under a lock, so lines never
 * interleave or tear, and it is in the operating system's hands when {@link #append} returns.
 */
public final class AuditFiles {

    private static final Logger LOG = LoggerFactory.getLogger(AuditFiles.class);

    private final Path dir;
    private final long maxFileBytes;
    private final int retentionDays;
    private final Clock clock;

    private LocalDate day;
    private int part;
    private Path current;
    private FileChannel channel;
    private long size;
    private LocalDate lastCleanup;

    /**
     * @param retentionDays files of days more than this many days before today are removed; 0 keeps them all
     */
    public AuditFiles(Path dir, long maxFileBytes, int retentionDays, Clock clock) {
        if (maxFileBytes < 1024) {
            throw new IllegalArgumentException("the audit file size bound must be at least 1024 bytes, got " + maxFileBytes);
        }
        this.dir = dir;
        this.maxFileBytes = maxFileBytes;
        this.retentionDays = retentionDays;
        this.clock = clock;
    }

    /** Appends one line (ending in a newline) to the file of {@code receivedAt}'s UTC day. */
    public synchronized void append(Instant receivedAt, byte[] line) throws IOException {
        LocalDate lineDay = LocalDate.ofInstant(receivedAt, ZoneOffset.UTC);
        try {
            if (channel == null || !lineDay.equals(day) || size + line.length > maxFileBytes || !Files.exists(current)) {
                open(lineDay, line.length);
            }
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                size += channel.write(buffer);
            }
        } catch (IOException e) {
            // the next line opens the file anew: a directory that comes back is written to again
            closeQuietly();
            throw e;
        }
        removeExpiredOncePerDay();
    }

    private void open(LocalDate lineDay, int lineLength) throws IOException {
        closeQuietly();
        Files.createDirectories(dir);
        if (!lineDay.equals(day)) {
            day = lineDay;
            part = lastPartOf(lineDay);
        }
        Path file = fileOf(day, part);
        while (Files.exists(file) && Files.size(file) > 0 && Files.size(file) + lineLength > maxFileBytes) {
            file = fileOf(day, ++part);
        }
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
        current = file;
    }

    private Path fileOf(LocalDate date, int n) {
        return dir.resolve(AuditLine.fileName(date, n));
    }

    /** The day's last continuation, compressed or not: a part an operator compressed is never written again. */
    private int lastPartOf(LocalDate date) throws IOException {
        int last = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "audit-" + date + "*")) {
            for (Path file : files) {
                AuditLine.FileName name = AuditLine.parseFileName(file.getFileName().toString());
                if (name != null) {
                    last = Math.max(last, name.compressed() ? name.part() + 1 : name.part());
                }
            }
        }
        return last;
    }

    private void removeExpiredOncePerDay() {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        if (retentionDays <= 0 || today.equals(lastCleanup)) {
            return;
        }
        lastCleanup = today;
        LocalDate oldestKept = today.minusDays(retentionDays);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, AuditLine.FILE_GLOB)) {
            for (Path file : files) {
                AuditLine.FileName name = AuditLine.parseFileName(file.getFileName().toString());
                if (name != null && name.day().isBefore(oldestKept)) {
                    Files.deleteIfExists(file);
                    LOG.info("Audit file {} removed: older than {} days", file.getFileName(), retentionDays);
                }
            }
        } catch (IOException | DateTimeParseException e) {
            LOG.warn("Old audit files in {} could not be removed: {}", dir, e.toString());
        }
    }

    private void closeQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // a channel that cannot close has nothing left to lose
            }
            channel = null;
        }
    }

    public synchronized void close() {
        closeQuietly();
    }
}
