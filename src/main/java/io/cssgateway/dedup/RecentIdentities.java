package io.cssgateway.dedup;

/**
 * The in-memory front of the shared seen-set: the newest identities any instance recorded, each with when this
 * instance learned it (its own adds, the others' as PostgreSQL notifies them, the recent ones loaded at start).
 * Bounded: the oldest learned are forgotten first ({@link IdentityRing}, stamped with when each was learned), and it
 * remembers when the newest of those forgotten was learned, so that it can tell whether it still holds every identity
 * learned within a window.
 */
final class RecentIdentities {

    /** What memory can say of an identity. */
    enum Answer { SEEN, NOT_SEEN, ASK_THE_DATABASE }

    private final IdentityRing learned;
    private boolean forgotAny;
    // System.nanoTime() at which the newest forgotten identity had been learned (or memory was last known incomplete)
    private long forgottenUpTo;

    RecentIdentities(int capacity) {
        this.learned = new IdentityRing(capacity, this::forgotten);
    }

    /** Learned now; false when it was held already (then its place in the order is kept). */
    synchronized boolean add(String identity, long now) {
        return learned.add(identity, now);
    }

    /**
     * SEEN when held; NOT_SEEN when not held and nothing learned within {@code windowNanos} before {@code now} was
     * forgotten (nor was memory incomplete then); otherwise only the database knows.
     */
    synchronized Answer answer(String identity, long now, long windowNanos) {
        if (learned.contains(identity)) {
            return Answer.SEEN;
        }
        return holdsAllWithin(now, windowNanos) ? Answer.NOT_SEEN : Answer.ASK_THE_DATABASE;
    }

    /** Nothing learned within {@code windowNanos} before {@code now} was forgotten, nor was memory incomplete then. */
    synchronized boolean holdsAllWithin(long now, long windowNanos) {
        return windowNanos > 0 && (!forgotAny || now - forgottenUpTo >= windowNanos);
    }

    int capacity() {
        return learned.capacity();
    }

    /** Memory cannot vouch for what was recorded before {@code now} (a truncated load, a gap in the notifications). */
    synchronized void incompleteUpTo(long now) {
        forgotten(now);
    }

    private void forgotten(long learnedAt) {
        if (!forgotAny || learnedAt - forgottenUpTo > 0) {
            forgottenUpTo = learnedAt;
        }
        forgotAny = true;
    }

    synchronized void remove(String identity) {
        learned.remove(identity);
    }

    synchronized void clear() {
        learned.clear();
    }

    synchronized int size() {
        return learned.size();
    }
}
