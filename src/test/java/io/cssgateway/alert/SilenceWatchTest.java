package io.cssgateway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.harness.MovingClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Silence as the lead sees it from every instance's heartbeats: one "stopped" when no instance accepted a callback
 * for the threshold, one "back" when one did; domains listed or seen lately; nothing from an instance that does not
 * lead.
 */
class SilenceWatchTest {

    private final MovingClock clock = new MovingClock("2026-12-04T10:00:00Z");
    private final NoticeText words = new NoticeText(AlertTexts.of("en"));
    private final AcceptedCallbacks one = new AcceptedCallbacks("gw-1", Duration.ofHours(24), null, clock);
    private final AcceptedCallbacks two = new AcceptedCallbacks("gw-2", Duration.ofHours(24), null, clock);

    private SilenceWatch watch(boolean perDomain, boolean overall, Set<String> listed) {
        return new SilenceWatch(Duration.ofSeconds(60), perDomain, overall, listed, Duration.ofHours(24),
                Duration.ofSeconds(5), domain -> List.of("oncall@example.com"), clock);
    }

    private static io.cssgateway.event.Callback callback(String app, String stream) {
        var fields = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        fields.put("event_type", 1).put("app", app).put("stream_id", stream);
        return new io.cssgateway.event.Callback(fields, 1, null, null);
    }

    /** Both instances' heartbeats reach the lead; time moves by one heartbeat. */
    private void beat(SilenceWatch watch) {
        watch.heard(one.heartbeat().getBytes(StandardCharsets.UTF_8));
        watch.heard(two.heartbeat().getBytes(StandardCharsets.UTF_8));
        clock.move(Duration.ofSeconds(5));
    }

    private List<String> titles(SilenceWatch watch) {
        return watch.check().stream().map(a -> words.phrase(a.notice(app -> true).title(), v -> v)).toList();
    }

    @Test
    void silenceIsEveryInstancesSilenceAndToldOnceEachWay() {
        SilenceWatch watch = watch(true, false, Set.of());
        one.accepted(callback("a.example.com", "s1"), "1:a");
        beat(watch);
        beat(watch);
        for (int i = 0; i < 8; i++) {
            // the other instance keeps taking callbacks for the domain: no silence
            two.accepted(callback("a.example.com", "s2"), "1:b" + i);
            beat(watch);
            assertThat(titles(watch)).isEmpty();
        }
        // the last callback was 5 s ago: 50 s more are not yet a minute
        for (int i = 0; i < 10; i++) {
            beat(watch);
            assertThat(titles(watch)).as("after %d s", 5 * (i + 2)).isEmpty();
        }
        beat(watch);
        List<Alert> stopped = watch.check();
        assertThat(stopped).hasSize(1);
        Notice notice = stopped.get(0).notice(app -> true);
        assertThat(notice.app()).isEqualTo("a.example.com");
        assertThat(words.phrase(notice.title(), v -> v)).isEqualTo("Callbacks stopped: push domain a.example.com");
        assertThat(words.plain(notice)).contains("No callback has been accepted for 60 s").contains("stream_id=s2")
                .contains("message_id=1:b7").contains("instance=gw-2");
        for (int i = 0; i < 20; i++) {
            beat(watch);
            assertThat(titles(watch)).isEmpty();
        }

        one.accepted(callback("a.example.com", "s3"), "1:c");
        beat(watch);
        assertThat(titles(watch)).containsExactly("Callbacks are back: push domain a.example.com");
        beat(watch);
        assertThat(titles(watch)).isEmpty();
    }

    @Test
    void aListedDomainIsWatchedBeforeItsFirstCallbackAndOverallCountsEveryDomain() {
        SilenceWatch watch = watch(true, true, Set.of("listed.example.com"));
        for (int i = 0; i < 11; i++) {
            one.accepted(callback("a.example.com", "s1"), "1:a" + i);
            beat(watch);
            assertThat(titles(watch)).isEmpty();
        }
        one.accepted(callback("a.example.com", "s1"), "1:last");
        beat(watch);
        // listed.example.com had none since the watch began, a minute ago; a.example.com, and so all, did
        assertThat(titles(watch)).containsExactly("Callbacks stopped: push domain listed.example.com");
    }

    @Test
    void anInstanceThatDoesNotLeadSaysNothing() {
        SilenceWatch watch = watch(true, true, Set.of("listed.example.com"));
        clock.move(Duration.ofHours(1));
        assertThat(watch.isLead()).isFalse();
        assertThat(watch.check()).isEmpty();
    }

    @Test
    void aDomainNotSeenForADayIsNoLongerWatched() {
        SilenceWatch watch = watch(true, false, Set.of());
        one.accepted(callback("old.example.com", "s1"), "1:a");
        List<String> told = new java.util.ArrayList<>();
        for (int i = 0; i < 24; i++) {
            beat(watch);
            told.addAll(titles(watch));
        }
        assertThat(told).containsExactly("Callbacks stopped: push domain old.example.com");
        for (int i = 0; i < 24 * 720; i++) {
            beat(watch);
            assertThat(watch.check()).isEmpty();
        }
        // forgotten by the instance too: its heartbeat no longer names it
        assertThat(one.heartbeat()).doesNotContain("old.example.com");
    }
}
