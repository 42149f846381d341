package io.cssgateway.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The audit lines of a time range, read file by file and line by line (memory stays flat however many there are):
 * the files of the days the range touches ({@code audit-YYYY-MM-DD.jsonl}, its continuations {@code .1}, {@code .2},
 * ..., and the same compressed, {@code .jsonl.gz}), in order. A line that does not parse is reported with its file and
 * line number and skipped.
 */
public final class AuditEntries {

    private static final Pattern NAME = Pattern.compile("audit-(\\d{4}-\\d{2}-\\d{2})(?:\\.(\\d+))?\\.jsonl(\\.gz)?");

    /** One audit line: where it is, and its fields. */
    public record Entry(Path file, long line, JsonNode fields) {
    }

    // decimals kept as written, so that a rebuilt body is the body first published, byte for byte
    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true)).build();
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
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "audit-*")) {
            for (Path file : stream) {
                Matcher name = NAME.matcher(file.getFileName().toString());
                if (name.matches()) {
                    LocalDate day = LocalDate.parse(name.group(1));
                    if (!day.isBefore(first) && !day.isAfter(last)) {
                        files.add(file);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("audit folder " + dir + " could not be listed (gateway.audit.dir)", e);
        }
        files.sort(Comparator.comparing((Path f) -> day(f)).thenComparingInt(AuditEntries::continuation));
        return files;
    }

    private static String day(Path file) {
        Matcher name = NAME.matcher(file.getFileName().toString());
        name.matches();
        return name.group(1);
    }

    private static int continuation(Path file) {
        Matcher name = NAME.matcher(file.getFileName().toString());
        name.matches();
        return name.group(2) == null ? 0 : Integer.parseInt(name.group(2));
    }

    private void read(Path file, Consumer<Entry> each) {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 65536) : raw;
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 65536)) {
            String text;
            long number = 0;
            while ((text = lines.readLine()) != null) {
                number++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode fields;
                try {
                    fields = json.readTree(text);
                } catch (JsonProcessingException e) {
                    fields = null;
                }
                if (fields == null || !fields.isObject() || !fields.hasNonNull("received_at")) {
                    corruptLines++;
                    corrupt.accept(file + ":" + number + ": not an audit line (corrupt or cut short), skipped");
                    continue;
                }
                each.accept(new Entry(file, number, fields));
            }
        } catch (IOException e) {
            corruptLines++;
            corrupt.accept(file + ": could not be read to its end (" + e.getMessage() + "), the rest skipped");
        }
    }
}
