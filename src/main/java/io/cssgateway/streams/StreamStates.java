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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of track-stream-state (routes/streams.camel.yaml), for each push or interruption taken from the stream
 * queue: {@link #apply} finds what it does to its stream's state, {@link #message} makes the state message of a
 * change, {@link #save} keeps the new state. The route publishes the change before it saves: a gateway that dies
 * between the two computes the same change again from the state it had saved, and publishes it again with the same
 * version and {@code message_id}, never another. The writes go into a {@link StreamBatch}, and a message leaves the
 * queue ({@link #done}) at its batch's commit: a gateway that dies before it has its events delivered again, and
 * computes the same changes from the state last committed.
 */
public final class StreamStates {

    private static final Logger LOG = LoggerFactory.getLogger(StreamStates.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long UNTRACKABLE_LOG_INTERVAL_MS = 60_000;
    private static final long ONLINE_COUNT_MAX_AGE_MS = 10_000;

    private final StreamStore store;
    private final StreamBatch batch;
    private final Duration closedRetention;
    private final Duration offlineRetention;
    private final Clock clock;
    private final AtomicLong wentOnline = new AtomicLong();
    private final AtomicLong wentOffline = new AtomicLong();
    private final AtomicLong untrackable = new AtomicLong();
    private volatile long lastUntrackableLogged;
    private volatile long onlineCount = -1;
    private volatile long onlineCountAt;

    /**
     * @param store null when the stream state is off: the route that calls this is not started then
     * @param batch where the consumer's writes go (null when off)
     * @param closedRetention how long a closed sequence is remembered (a push older than that opens nothing)
     * @param offlineRetention how long a stream offline is remembered
     */
    StreamStates(StreamStore store, StreamBatch batch, Duration closedRetention, Duration offlineRetention,
            Clock clock) {
        this.store = store;
        this.batch = batch;
        this.closedRetention = closedRetention;
        this.offlineRetention = offlineRetention;
        this.clock = clock;
    }

    /** The bean of a gateway with the stream state off ({@code gateway.streams.enabled=false}). */
    static StreamStates off() {
        return new StreamStates(null, null, Duration.ZERO, Duration.ZERO, Clock.systemUTC());
    }

    private StreamStore store() {
        if (store == null) {
            throw new IllegalStateException("the stream state is off (gateway.streams.enabled=false)");
        }
        return store;
    }

    private StreamBatch batch() {
        if (batch == null) {
            throw new IllegalStateException("the stream state is off (gateway.streams.enabled=false)");
        }
        return batch;
    }

    /**
     * The message is done with (track-stream-state's last step): it leaves the queue when its event's writes are
     * committed, with the others of its batch.
     */
    public void done(Exchange exchange) {
        batch().done(exchange.getProperty(SpringRabbitMQConstants.CHANNEL, Channel.class),
                exchange.getMessage().getHeader(SpringRabbitMQConstants.DELIVERY_TAG, Long.class));
    }

    /**
     * Reads the push or interruption (the message body, its {@code message_id}) and sets
     * {@link ExchangeProperties#STREAM_TRANSITION} to what it does; null for a message that is neither (said in the
     * log, at most once a minute: it is taken off the queue and changes nothing).
     */
    public void apply(Exchange exchange) throws SQLException {
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

    /** What the event does to its stream, from the state as the batch sees it (its own writes too). */
    StreamState.Transition transition(StreamEvent event) throws SQLException {
        StreamState before = batch().load(event.stream());
        return before.apply(event, batch().closed(event.stream(), event.sequence()),
                clock.instant().minus(closedRetention));
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
    public void save(Exchange exchange) throws SQLException {
        StreamState.Transition transition = exchange.getProperty(ExchangeProperties.STREAM_TRANSITION,
                StreamState.Transition.class);
        if (transition == null || !transition.recorded()) {
            return;
        }
        batch().write(transition, clock.instant());
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
