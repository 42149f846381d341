package io.cssgateway.streams;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One stream's state: its open push sequences (a push seen, its interruption not), online while there is one; since
 * when it is in that state; its version, which grows by one with each change of state and never goes back; and what
 * the last events did to it, newest first.
 *
 * @param open the open sequences, each with when its push happened
 * @param since when it went online or offline (the causing event's {@code event_time}); for a stream that was never
 *     online, when it was first seen
 */
public record StreamState(StreamKey stream, Map<String, Instant> open, Instant since, long version,
        List<Applied> lastEvents) {

    /** How many of a stream's last events it keeps, for the API's answer about one stream. */
    static final int LAST_EVENTS = 10;
    /**
     * Open sequences a stream keeps at most (the provider's active/standby pushes make two): pushes whose
     * interruptions never came (the provider gave up on them) would otherwise pile up; beyond, the oldest goes.
     */
    static final int MAX_OPEN = 64;

    /** What an event did: one of the {@code effect}s below. */
    public record Applied(int eventType, String sequence, String messageId, Instant at, String effect) {
        /** A push opened its sequence. */
        public static final String OPENED = "opened";
        /** An interruption closed an open sequence. */
        public static final String CLOSED = "closed";
        /** An interruption came before its push: the sequence is closed in advance, the push will not open it. */
        public static final String CLOSED_IN_ADVANCE = "closed-in-advance";
        /** A push whose sequence was closed already (its interruption came first): nothing opens. */
        public static final String LATE_PUSH = "late-push";
        /** A push older than the closed sequences are remembered: its interruption may have been forgotten. */
        public static final String TOO_OLD = "too-old";
        /** The same event again (a replay, two copies at once): nothing changes, nothing is written. */
        public static final String DUPLICATE = "duplicate";
        /** The provider listed the stream online for longer than the grace period while the state said offline. */
        public static final String RECONCILED_ONLINE = "reconciled-online";
        /** The provider did not list the stream online for longer than the grace period while the state said online. */
        public static final String RECONCILED_OFFLINE = "reconciled-offline";
        /** The event type of a correction from the provider's list: no callback. */
        public static final int RECONCILED = -1;

        /** Whether it is a correction from the provider's list rather than a callback. */
        public boolean reconciled() {
            return eventType == RECONCILED;
        }
    }

    /** The open sequences are kept sorted. */
    public StreamState {
        open = Collections.unmodifiableSortedMap(new TreeMap<>(open));
        lastEvents = List.copyOf(lastEvents);
    }

    /** A stream not seen yet: offline, at the deployment's version floor (above any forgotten stream's version). */
    static StreamState unseen(StreamKey stream, long versionFloor) {
        return new StreamState(stream, Map.of(), null, versionFloor, List.of());
    }

    public boolean online() {
        return !open.isEmpty();
    }

    /** The open sequences, in order. */
    public List<String> openSequences() {
        return List.copyOf(open.keySet());
    }

    public String state() {
        return online() ? "online" : "offline";
    }

    /**
     * What {@code event} does to this state, a function of the set of events seen, not of their order.
     *
     * @param sequenceClosed whether the event's sequence is closed already (its interruption was seen)
     * @param forgottenBefore closed sequences older than this are forgotten: a push from before it opens nothing
     */
    public Transition apply(StreamEvent event, boolean sequenceClosed, Instant forgottenBefore) {
        String sequence = event.sequence();
        SortedMap<String, Instant> opened = new TreeMap<>(open);
        String effect;
        boolean closes = false;
        if (event.push()) {
            if (sequenceClosed) {
                effect = Applied.LATE_PUSH;
            } else if (opened.containsKey(sequence)) {
                effect = Applied.DUPLICATE;
            } else if (event.at().isBefore(forgottenBefore)) {
                effect = Applied.TOO_OLD;
            } else {
                opened.put(sequence, event.at());
                if (opened.size() > MAX_OPEN) {
                    opened.entrySet().stream().min(Map.Entry.comparingByValue())
                            .ifPresent(oldest -> opened.remove(oldest.getKey()));
                }
                effect = Applied.OPENED;
            }
        } else if (sequenceClosed) {
            effect = Applied.DUPLICATE;
        } else {
            closes = true;
            effect = opened.remove(sequence) != null ? Applied.CLOSED : Applied.CLOSED_IN_ADVANCE;
        }
        if (effect.equals(Applied.DUPLICATE)) {
            return new Transition(this, this, effect, List.of());
        }
        return next(opened, new Applied(event.eventType(), sequence, event.messageId(), event.at(), effect),
                closes ? List.of(sequence) : List.of());
    }

    /**
     * The correction of the provider's list of online streams (reconciliation), which has disagreed with this state
     * for longer than the grace period: online with a sequence of its own ({@code reconciled:<epoch second>}), or
     * offline with every open sequence closed (a late interruption of one changes nothing).
     */
    public Transition reconciled(boolean providerSaysOnline, Instant now) {
        if (providerSaysOnline == online()) {
            return new Transition(this, this, Applied.DUPLICATE, List.of());
        }
        if (providerSaysOnline) {
            String sequence = "reconciled:" + now.getEpochSecond();
            return next(Map.of(sequence, now), new Applied(Applied.RECONCILED, sequence, null, now,
                    Applied.RECONCILED_ONLINE), List.of());
        }
        return next(Map.of(), new Applied(Applied.RECONCILED, null, null, now, Applied.RECONCILED_OFFLINE),
                openSequences());
    }

    /** The state with these open sequences after {@code applied}, one version up when it went online or offline. */
    private Transition next(Map<String, Instant> opened, Applied applied, List<String> closes) {
        boolean changes = online() != !opened.isEmpty();
        List<Applied> last = new ArrayList<>(LAST_EVENTS);
        last.add(applied);
        for (Applied earlier : lastEvents) {
            if (last.size() < LAST_EVENTS) {
                last.add(earlier);
            }
        }
        StreamState after = new StreamState(stream, opened, changes || since == null ? applied.at() : since,
                changes ? version + 1 : version, last);
        return new Transition(this, after, applied.effect(), closes);
    }

    /**
     * An event applied to a state: the state before and after, what it did ({@link Applied}'s effects), and the
     * sequences now to be remembered as closed.
     */
    public record Transition(StreamState before, StreamState after, String effect, List<String> closedSequences) {

        public Transition {
            closedSequences = List.copyOf(closedSequences);
        }

        /** Whether it closes a sequence (to remember). */
        public boolean closesSequence() {
            return !closedSequences.isEmpty();
        }

        /** Whether the stream went online or offline: a state message is published. */
        public boolean changed() {
            return before.online() != after.online();
        }

        /** Whether there is anything to save: every effect but a duplicate's. */
        public boolean recorded() {
            return !effect.equals(Applied.DUPLICATE);
        }

        /** The event that made it (the newest of the state's last events). */
        public Applied cause() {
            return after.lastEvents().isEmpty() ? null : after.lastEvents().get(0);
        }

        /** Whether the stream was not in the store before. */
        public boolean newStream() {
            return before.since() == null;
        }
    }
}
