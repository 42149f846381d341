package io.cssgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeenEventsTest {

    @TempDir
    Path dir;

    @Test
    void rememberedIdentitiesAreDuplicates() {
        SeenEvents seen = new SeenEvents(10);
        assertThat(seen.contains("1:42")).isFalse();
        seen.remember("1:42");
        assertThat(seen.contains("1:42")).isTrue();
        assertThat(seen.contains("0:42")).isFalse();
    }

    @Test
    void theOldestAreForgottenBeyondTheCapacity() {
        SeenEvents seen = new SeenEvents(3);
        for (int i = 1; i <= 5; i++) {
            seen.remember("1:" + i);
        }
        assertThat(seen.size()).isEqualTo(3);
        assertThat(seen.contains("1:1")).isFalse();
        assertThat(seen.contains("1:2")).isFalse();
        assertThat(seen.contains("1:5")).isTrue();
    }

    @Test
    void identitiesSurviveARestart() throws IOException {
        Path file = dir.resolve("dedup/seen.txt");
        try (SeenEvents seen = new SeenEvents(100, file)) {
            seen.remember("1:a");
            seen.remember("0:a");
        }
        try (SeenEvents afterRestart = new SeenEvents(100, file)) {
            assertThat(afterRestart.contains("1:a")).isTrue();
            assertThat(afterRestart.contains("0:a")).isTrue();
            assertThat(afterRestart.contains("1:b")).isFalse();
        }
    }

    @Test
    void identitiesAreWrittenAtOnceNotAtClose() throws IOException {
        // a kill -9 does not close the file: what was remembered must already be there
        Path file = dir.resolve("seen.txt");
        SeenEvents seen = new SeenEvents(100, file);
        seen.remember("1:written");
        assertThat(new SeenEvents(100, file).contains("1:written")).isTrue();
        seen.close();
    }

    @Test
    void theFileStaysBoundedAndKeepsTheNewest() throws IOException {
        Path file = dir.resolve("seen.txt");
        try (SeenEvents seen = new SeenEvents(10, file)) {
            for (int i = 0; i < 1000; i++) {
                seen.remember("1:" + i);
            }
        }
        assertThat(Files.readAllLines(file).size()).isLessThanOrEqualTo(20);
        try (SeenEvents afterRestart = new SeenEvents(10, file)) {
            assertThat(afterRestart.size()).isEqualTo(10);
            assertThat(afterRestart.contains("1:999")).isTrue();
            assertThat(afterRestart.contains("1:989")).isFalse();
        }
    }
}
