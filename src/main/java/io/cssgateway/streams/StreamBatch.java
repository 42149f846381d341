package io.cssgateway.streams;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream consumer's writes, in one transaction of the store's {@link StreamStore.Writer}, committed every
 * {@code size} messages or {@code time} after the first of them, whichever comes first (a commit writes the database's
 * pages and cost ten times the rest of an event, one per event: bench/README.md, stream state). A message leaves the
 * queue only at its batch's commit: each channel's deliveries are acknowledged at once up to the last; a commit or a
 * read that fails drops the batch's writes and requeues its messages, which are then computed again from the state
 * last committed.
 */
final class StreamBatch extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(StreamBatch.class);

    /** A message taken from the stream queue: its channel and delivery tag (none in a route test). */
    private record Delivery(Channel channel, long tag) {}

    private final StreamStore store;
    private final int size;
    private final Duration time;
    private final List<Delivery> pending = new ArrayList<>();
    private StreamStore.Writer writer;
    private long firstPendingAt;
    private ScheduledExecutorService committer;
    /** Camel is stopping: each message is committed as it is done, while its channel is still open. */
    private boolean stopping;

    StreamBatch(StreamStore store, int size, Duration time) {
        this.store = store;
        this.size = size;
        this.time = time;
    }

    /** The stream's state as the batch sees it: what is committed, and what it wrote since. */
    synchronized StreamState load(StreamKey key) throws SQLException {
        try {
            return writer().load(key);
        } catch (SQLException e) {
            abandon();
            throw e;
        }
    }

    synchronized boolean closed(StreamKey key, String sequence) throws SQLException {
        try {
            return writer().closed(key, sequence);
        } catch (SQLException e) {
            abandon();
            throw e;
        }
    }

    synchronized void write(StreamState.Transition transition, Instant now) throws SQLException {
        try {
            writer().write(transition, now);
        } catch (SQLException e) {
            abandon();
            throw e;
        }
    }

    /**
     * A message is done with: it leaves the queue at the commit of its batch; a full batch is committed now, and so is
     * every message once Camel is stopping.
     */
    synchronized void done(Channel channel, Long tag) {
        if (pending.isEmpty()) {
            firstPendingAt = System.nanoTime();
        }
        pending.add(new Delivery(channel, tag == null ? -1 : tag));
        if (pending.size() >= size || stopping) {
            commit();
        }
    }

    /**
     * Camel begins to stop: what is pending is committed and acknowledged now, and each message done from now on at
     * once. Camel suspends the stream queue's consumer before it stops services such as this one, and its channels
     * close with it: a batch committed only then could no longer be acknowledged, and its messages, delivered again
     * to the next gateway, would publish their changes once more.
     */
    synchronized void stopping() {
        stopping = true;
        commit();
    }

    /** Commits what the batch wrote and acknowledges its messages; a commit that fails requeues them. */
    synchronized void commit() {
        if (pending.isEmpty()) {
            return;
        }
        try {
            writer().commit();
        } catch (SQLException e) {
            LOG.warn("Stream state not committed ({}): its {} events are delivered again", e.getMessage(),
                    pending.size());
            abandon();
            return;
        }
        settle(true);
    }

    private StreamStore.Writer writer() {
        if (writer == null) {
            writer = store.writer();
        }
        return writer;
    }

    /** Drops the uncommitted writes (and the connection, which may have broken); their messages go back to the queue. */
    private void abandon() {
        if (writer != null) {
            writer.close();
            writer = null;
        }
        settle(false);
    }

    /** Acknowledges (or requeues) the pending deliveries, each channel's up to its last tag at once. */
    private void settle(boolean acknowledge) {
        Map<Channel, Long> lastTags = new HashMap<>();
        for (Delivery delivery : pending) {
            if (delivery.channel() != null && delivery.tag() >= 0) {
                lastTags.merge(delivery.channel(), delivery.tag(), Math::max);
            }
        }
        pending.clear();
        lastTags.forEach((channel, tag) -> {
            try {
                if (acknowledge) {
                    channel.basicAck(tag, true);
                } else {
                    channel.basicNack(tag, true, true);
                }
            } catch (IOException | RuntimeException e) {
                // the channel is gone: RabbitMQ delivers its messages again, and they change nothing twice
                LOG.debug("Stream queue messages up to {} not settled: {}", tag, e.toString());
            }
        });
    }

    private synchronized void commitWhenDue() {
        if (!pending.isEmpty() && System.nanoTime() - firstPendingAt >= time.toNanos()) {
            commit();
        }
    }

    /** Commits what is pending once it is old enough, also while no message comes. */
    @Override
    protected void doStart() {
        synchronized (this) {
            stopping = false;
        }
        committer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "css-gateway-streams-commit");
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(1, time.toMillis() / 2);
        committer.scheduleWithFixedDelay(this::commitWhenDue, every, every, TimeUnit.MILLISECONDS);
    }

    /** What is still pending is committed as Camel stops (messages done after {@link #stopping}, if any). */
    @Override
    protected void doStop() {
        if (committer != null) {
            committer.shutdownNow();
            committer = null;
        }
        synchronized (this) {
            commit();
            if (writer != null) {
                writer.close();
                writer = null;
            }
        }
    }
}
