package io.cssgateway.dedup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * The newest {@code capacity} event identities, in the order they came, the oldest forgotten first: the memory of
 * {@link SeenEvents} and of the shared store's {@link RecentIdentities}. Each identity is kept as its MD5 (128 bits,
 * so two identities that differ are taken for one with a chance of about 2<sup>-128</sup> per pair held), in arrays
 * allocated once: 25 bytes an identity plus an index of 2 to 4 ints per identity, about 7 MB for the default 200,000,
 * against about 24 MB as strings in a linked hash set. Nothing is allocated per identity held, and nothing reaches
 * the collector's old generation as events come: under load, the heap after a full collection went from 62-66 MB to
 * 45-46 MB, and full collections came less often (bench/README.md, "The process' size"). Each identity carries a
 * stamp of its owner's choosing (when it was learned, where its line begins in a file), handed back when it is
 * forgotten.
 * <p>
 * Not thread-safe: its owners hold their own lock around it.
 */
final class IdentityRing {

    private final int capacity;
    // the ring: slot i holds an identity's digest and stamp; the oldest is at head, live says whether it was removed
    private final long[] high;
    private final long[] low;
    private final long[] stamps;
    private final boolean[] live;
    private int head;
    private int used;
    private int size;
    // open addressing, linear probing, at most half full: slot + 1 of the ring, 0 for an empty place
    private final int[] index;
    private final int mask;
    private final LongConsumer forgotten;
    private final MessageDigest md5;
    // the digest of the identity last asked about (digest), read by find and add
    private long digestHigh;
    private long digestLow;

    /** {@code forgotten} is given the stamp of each identity forgotten to make room (not of those removed). */
    IdentityRing(int capacity, LongConsumer forgotten) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the de-duplication capacity must be at least 1, got " + capacity);
        }
        if (capacity > 1 << 29) {
            throw new IllegalArgumentException("the de-duplication capacity must be at most " + (1 << 29)
                    + ", got " + capacity);
        }
        this.capacity = capacity;
        this.high = new long[capacity];
        this.low = new long[capacity];
        this.stamps = new long[capacity];
        this.live = new boolean[capacity];
        int places = Integer.highestOneBit(capacity) << 2;
        this.index = new int[places];
        this.mask = places - 1;
        this.forgotten = forgotten;
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has MD5", e);
        }
    }

    int capacity() {
        return capacity;
    }

    /** How many identities are held. */
    int size() {
        return size;
    }

    boolean contains(String identity) {
        digest(identity);
        return find() >= 0;
    }

    /** Holds the identity, with {@code stamp}; false when it was held already (then it keeps its place and stamp). */
    boolean add(String identity, long stamp) {
        digest(identity);
        if (find() >= 0) {
            return false;
        }
        if (used == capacity) {
            int oldest = head;
            if (live[oldest]) {
                unindex(oldest);
                live[oldest] = false;
                size--;
                forgotten.accept(stamps[oldest]);
            }
            head = (head + 1) % capacity;
            used--;
        }
        int slot = (head + used) % capacity;
        high[slot] = digestHigh;
        low[slot] = digestLow;
        stamps[slot] = stamp;
        live[slot] = true;
        used++;
        size++;
        int place = place(digestLow);
        while (index[place] != 0) {
            place = (place + 1) & mask;
        }
        index[place] = slot + 1;
        return true;
    }

    /** Forgets the identity; its place in the ring stays taken until it is the oldest. */
    boolean remove(String identity) {
        digest(identity);
        int slot = find();
        if (slot < 0) {
            return false;
        }
        unindex(slot);
        live[slot] = false;
        size--;
        return true;
    }

    void clear() {
        Arrays.fill(index, 0);
        Arrays.fill(live, false);
        head = 0;
        used = 0;
        size = 0;
    }

    /** The stamp of the oldest identity held; {@code whenEmpty} when none is. */
    long oldestStamp(long whenEmpty) {
        for (int i = 0; i < used; i++) {
            int slot = (head + i) % capacity;
            if (live[slot]) {
                return stamps[slot];
            }
        }
        return whenEmpty;
    }

    private void digest(String identity) {
        byte[] hash = md5.digest(identity.getBytes(StandardCharsets.UTF_8));
        long h = 0;
        long l = 0;
        for (int i = 0; i < 8; i++) {
            h = h << 8 | (hash[i] & 0xff);
            l = l << 8 | (hash[i + 8] & 0xff);
        }
        digestHigh = h;
        digestLow = l;
    }

    private int place(long digest) {
        return (int) digest & mask;
    }

    /** The ring slot holding the last digest computed, or -1. */
    private int find() {
        int place = place(digestLow);
        for (int entry = index[place]; entry != 0; entry = index[place]) {
            int slot = entry - 1;
            if (low[slot] == digestLow && high[slot] == digestHigh) {
                return slot;
            }
            place = (place + 1) & mask;
        }
        return -1;
    }

    /** Takes the slot out of the index, shifting back the entries after it that probed past it (no tombstones). */
    private void unindex(int slot) {
        int place = place(low[slot]);
        while (index[place] != slot + 1) {
            place = (place + 1) & mask;
        }
        int hole = place;
        int next = (hole + 1) & mask;
        while (index[next] != 0) {
            int home = place(low[index[next] - 1]);
            // the entry at next may move to the hole when its home is not within (hole, next]
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                index[hole] = index[next];
                hole = next;
            }
            next = (next + 1) & mask;
        }
        index[hole] = 0;
    }
}
