package io.cssgateway.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * The audit lines of a time range, read file by file and line by line (memory stays flat however many there are):
 * the files of the days the range touches ({@link AuditLine#FILE_NAME}: a day's file, its continuations, compressed
 * or not), in order. A line that does not parse is reported with its file and line number and skipped.
 */
public final class AuditEntries {

    /** One audit line: where it is, and what it says. */
    public record Entry(Path file, long line, AuditLine audit) {
    }

    private final Path dir;
    private final Consumer<String> corrupt;
    private long corruptLines;

    /** @param corrupt told of each line that does not parse ("file:line: why") */
    public AuditEntries(Path dir, Consumer<String> corrupt) {
        this.dir = dir;
        this.corrupt = corrupt;
    }

    /** Gives each readable line of the files of the days from {@code from} to {@code to} (UTC) to {@code each}. */
    public void read(Instant from, Instant to, Consumer<Entry> each) {
        for (Path file : files(LocalDate.ofInstant(from, ZoneOffset.UTC), LocalDate.ofInstant(to, ZoneOffset.UTC))) {
            read(file, each);
        }
    }

    /** Lines that did not parse, so far. */
    public long corruptLines() {
        return corruptLines;
    }

    List<Path> files(LocalDate first, LocalDate last) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, AuditLine.FILE_GLOB)) {
            for (Path file : stream) {
                AuditLine.FileName name = AuditLine.parseFileName(file.getFileName().toString());
                if (name != null && !name.day().isBefore(first) && !name.day().isAfter(last)) {
                    files.add(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("audit folder " + dir + " could not be listed (gateway.audit.dir)", e);
        }
        files.sort(Comparator.comparing((Path f) -> nameOf(f).day()).thenComparingInt(f -> nameOf(f).part()));
        return files;
    }

    private static AuditLine.FileName nameOf(Path file) {
        return AuditLine.parseFileName(file.getFileName().toString());
    }

    private void read(Path file, Consumer<Entry> each) {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = nameOf(file).compressed() ? new GZIPInputStream(raw, 65536) : raw;
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 65536)) {
            String text;
            long number = 0;
            while ((text = lines.readLine()) != null) {
                number++;
                if (text.isBlank()) {
                    continue;
                }
                AuditLine line = AuditLine.parse(text);
                if (line == null) {
                    corruptLines++;
                    corrupt.accept(file + ":" + number + ": not an audit line (corrupt or cut short), skipped");
                    continue;
                }
                each.accept(new Entry(file, number, line));
            }
        } catch (IOException e) {
            corruptLines++;
            corrupt.accept(file + ": could not be read to its end (" + e.getMessage() + "), the rest skipped");
        }
    }
}
