package io.cssgateway.streams;

import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.support.ExchangeProperties;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciliation with the provider's list of online streams ({@code gateway.streams.reconcile.*}, docs/streams.md):
 * {@link #tick} makes the message every instance sends to the stream queue on a timer; the active consumer, taking
 * it in turn with the events, calls {@link #reconcile}: it asks the provider, and corrects each stream the two have
 * disagreed about for longer than the grace period. The provider that cannot be asked changes nothing.
 */
public final class StreamReconciler {

    private static final Logger LOG = LoggerFactory.getLogger(StreamReconciler.class);
    private static final long FAILURE_LOG_INTERVAL_MS = 60_000;

    private final StreamStore store;
    private final StreamBatch batch;
    private final ProviderOnlineStreams provider;
    private final Duration grace;
    private final Duration interval;
    private final Clock clock;
    // the active consumer's view of where the provider disagrees, since when (a new consumer starts afresh)
    private final Map<StreamKey, Instant> disagreeingSince = new HashMap<>();
    private Instant lastReconciled = Instant.EPOCH;
    private long lastFailureLogged;

    /** @param provider null when reconciliation is off: a tick (from another instance) changes nothing here */
    StreamReconciler(StreamStore store, StreamBatch batch, ProviderOnlineStreams provider, Duration grace,
            Duration interval, Clock clock) {
        this.store = store;
        this.batch = batch;
        this.provider = provider;
        this.grace = grace;
        this.interval = interval;
        this.clock = clock;
    }

    /** A tick as its body, to the routing key the route set: an empty object, its time in its message_id. */
    public void tick(Exchange exchange) {
        exchange.getMessage().setBody(OutgoingEvent.of(exchange.getProperty(ExchangeProperties.ROUTING_KEY,
                String.class), "stream-reconcile:" + clock.instant().toEpochMilli(),
                "{}".getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The corrections the provider's list calls for: each stream it has disagreed with for longer than the grace
     * period, online or offline as the provider says. Empty when the provider cannot be asked (its API down,
     * throttling past the tries, an error: one log line a minute), when reconciliation is off here, or when a tick
     * comes within half an interval of the last (every instance sends them).
     */
    public synchronized List<StreamState.Transition> reconcile() throws SQLException, InterruptedException {
        Instant now = clock.instant();
        if (provider == null || now.isBefore(lastReconciled.plus(interval.dividedBy(2)))) {
            return List.of();
        }
        lastReconciled = now;
        Set<StreamKey> providerOnline;
        try {
            providerOnline = provider.online();
        } catch (ProviderOnlineStreams.ProviderApiException e) {
            long millis = System.currentTimeMillis();
            if (millis - lastFailureLogged > FAILURE_LOG_INTERVAL_MS) {
                lastFailureLogged = millis;
                LOG.warn("Stream state not reconciled this time, no state changed: {}", e.getMessage());
            }
            return List.of();
        }
        Set<StreamKey> disagreeing = disagreeing(providerOnline);
        disagreeingSince.keySet().retainAll(disagreeing);
        List<StreamState.Transition> corrections = new ArrayList<>();
        for (StreamKey stream : disagreeing) {
            Instant since = disagreeingSince.computeIfAbsent(stream, s -> now);
            if (!now.isBefore(since.plus(grace))) {
                StreamState.Transition correction = batch.load(stream).reconciled(providerOnline.contains(stream), now);
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

    /** The streams online here and not at the provider, and the other way round. */
    private Set<StreamKey> disagreeing(Set<StreamKey> providerOnline) throws SQLException {
        // what the batch holds is committed first: the streams online here are read from the store
        batch.commit();
        Set<StreamKey> ours = new HashSet<>();
        StreamStore.Cursor cursor = null;
        do {
            StreamStore.Page page = store.online(null, null, cursor, 1000);
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
        return disagreeing;
    }
}
