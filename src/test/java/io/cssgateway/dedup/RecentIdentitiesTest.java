package io.cssgateway.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cssgateway.dedup.RecentIdentities.Answer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecentIdentitiesTest {

    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    private static final long WINDOW = 15 * MINUTE;

    @Test
    void aNewIdentityIsNotSeenWhileNothingWasForgotten() {
        RecentIdentities recent = new RecentIdentities(3);
        recent.add("1:a", 0);
        recent.add("1:b", MINUTE);

        assertThat(recent.answer("1:a", 2 * MINUTE, WINDOW)).isEqualTo(Answer.SEEN);
        assertThat(recent.answer("1:new", 2 * MINUTE, WINDOW)).isEqualTo(Answer.NOT_SEEN);
        assertThat(recent.add("1:a", 3 * MINUTE)).isFalse();
        assertThat(recent.size()).isEqualTo(2);
    }

    @Test
    void forgettingAnIdentityOfTheWindowSendsNewOnesToTheDatabaseUntilAWindowHasPassed() {
        RecentIdentities recent = new RecentIdentities(2);
        recent.add("1:a", 0);
        recent.add("1:b", MINUTE);
        recent.add("1:c", 2 * MINUTE);

        // 1:a, learned at 0, is forgotten: a new identity may be it until 15 minutes after 0
        assertThat(recent.answer("1:a", 2 * MINUTE, WINDOW)).isNotEqualTo(Answer.SEEN);
        assertThat(recent.answer("1:new", 3 * MINUTE, WINDOW)).isEqualTo(Answer.ASK_THE_DATABASE);
        assertThat(recent.answer("1:new", WINDOW - 1, WINDOW)).isEqualTo(Answer.ASK_THE_DATABASE);
        assertThat(recent.answer("1:new", WINDOW, WINDOW)).isEqualTo(Answer.NOT_SEEN);
        assertThat(recent.answer("1:c", 3 * MINUTE, WINDOW)).isEqualTo(Answer.SEEN);
    }

    @Test
    void theNewestForgottenCountsNotTheLast() {
        RecentIdentities recent = new RecentIdentities(1);
        recent.add("1:a", 10 * MINUTE);
        recent.add("1:b", 11 * MINUTE);
        recent.incompleteUpTo(12 * MINUTE);
        recent.add("1:c", 13 * MINUTE);

        // 1:b, learned at 11, was forgotten after the incompleteness of 12: 12 stays the horizon
        assertThat(recent.answer("1:new", 12 * MINUTE + WINDOW - 1, WINDOW)).isEqualTo(Answer.ASK_THE_DATABASE);
        assertThat(recent.answer("1:new", 12 * MINUTE + WINDOW, WINDOW)).isEqualTo(Answer.NOT_SEEN);
    }

    @Test
    void aWindowOfZeroAlwaysAsks() {
        RecentIdentities recent = new RecentIdentities(10);

        assertThat(recent.answer("1:new", 0, 0)).isEqualTo(Answer.ASK_THE_DATABASE);
        assertThat(recent.holdsAllWithin(0, 0)).isFalse();
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        assertThatThrownBy(() -> new RecentIdentities(0)).hasMessageContaining("at least 1");
    }

    @Test
    void aBatchIsNotifiedInPayloadsUnderPostgresqlsLimitEachWithTheHeader() {
        List<String> identities = java.util.stream.IntStream.range(0, 500)
                .mapToObj(i -> "100:" + "f".repeat(60) + i).toList();

        List<String> payloads = SharedSeenEvents.payloads("css.events\nsender", identities);

        assertThat(payloads).hasSizeGreaterThan(1)
                .allSatisfy(payload -> assertThat(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                        .isLessThan(8000))
                .allSatisfy(payload -> assertThat(payload).startsWith("css.events\nsender\n100:"));
        assertThat(payloads.stream().flatMap(p -> java.util.Arrays.stream(p.split("\n")).skip(2)).toList())
                .isEqualTo(identities);
        assertThat(SharedSeenEvents.payloads("h", List.of())).isEmpty();
    }
}
