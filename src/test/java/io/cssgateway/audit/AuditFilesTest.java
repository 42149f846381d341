package io.cssgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cssgateway.harness.MovingClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditFilesTest {

    @TempDir
    Path dir;

    private static byte[] line(String text) {
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void linesGoToTheFileOfTheirUtcDayAndRollOverAtMidnight() throws IOException {
        MovingClock clock = new MovingClock("2026-11-25T23:59:59.998Z");
        AuditFiles audit = new AuditFiles(dir, 1 << 20, 30, clock);

        audit.append(Instant.parse("2026-11-25T23:59:59.999Z"), line("{\"n\":1}"));
        clock.set(Instant.parse("2026-11-26T00:00:00.000Z"));
        audit.append(Instant.parse("2026-11-26T00:00:00.000Z"), line("{\"n\":2}"));

        assertThat(files()).containsExactly("audit-2026-11-25.jsonl", "audit-2026-11-26.jsonl");
        assertThat(Files.readAllLines(dir.resolve("audit-2026-11-25.jsonl"))).containsExactly("{\"n\":1}");
        assertThat(Files.readAllLines(dir.resolve("audit-2026-11-26.jsonl"))).containsExactly("{\"n\":2}");
    }

    @Test
    void aFullFileContinuesInNumberedParts() throws IOException {
        Instant at = Instant.parse("2026-11-25T10:00:00Z");
        AuditFiles audit = new AuditFiles(dir, 1024, 30, new MovingClock("2026-11-25T10:00:00Z"));
        String text = "x".repeat(400);
        for (int i = 0; i < 7; i++) {
            audit.append(at, line(text));
        }
        assertThat(files()).containsExactly(
                "audit-2026-11-25.1.jsonl", "audit-2026-11-25.2.jsonl", "audit-2026-11-25.3.jsonl", "audit-2026-11-25.jsonl");
        for (String file : files()) {
            assertThat(Files.size(dir.resolve(file))).isLessThanOrEqualTo(1024);
        }
        // after a restart, lines go on in the last part, not over the first
        AuditFiles restarted = new AuditFiles(dir, 1024, 30, new MovingClock("2026-11-25T10:00:00Z"));
        restarted.append(at, line(text));
        assertThat(Files.readAllLines(dir.resolve("audit-2026-11-25.jsonl"))).hasSize(2);
        assertThat(Files.readAllLines(dir.resolve("audit-2026-11-25.3.jsonl"))).hasSize(2);
    }

    @Test
    void filesOlderThanTheRetentionAreRemoved() throws IOException {
        for (String old : List.of("audit-2026-10-25.jsonl", "audit-2026-10-25.1.jsonl", "audit-2026-10-26.jsonl")) {
            Files.writeString(dir.resolve(old), "{}\n");
        }
        Files.writeString(dir.resolve("notes.txt"), "not ours");
        MovingClock clock = new MovingClock("2026-11-25T10:00:00Z");

        new AuditFiles(dir, 1 << 20, 30, clock).append(clock.instant(), line("{}"));

        // 30 days before 2026-11-25 is 2026-10-26: that day is kept, the one before is removed
        assertThat(files()).containsExactly("audit-2026-10-26.jsonl", "audit-2026-11-25.jsonl", "notes.txt");
    }

    @Test
    void zeroRetentionKeepsEveryFile() throws IOException {
        Files.writeString(dir.resolve("audit-2020-01-01.jsonl"), "{}\n");
        MovingClock clock = new MovingClock("2026-11-25T10:00:00Z");
        new AuditFiles(dir, 1 << 20, 0, clock).append(clock.instant(), line("{}"));
        assertThat(files()).contains("audit-2020-01-01.jsonl");
    }

    @Test
    void concurrentLinesNeverInterleaveOrTear() throws Exception {
        Instant at = Instant.parse("2026-11-25T10:00:00Z");
        AuditFiles audit = new AuditFiles(dir, 1 << 30, 30, new MovingClock("2026-11-25T10:00:00Z"));
        int threads = 16;
        int perThread = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String payload = ("t" + t + "-").repeat(50 + t * 20);
            done.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    audit.append(at, line("{\"payload\":\"" + payload + "\",\"i\":" + i + "}"));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        List<String> lines = Files.readAllLines(dir.resolve("audit-2026-11-25.jsonl"));
        assertThat(lines).hasSize(threads * perThread);
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String l : lines) {
            assertThat(mapper.readTree(l).get("payload").asText()).matches("(t(\\d+)-)+");
        }
    }

    @Test
    void aDirectoryThatCannotBeCreatedFailsTheAppendAndAnotherLaterSucceeds() throws IOException {
        Path blocked = dir.resolve("audit");
        Files.writeString(blocked, "a file where the folder should be");
        MovingClock clock = new MovingClock("2026-11-25T10:00:00Z");
        AuditFiles audit = new AuditFiles(blocked, 1 << 20, 30, clock);

        assertThatThrownBy(() -> audit.append(clock.instant(), line("{}"))).isInstanceOf(IOException.class);

        Files.delete(blocked);
        audit.append(clock.instant(), line("{\"back\":true}"));
        assertThat(Files.readAllLines(blocked.resolve("audit-2026-11-25.jsonl"))).containsExactly("{\"back\":true}");
    }

    @Test
    void aFolderRemovedWhileRunningIsCreatedAgain() throws IOException {
        Path auditDir = dir.resolve("audit");
        MovingClock clock = new MovingClock("2026-11-25T10:00:00Z");
        AuditFiles audit = new AuditFiles(auditDir, 1 << 20, 30, clock);
        audit.append(clock.instant(), line("{\"n\":1}"));
        Files.delete(auditDir.resolve("audit-2026-11-25.jsonl"));
        Files.delete(auditDir);

        audit.append(clock.instant(), line("{\"n\":2}"));

        assertThat(Files.readAllLines(auditDir.resolve("audit-2026-11-25.jsonl"))).containsExactly("{\"n\":2}");
    }
}
