package io.cssgateway.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Channel;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.support.ExchangeProperties;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of track-stream-state (routes/streams.camel.yaml), for each push or interruption taken from the stream
 * queue: {@link #apply} finds what it does to its stream's state, {@link #message} makes the state message of a
 * change, {@link #save} keeps the new state. The route publishes the change before it saves: a gateway that dies
 * between the two computes the same change again from the state it had saved, and publishes it again with the same
 * version and {@code message_id}, never another. The consumer's writes go into one transaction, committed every
 * {@code gateway.streams.batch-size} events or {@code gateway.streams.batch-ms} after the first, and only then do
 * their messages leave the queue ({@link #done}): a gateway that dies before a commit has its events delivered again,
 * and computes the same changes from the state last committed.
 */
public final class StreamStates extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(StreamStates.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long UNTRACKABLE_LOG_INTERVAL_MS = 60_000;

    private static final long ONLINE_COUNT_MAX_AGE_MS = 10_000;

    private final StreamStore store;
    private final Duration closedRetention;
    private final Duration offlineRetention;
    private final Clock clock;
    private volatile Reconciliation reconciliation;
    // the active consumer's view of where the provider disagrees, since when (a new consumer starts afresh)
    private final Map<StreamKey, Instant> disagreeingSince = new HashMap<>();
    private Instant lastReconciled = Instant.EPOCH;
    private volatile long lastProviderFailureLogged;

    /** Reconciliation with the provider's list: who asks it, the grace period, how often at most. */
    record Reconciliation(ProviderOnlineStreams provider, Duration grace, Duration interval) {}
    private final AtomicLong wentOnline = new AtomicLong();
    private final AtomicLong wentOffline = new AtomicLong();
    private final AtomicLong untrackable = new AtomicLong();
    private volatile long lastUntrackableLogged;
    private volatile long onlineCount = -1;
    private volatile long onlineCountAt;
    private final int batchSize;
    private final Duration batchTime;
    private StreamStore.Writer writer;
    // the deliveries whose events are written and not committed: acknowledged at the commit, requeued if it fails
    private final List<Delivery> pending = new ArrayList<>();
    private long firstPendingAt;
    private ScheduledExecutorService committer;

    /** A message taken from the stream queue: its channel and delivery tag (none in a route test). */
    private record Delivery(Channel channel, long tag) {}

    /**
     * @param store null when the stream state is off: the route that calls this is not started then
     * @param closedRetention how long a closed sequence is remembered (a push older than that opens nothing)
     * @param offlineRetention how long a stream offline is remembered
     */
    public StreamStates(StreamStore store, Duration closedRetention, Duration offlineRetention, int batchSize,
            Duration batchTime, Clock clock) {
        this.store = store;
        this.closedRetention = closedRetention;
        this.offlineRetention = offlineRetention;
        this.batchSize = batchSize;
        this.batchTime = batchTime;
        this.clock = clock;
    }

    /** Turns the reconciliation with the provider's list of online streams on. */
    void reconcileWith(Reconciliation reconciliation) {
        this.reconciliation = reconciliation;
    }

    /** The bean of a gateway with the stream state off ({@code gateway.streams.enabled=false}). */
    static StreamStates off() {
        return new StreamStates(null, Duration.ZERO, Duration.ZERO, 1, Duration.ofSeconds(1), Clock.systemUTC());
    }

    private StreamStore store() {
        if (store == null) {
            throw new IllegalStateException("the stream state is off (gateway.streams.enabled=false)");
        }
        return store;
    }

    private StreamStore.Writer writer() {
        if (writer == null) {
            writer = store().writer();
        }
        return writer;
    }

    /** Commits what is pending once it is old enough, also while no event comes. */
    @Override
    protected void doStart() {
        if (store == null) {
            return;
        }
        committer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "css-gateway-streams-commit");
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(1, batchTime.toMillis() / 2);
        committer.scheduleWithFixedDelay(this::commitWhenDue, every, every, TimeUnit.MILLISECONDS);
    }

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

    private synchronized void commitWhenDue() {
        if (!pending.isEmpty() && System.nanoTime() - firstPendingAt >= batchTime.toNanos()) {
            commit();
        }
    }

    /**
     * The message is done with (track-stream-state's last step): it leaves the queue when its event's writes are
     * committed, with the others of its batch.
     */
    public synchronized void done(Exchange exchange) {
        Long tag = exchange.getMessage().getHeader(SpringRabbitMQConstants.DELIVERY_TAG, Long.class);
        if (pending.isEmpty()) {
            firstPendingAt = System.nanoTime();
        }
        pending.add(new Delivery(exchange.getProperty(SpringRabbitMQConstants.CHANNEL, Channel.class),
                tag == null ? -1 : tag));
        if (pending.size() >= batchSize) {
            commit();
        }
    }

    /** Commits the batch and acknowledges its messages; a commit that fails requeues them. */
    private void commit() {
        if (pending.isEmpty()) {
            return;
        }
        try {
            writer().commit();
        } catch (SQLException e) {
            LOG.warn("Stream state not committed ({}): its {} events are delivered again", e.getMessage(),
                    pending.size());
            abandonBatch();
            return;
        }
        settle(true);
    }

    /** Drops the uncommitted writes (and the connection, which may have broken); their messages go back to the queue. */
    private void abandonBatch() {
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

    /**
     * Reads the push or interruption (the message body, its {@code message_id}) and sets
     * {@link ExchangeProperties#STREAM_TRANSITION} to what it does; null for a message that is neither (said in the
     * log, at most once a minute: it is taken off the queue and changes nothing).
     */
    public synchronized void apply(Exchange exchange) throws SQLException {
        StreamEvent event;
        try {
            event = StreamEvent.of(read(exchange.getMessage().getBody(byte[].class)),
                    exchange.getMessage().getHeader(SpringRabbitMQConstants.MESSAGE_ID, String.class));
        } catch (UntrackableEventException e) {
            exchange.setProperty(ExchangeProperties.STREAM_TRANSITION, null);
            long count = untrackable.incrementAndGet();
            long now = System.currentTimeMillis();
            if (now - lastUntrackableLogged > UNTRACKABLE_LOG_INTERVAL_MS) {
                lastUntrackableLogged = now;
                LOG.warn("A message on the stream queue changes no stream's state ({} so far): {}", count,
                        e.getMessage());
            }
            return;
        }
        exchange.setProperty(ExchangeProperties.STREAM_TRANSITION, transition(event));
    }

    /** What the event does to its stream, from the state as the writer sees it (its own writes too). */
    StreamState.Transition transition(StreamEvent event) throws SQLException {
        try {
            StreamState before = writer().load(event.stream());
            return before.apply(event, writer().closed(event.stream(), event.sequence()),
                    clock.instant().minus(closedRetention));
        } catch (SQLException e) {
            abandonBatch();
            throw e;
        }
    }

    /**
     * The state message of the exchange's change as its body: {@code stream.state.online} or {@code .offline} (the
     * routing key the route set in {@link ExchangeProperties#ROUTING_KEY}), {@code message_id}
     * {@code stream-state:<app>/<appname>/<stream_id>:<version>}.
     */
    public void message(Exchange exchange) {
        StreamState.Transition transition = exchange.getProperty(ExchangeProperties.STREAM_TRANSITION,
                StreamState.Transition.class);
        exchange.getMessage().setBody(message(transition,
                exchange.getProperty(ExchangeProperties.ROUTING_KEY, String.class)));
    }

    static OutgoingEvent message(StreamState.Transition transition, String routingKey) {
        StreamState after = transition.after();
        StreamKey stream = after.stream();
        StreamState.Applied cause = transition.cause();
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("css_stream_id", stream.streamId());
        headers.put("css_app", stream.app());
        headers.put("css_appname", stream.appname());
        headers.put("css_state", after.state());
        headers.put("css_version", after.version());
        ObjectNode body = StreamJson.state(after, false);
        body.set("cause", StreamJson.applied(cause));
        try {
            return new OutgoingEvent(routingKey, "stream-state:" + stream.path() + ":" + after.version(),
                    after.since().toEpochMilli(), headers, JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException("the state message of " + stream + " could not be written", e);
        }
    }

    /**
     * Writes the exchange's new state in the open batch (nothing to write for a duplicate); counts a change once it is
     * written.
     */
    public synchronized void save(Exchange exchange) throws SQLException {
        StreamState.Transition transition = exchange.getProperty(ExchangeProperties.STREAM_TRANSITION,
                StreamState.Transition.class);
        if (transition == null || !transition.recorded()) {
            return;
        }
        try {
            writer().write(transition, clock.instant());
        } catch (SQLException e) {
            abandonBatch();
            throw e;
        }
        if (transition.changed()) {
            (transition.after().online() ? wentOnline : wentOffline).incrementAndGet();
        }
    }

    /**
     * Forgets closed sequences past {@code gateway.streams.closed-retention-seconds} and streams offline past
     * {@code gateway.streams.offline-retention-days} (expire-stream-state).
     */
    public void expire() throws SQLException {
        Instant now = clock.instant();
        StreamStore.Expired expired = store().expire(now.minus(closedRetention), now.minus(offlineRetention));
        if (expired.closedSequences() > 0 || expired.offlineStreams() > 0) {
            LOG.info("Stream state: {} closed sequences and {} streams offline for long forgotten",
                    expired.closedSequences(), expired.offlineStreams());
        }
    }

    /** How many streams are online, read from the store at most every 10 s (a metric, scraped often). */
    public long online() {
        long now = System.currentTimeMillis();
        if (store != null && (onlineCount < 0 || now - onlineCountAt > ONLINE_COUNT_MAX_AGE_MS)) {
            try {
                onlineCount = store.onlineCount();
                onlineCountAt = now;
            } catch (SQLException e) {
                LOG.debug("Streams online not counted: {}", e.getMessage());
            }
        }
        return Math.max(onlineCount, 0);
    }

    /**
     * A reconciliation tick (reconcile-stream-state) as its body: a message to the stream queue, where the active
     * consumer takes it in turn with the events, so that a correction never races an event of the same stream.
     */
    public void tick(Exchange exchange) {
        exchange.getMessage().setBody(OutgoingEvent.of(exchange.getProperty(ExchangeProperties.ROUTING_KEY,
                String.class), "stream-reconcile:" + clock.instant().toEpochMilli(), "{}".getBytes()));
    }

    /**
     * The corrections the provider's list calls for (track-stream-state, on a tick): each stream it has disagreed
     * with since longer than the grace period, online or offline as the provider says. Empty when the provider cannot
     * be asked (its API down, throttling past the tries, an error: said in the log once a minute), when
     * reconciliation is off, or when a tick comes within half an interval of the last one (every instance sends them).
     */
    public synchronized List<StreamState.Transition> reconcile() throws SQLException, InterruptedException {
        Reconciliation with = reconciliation;
        Instant now = clock.instant();
        if (with == null || now.isBefore(lastReconciled.plus(with.interval().dividedBy(2)))) {
            return List.of();
        }
        lastReconciled = now;
        // what the batch holds is committed first: the list below is read from the store
        commit();
        Set<StreamKey> providerOnline;
        try {
            providerOnline = with.provider().online();
        } catch (ProviderOnlineStreams.ProviderApiException e) {
            long millis = System.currentTimeMillis();
            if (millis - lastProviderFailureLogged > UNTRACKABLE_LOG_INTERVAL_MS) {
                lastProviderFailureLogged = millis;
                LOG.warn("Stream state not reconciled this time, no state changed: {}", e.getMessage());
            }
            return List.of();
        }
        Set<StreamKey> ours = new HashSet<>();
        StreamStore.Cursor cursor = null;
        do {
            StreamStore.Page page = store().online(null, null, cursor, 1000);
            page.streams().forEach(state -> ours.add(state.stream()));
            cursor = page.next();
        } while (cursor != null);
        Set<StreamKey> disagreeing = new HashSet<>(ours);
        disagreeing.removeAll(providerOnline);
        for (StreamKey onlyTheirs : providerOnline) {
            if (!ours.contains(onlyTheirs)) {
                disagreeing.add(onlyTheirs);
            }
        }
        disagreeingSince.keySet().retainAll(disagreeing);
        List<StreamState.Transition> corrections = new ArrayList<>();
        for (StreamKey stream : disagreeing) {
            Instant since = disagreeingSince.computeIfAbsent(stream, s -> now);
            if (!now.isBefore(since.plus(with.grace()))) {
                StreamState.Transition correction = writer().load(stream).reconciled(providerOnline.contains(stream),
                        now);
                if (correction.changed()) {
                    corrections.add(correction);
                }
                disagreeingSince.remove(stream);
            }
        }
        if (!corrections.isEmpty()) {
            LOG.warn("Stream state reconciled with the provider's list: {} stream(s) corrected, e.g. {} now {}",
                    corrections.size(), corrections.get(0).after().stream(), corrections.get(0).after().state());
        }
        return corrections;
    }

    /** Changes to online saved by this instance since it started. */
    public long wentOnline() {
        return wentOnline.get();
    }

    /** Changes to offline saved by this instance since it started. */
    public long wentOffline() {
        return wentOffline.get();
    }

    /** Messages on the stream queue that were not a trackable push or interruption. */
    public long untrackable() {
        return untrackable.get();
    }

    private static JsonNode read(byte[] body) {
        try {
            return body == null ? null : JSON.readTree(body);
        } catch (IOException notJson) {
            throw new UntrackableEventException("its body is not JSON");
        }
    }
}
