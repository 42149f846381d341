package io.cssgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditEntriesTest {

    @TempDir
    Path dir;

    private static String line(String id) {
        return "{\"received_at\":\"2026-11-30T10:00:00.000Z\",\"verdict\":\"accepted\",\"event_id\":\"" + id + "\"}\n";
    }

    @Test
    void theDaysFilesAreReadInOrderWithTheirContinuationsAndCompressedOnes() throws Exception {
        Files.writeString(dir.resolve("audit-2026-11-30.jsonl"), line("a"));
        Files.writeString(dir.resolve("audit-2026-11-30.10.jsonl"), line("d"));
        Files.writeString(dir.resolve("audit-2026-11-30.2.jsonl"), line("c"));
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(dir.resolve("audit-2026-11-30.1.jsonl.gz")))) {
            gz.write(line("b").getBytes(StandardCharsets.UTF_8));
        }
        Files.writeString(dir.resolve("audit-2026-11-29.jsonl"), line("before"));
        Files.writeString(dir.resolve("audit-2026-12-01.jsonl"), line("after"));
        Files.writeString(dir.resolve("notes.txt"), "not an audit file");
        List<String> ids = new ArrayList<>();

        new AuditEntries(dir, corrupt -> { }).read(Instant.parse("2026-11-30T00:00:00Z"),
                Instant.parse("2026-11-30T23:00:00Z"), entry -> ids.add(entry.audit().eventId()));

        assertThat(ids).containsExactly("a", "b", "c", "d");
    }

    @Test
    void aCorruptOrCutLineIsReportedWithFileAndLineAndTheRestIsRead() throws Exception {
        Path file = dir.resolve("audit-2026-11-30.jsonl");
        Files.writeString(file, line("a") + "{\"received_at\":\"2026-11-30T10:00\n" + "\n" + "[1,2]\n" + line("b")
                + "{\"received_at\":\"2026-11-30T10:00:00.000Z\",\"verd");
        List<String> ids = new ArrayList<>();
        List<String> reported = new ArrayList<>();
        AuditEntries entries = new AuditEntries(dir, reported::add);

        entries.read(Instant.parse("2026-11-30T00:00:00Z"), Instant.parse("2026-11-30T23:00:00Z"),
                entry -> ids.add(entry.audit().eventId() + "@" + entry.line()));

        assertThat(ids).containsExactly("a@1", "b@5");
        assertThat(reported).containsExactly(file + ":2: not an audit line (corrupt or cut short), skipped",
                file + ":4: not an audit line (corrupt or cut short), skipped",
                file + ":6: not an audit line (corrupt or cut short), skipped");
        assertThat(entries.corruptLines()).isEqualTo(3);
    }

    @Test
    void onlyTheDaysOfTheRangeAreListed() throws Exception {
        for (String day : List.of("2026-11-28", "2026-11-29", "2026-11-30")) {
            Files.writeString(dir.resolve("audit-" + day + ".jsonl"), line(day));
        }

        assertThat(new AuditEntries(dir, c -> { }).files(LocalDate.parse("2026-11-29"), LocalDate.parse("2026-11-29")))
                .containsExactly(dir.resolve("audit-2026-11-29.jsonl"));
    }
}
