package io.cssgateway.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeenEventsTest {

    @TempDir
    Path dir;

    /** Started, as the idempotent consumer starts its repository: the file is open for appends. */
    private static SeenEvents started(SeenEvents seen) {
        seen.start();
        return seen;
    }

    @Test
    void addedIdentitiesAreDuplicates() {
        SeenEvents seen = new SeenEvents(10);
        assertThat(seen.contains("1:42")).isFalse();
        seen.add("1:42");
        assertThat(seen.contains("1:42")).isTrue();
        assertThat(seen.contains("0:42")).isFalse();
    }

    @Test
    void theOldestAreForgottenBeyondTheCapacity() {
        SeenEvents seen = new SeenEvents(3);
        for (int i = 1; i <= 5; i++) {
            seen.add("1:" + i);
        }
        assertThat(seen.size()).isEqualTo(3);
        assertThat(seen.contains("1:1")).isFalse();
        assertThat(seen.contains("1:2")).isFalse();
        assertThat(seen.contains("1:5")).isTrue();
    }

    @Test
    void identitiesSurviveARestart() throws IOException {
        Path file = dir.resolve("dedup/seen.txt");
        try (SeenEvents seen = started(new SeenEvents(100, file))) {
            seen.add("1:a");
            seen.add("0:a");
        }
        try (SeenEvents afterRestart = started(new SeenEvents(100, file))) {
            assertThat(afterRestart.contains("1:a")).isTrue();
            assertThat(afterRestart.contains("0:a")).isTrue();
            assertThat(afterRestart.contains("1:b")).isFalse();
        }
    }

    @Test
    void identitiesAreWrittenAtOnceNotAtClose() throws IOException {
        // a kill -9 does not close the file: what was remembered must already be there
        Path file = dir.resolve("seen.txt");
        SeenEvents seen = started(new SeenEvents(100, file));
        seen.add("1:written");
        assertThat(new SeenEvents(100, file).contains("1:written")).isTrue();
        seen.close();
    }

    @Test
    void aStopAndStartKeepsTheIdentitiesInMemoryAndAppendsAgain() throws IOException {
        // a route reload stops and starts the idempotent consumer, and its repository with it
        Path file = dir.resolve("seen.txt");
        SeenEvents seen = started(new SeenEvents(100, file));
        seen.add("1:before");
        seen.stop();
        seen.start();
        seen.add("1:after");
        seen.stop();

        assertThat(seen.contains("1:before")).isTrue();
        assertThat(Files.readAllLines(file)).containsExactly("1:before", "1:after");
    }

    @Test
    void addSaysWhetherTheIdentityWasNew() {
        SeenEvents seen = new SeenEvents(10);
        assertThat(seen.add("1:x")).isTrue();
        assertThat(seen.add("1:x")).isFalse();
        assertThat(seen.remove("1:x")).isTrue();
        assertThat(seen.contains("1:x")).isFalse();
    }

    @Test
    void theFileStaysBoundedAndKeepsTheNewest() throws IOException {
        Path file = dir.resolve("seen.txt");
        try (SeenEvents seen = started(new SeenEvents(10, file))) {
            for (int i = 0; i < 1000; i++) {
                seen.add("1:" + i);
            }
        }
        assertThat(Files.readAllLines(file).size()).isLessThanOrEqualTo(20);
        try (SeenEvents afterRestart = started(new SeenEvents(10, file))) {
            assertThat(afterRestart.size()).isEqualTo(10);
            assertThat(afterRestart.contains("1:999")).isTrue();
            assertThat(afterRestart.contains("1:989")).isFalse();
        }
    }

    @Test
    void aRewrittenFileHoldsWhatMemoryHoldsInOrderAcrossRewritesAndRestarts() throws IOException {
        Path file = dir.resolve("seen.txt");
        try (SeenEvents seen = started(new SeenEvents(7, file))) {
            // 3 rewrites at 15, 23 and 31 lines, then 4 lines more
            for (int i = 0; i < 35; i++) {
                seen.add("1:" + i);
            }
            // the file begins at the oldest identity held, whole lines, and ends at the newest
            assertThat(Files.readAllLines(file).subList(0, 7))
                    .containsExactly("1:24", "1:25", "1:26", "1:27", "1:28", "1:29", "1:30");
            assertThat(Files.readAllLines(file)).endsWith("1:34");
        }
        try (SeenEvents afterRestart = started(new SeenEvents(7, file))) {
            assertThat(afterRestart.size()).isEqualTo(7);
            assertThat(afterRestart.contains("1:28")).isTrue();
            assertThat(afterRestart.contains("1:27")).isFalse();
            afterRestart.add("1:35");
        }
        assertThat(Files.readAllLines(file)).endsWith("1:34", "1:35");
    }

    @Test
    void aLastLineCutShortByACrashIsNotAnIdentityAndIsWrittenOver() throws IOException {
        Path file = dir.resolve("seen.txt");
        Files.writeString(file, "1:whole\n1:cut-sh");
        try (SeenEvents seen = started(new SeenEvents(10, file))) {
            assertThat(seen.contains("1:whole")).isTrue();
            assertThat(seen.contains("1:cut-sh")).isFalse();
            seen.add("1:next");
        }
        assertThat(Files.readAllLines(file)).containsExactly("1:whole", "1:next");
    }
}
