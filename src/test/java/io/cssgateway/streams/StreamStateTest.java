package io.cssgateway.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The provider's rule (CSS doc 267/90746), applied event by event: what each event does to a stream's state. */
class StreamStateTest {

    private static final StreamKey STREAM = new StreamKey("live.example.com", "live", "s1");
    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    private static final Instant LONG_AGO = Instant.parse("2026-12-01T00:00:00Z");

    private static StreamEvent push(String sequence, int second) {
        return new StreamEvent(STREAM, true, sequence, "1:" + sequence, T0.plusSeconds(second));
    }

    private static StreamEvent interrupt(String sequence, int second) {
        return new StreamEvent(STREAM, false, sequence, "0:" + sequence, T0.plusSeconds(second));
    }

    /** Applies events in order, as the store would keep them: the state after, and every change on the way. */
    private static final class Replay {
        StreamState state = StreamState.unseen(STREAM, 0);
        final Set<String> closed = new HashSet<>();
        final List<String> changes = new ArrayList<>();

        Replay apply(StreamEvent... events) {
            for (StreamEvent event : events) {
                StreamState.Transition t = state.apply(event, closed.contains(event.sequence()), LONG_AGO);
                if (t.closesSequence()) {
                    closed.add(event.sequence());
                }
                if (t.changed()) {
                    changes.add(t.after().state() + "@" + t.after().version());
                }
                state = t.after();
            }
            return this;
        }
    }

    @Test
    void aPushTakesTheStreamOnlineAndItsInterruptionOffline() {
        Replay replay = new Replay().apply(push("100", 0), interrupt("100", 60));

        assertThat(replay.changes).containsExactly("online@1", "offline@2");
        assertThat(replay.state.online()).isFalse();
        assertThat(replay.state.since()).isEqualTo(T0.plusSeconds(60));
        assertThat(replay.state.lastEvents()).extracting(StreamState.Applied::effect).containsExactly("closed", "opened");
    }

    @Test
    void aNewPushWhoseCallbackComesBeforeTheOldInterruptionLeavesTheStreamOnline() {
        // the stream dropped (sequence 100) and was pushed again at once (200); the new push's callback came first
        Replay replay = new Replay().apply(push("100", 0), push("200", 61), interrupt("100", 60));

        assertThat(replay.state.online()).isTrue();
        assertThat(replay.state.openSequences()).containsExactly("200");
        assertThat(replay.changes).containsExactly("online@1");
    }

    @Test
    void anInterruptionBeforeItsPushClosesTheSequenceInAdvanceAndTheLatePushDoesNotReopenIt() {
        Replay replay = new Replay().apply(interrupt("100", 60));
        assertThat(replay.state.lastEvents().get(0).effect()).isEqualTo("closed-in-advance");

        replay.apply(push("100", 0));

        assertThat(replay.state.online()).isFalse();
        assertThat(replay.changes).isEmpty();
        assertThat(replay.state.lastEvents().get(0).effect()).isEqualTo("late-push");
    }

    @Test
    void withActiveAndStandbyPushesTheInterruptionOfOneDoesNotEndTheStream() {
        Replay replay = new Replay().apply(push("active", 0), push("standby", 1));
        assertThat(replay.changes).containsExactly("online@1");

        replay.apply(interrupt("standby", 30));
        assertThat(replay.state.online()).isTrue();
        assertThat(replay.state.openSequences()).containsExactly("active");
        assertThat(replay.changes).containsExactly("online@1");

        replay.apply(interrupt("active", 40));
        assertThat(replay.changes).containsExactly("online@1", "offline@2");
    }

    @Test
    void duplicatesAndRetriesChangeNothingAndRecordNothing() {
        Replay replay = new Replay().apply(push("100", 0));
        StreamState.Transition again = replay.state.apply(push("100", 0), false, LONG_AGO);
        assertThat(again.effect()).isEqualTo("duplicate");
        assertThat(again.recorded()).isFalse();
        assertThat(again.changed()).isFalse();

        replay.apply(interrupt("100", 60), interrupt("100", 60), push("100", 0));
        assertThat(replay.changes).containsExactly("online@1", "offline@2");
    }

    @Test
    void aPushOlderThanTheClosedRetentionOpensNothing() {
        StreamState.Transition old = StreamState.unseen(STREAM, 0).apply(push("100", 0), false, T0.plusSeconds(1));

        assertThat(old.effect()).isEqualTo("too-old");
        assertThat(old.after().online()).isFalse();
        assertThat(old.recorded()).isTrue();
    }

    @Test
    void theStateIsAFunctionOfTheSetOfEventsWhateverTheirOrder() {
        List<StreamEvent> events = List.of(push("a", 0), interrupt("a", 10), push("b", 11), push("c", 12),
                interrupt("c", 20), push("d", 30), interrupt("d", 40));
        Set<List<String>> openSets = new HashSet<>();
        permutations(new ArrayList<>(events), 0, order -> {
            Replay replay = new Replay().apply(order.toArray(StreamEvent[]::new));
            // and again, as a replay of the same events would
            replay.apply(order.toArray(StreamEvent[]::new));
            openSets.add(replay.state.openSequences());
            // every change of state alternates, versions one by one
            for (int i = 0; i < replay.changes.size(); i++) {
                assertThat(replay.changes.get(i)).isEqualTo((i % 2 == 0 ? "online@" : "offline@") + (i + 1));
            }
        });
        assertThat(openSets).containsExactly(List.of("b"));
    }

    @Test
    void aStreamSeenAgainAfterItWasForgottenStartsAboveTheVersionFloor() {
        StreamState.Transition first = StreamState.unseen(STREAM, 41).apply(push("1", 0), false, LONG_AGO);

        assertThat(first.after().version()).isEqualTo(42);
    }

    @Test
    void onlyTheLastTenEventsAreKeptNewestFirst() {
        Replay replay = new Replay();
        for (int i = 0; i < 12; i++) {
            replay.apply(push("s" + i, i));
        }
        assertThat(replay.state.lastEvents()).hasSize(10);
        assertThat(replay.state.lastEvents().get(0).sequence()).isEqualTo("s11");
    }

    private interface OrderCheck {
        void check(List<StreamEvent> order);
    }

    private static void permutations(List<StreamEvent> events, int from, OrderCheck check) {
        if (from == events.size()) {
            check.check(events);
            return;
        }
        for (int i = from; i < events.size(); i++) {
            java.util.Collections.swap(events, from, i);
            permutations(events, from + 1, check);
            java.util.Collections.swap(events, from, i);
        }
    }
}
