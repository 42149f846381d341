package io.cssgateway.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream states kept in the local store (an H2 file), as the gateway keeps them without PostgreSQL. */
class StreamStoreTest {

    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");
    private static final Instant LONG_AGO = Instant.parse("2026-11-01T00:00:00Z");

    @TempDir
    Path dir;

    private StreamStore store(String deployment) {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.resolve("streams") + ";WRITE_DELAY=0");
        return new StreamStore(h2, "test", "css_gateway_streams", deployment, 2, Duration.ofSeconds(5));
    }

    /** Applies the event as the route does: from what the store has, then saved. */
    private static StreamState.Transition apply(StreamStore store, StreamEvent event, Instant at) throws Exception {
        StreamState.Transition t = store.load(event.stream()).apply(event,
                store.closed(event.stream(), event.sequence()), LONG_AGO);
        if (t.recorded()) {
            store.save(t, at);
        }
        return t;
    }

    private static StreamEvent push(StreamKey stream, String sequence) {
        return new StreamEvent(stream, true, sequence, "1:" + sequence, NOW);
    }

    private static StreamEvent interrupt(StreamKey stream, String sequence) {
        return new StreamEvent(stream, false, sequence, "0:" + sequence, NOW.plusSeconds(5));
    }

    @Test
    void whatIsSavedIsLoadedAgainAfterTheStoreIsReopened() throws Exception {
        StreamKey stream = new StreamKey("live.example.com", "live", "room/1 ä");
        try (StreamStore store = store("css.events")) {
            assertThat(store.find(stream)).isNull();
            apply(store, push(stream, "100"), NOW);
            apply(store, interrupt(stream, "200"), NOW);
        }
        try (StreamStore store = store("css.events")) {
            StreamState state = store.find(stream);
            assertThat(state.online()).isTrue();
            assertThat(state.openSequences()).containsExactly("100");
            assertThat(state.version()).isEqualTo(1);
            assertThat(state.since()).isEqualTo(NOW);
            assertThat(state.lastEvents()).extracting(StreamState.Applied::effect)
                    .containsExactly("closed-in-advance", "opened");
            assertThat(store.closed(stream, "200")).isTrue();
            assertThat(store.closed(stream, "100")).isFalse();
            // the late push of 200 does not reopen it
            assertThat(apply(store, push(stream, "200"), NOW).effect()).isEqualTo("late-push");
        }
    }

    @Test
    void twoDeploymentsInOneDatabaseNeverSeeEachOthersStreams() throws Exception {
        StreamKey stream = new StreamKey("a", "live", "s");
        try (StreamStore staging = store("staging.css"); StreamStore live = store("css.events")) {
            apply(staging, push(stream, "1"), NOW);

            assertThat(live.find(stream)).isNull();
            assertThat(live.onlineCount()).isZero();
            assertThat(staging.onlineCount()).isEqualTo(1);
        }
    }

    @Test
    void theOnlineStreamsArePagedInOrderAndNarrowedByAppAndAppname() throws Exception {
        try (StreamStore store = store("css.events")) {
            for (String app : List.of("b.example.com", "a.example.com")) {
                for (int i = 0; i < 5; i++) {
                    apply(store, push(new StreamKey(app, i % 2 == 0 ? "live" : "test", "s" + i), "q" + i), NOW);
                }
            }
            StreamKey offline = new StreamKey("a.example.com", "live", "s9");
            apply(store, push(offline, "9"), NOW);
            apply(store, interrupt(offline, "9"), NOW);

            List<String> all = new ArrayList<>();
            StreamStore.Cursor cursor = null;
            int pages = 0;
            do {
                StreamStore.Page page = store.online(null, null, cursor, 3);
                page.streams().forEach(s -> all.add(s.stream().toString()));
                cursor = page.next();
                pages++;
            } while (cursor != null);

            assertThat(pages).isEqualTo(4);
            assertThat(all).hasSize(10).startsWith("a.example.com/live/s0", "a.example.com/live/s2",
                    "a.example.com/live/s4", "a.example.com/test/s1").doesNotContain("a.example.com/live/s9");
            assertThat(store.online("b.example.com", "test", null, 10).streams())
                    .extracting(s -> s.stream().streamId()).containsExactly("s1", "s3");
            assertThat(store.onlineCount()).isEqualTo(10);
        }
    }

    @Test
    void expiryForgetsOldClosedSequencesAndLongOfflineStreamsAndVersionsGoOnAboveTheForgotten() throws Exception {
        StreamKey stream = new StreamKey("a", "live", "s");
        try (StreamStore store = store("css.events")) {
            apply(store, push(stream, "1"), NOW);
            apply(store, interrupt(stream, "1"), NOW);
            apply(store, push(stream, "2"), NOW);
            apply(store, interrupt(stream, "2"), NOW);
            assertThat(store.find(stream).version()).isEqualTo(4);

            StreamStore.Expired kept = store.expire(NOW, NOW);
            assertThat(kept).isEqualTo(new StreamStore.Expired(0, 0));
            StreamStore.Expired expired = store.expire(NOW.plusSeconds(1), NOW.plusSeconds(1));
            assertThat(expired).isEqualTo(new StreamStore.Expired(2, 1));
            assertThat(store.find(stream)).isNull();
            assertThat(store.closed(stream, "1")).isFalse();

            StreamState.Transition again = apply(store, push(stream, "3"), NOW.plusSeconds(2));
            assertThat(again.changed()).isTrue();
            assertThat(again.after().version()).isEqualTo(5);
        }
    }
}
