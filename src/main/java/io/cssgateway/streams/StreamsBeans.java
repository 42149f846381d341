package io.cssgateway.streams;

import io.cssgateway.support.ClosedWithCamel;
import io.cssgateway.support.Settings;
import io.cssgateway.support.Stores;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream state of routes/streams.camel.yaml ({@code gateway.streams.*}): its store ({@code streamStore}), the
 * beans the routes call ({@code streamStates}, {@code streamReconciler}); {@code /api/streams} answers from the store
 * ({@code io.cssgateway.api}).
 */
public final class StreamsBeans {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsBeans.class);

    private StreamsBeans() {}

    /** Whether the gateway keeps the stream state ({@code gateway.streams.enabled}). */
    public static boolean enabled(Settings settings) {
        return settings.bool("gateway.streams.enabled");
    }

    /** The stream queue's name ({@code gateway.streams.queue}). */
    public static String queue(Settings settings) {
        return settings.text("gateway.streams.queue");
    }

    /**
     * The routing keys the stream queue is bound with: every push and every interruption under each of the events'
     * prefixes (the house prefix, and it with each tenant's), and the reconciliation's ticks under the house prefix.
     */
    public static List<String> bindingKeys(String housePrefix, List<String> eventPrefixes) {
        List<String> keys = new ArrayList<>();
        for (String prefix : eventPrefixes) {
            keys.add(prefix + "stream.push");
            keys.add(prefix + "stream.interrupt.#");
        }
        keys.add(housePrefix + "stream.reconcile");
        return keys;
    }

    /**
     * Binds {@code streamStates}; when the stream state is on, with its store (PostgreSQL when
     * {@code gateway.dedup.store=jdbc}, else a local file) and the API, and returns it; null when it is off.
     */
    public static StreamStates bind(CamelContext camelContext, Settings settings) throws Exception {
        if (!enabled(settings)) {
            if (settings.bool("gateway.streams.reconcile.enabled")) {
                throw new IllegalStateException("gateway.streams.reconcile.enabled=true needs the stream state: "
                        + "gateway.streams.enabled=true");
            }
            camelContext.getRegistry().bind("streamStates", StreamStates.off());
            camelContext.getRegistry().bind("streamReconciler", new StreamReconciler(null, null, null, Duration.ZERO,
                    Duration.ZERO, Clock.systemUTC()));
            return null;
        }
        StreamStore store = store(settings);
        ClosedWithCamel.register(camelContext, "the stream state store", store);
        camelContext.getRegistry().bind("streamStore", store);
        StreamBatch batch = new StreamBatch(store, (int) settings.positive("gateway.streams.batch-size"),
                Duration.ofMillis(settings.positive("gateway.streams.batch-ms")));
        // its committer runs with Camel; the last batch is committed as Camel begins to stop, while the stream queue's
        // channels are open to acknowledge it
        camelContext.addService(batch);
        camelContext.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext context) {
                batch.stopping();
            }
        });
        StreamStates states = new StreamStates(store, batch,
                Duration.ofSeconds(settings.positive("gateway.streams.closed-retention-seconds")),
                Duration.ofDays(settings.positive("gateway.streams.offline-retention-days")), Clock.systemUTC());
        camelContext.getRegistry().bind("streamStates", states);
        camelContext.getRegistry().bind("streamReconciler", reconciler(settings, store, batch));
        LOG.info("Stream state: kept in {} (table prefix {}), from queue {}; /api/streams on the management port",
                store.where(), settings.text("gateway.streams.jdbc.table"), queue(settings));
        return states;
    }

    /**
     * The reconciler: with gateway.streams.reconcile.enabled, of the provider's API as gateway.streams.reconcile.*
     * says, its SecretId and SecretKey from the environment; else one that changes nothing on a tick (another
     * instance may send them).
     */
    private static StreamReconciler reconciler(Settings settings, StreamStore store, StreamBatch batch) {
        Duration interval = Duration.ofMillis(settings.positive("gateway.streams.reconcile.interval-ms"));
        Duration grace = Duration.ofSeconds(settings.positive("gateway.streams.reconcile.grace-seconds"));
        if (!settings.bool("gateway.streams.reconcile.enabled")) {
            return new StreamReconciler(store, batch, null, grace, interval, Clock.systemUTC());
        }
        String secretId = settings.optional("gateway.streams.reconcile.secret-id");
        String secretKey = settings.optional("gateway.streams.reconcile.secret-key");
        if (secretId.isEmpty() || secretKey.isEmpty()) {
            throw new IllegalStateException("gateway.streams.reconcile.enabled=true needs the account's API key: set "
                    + "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY in the environment (a key allowed "
                    + "live:DescribeLiveStreamOnlineList, nothing more)");
        }
        URI endpoint = URI.create(settings.text("gateway.streams.reconcile.endpoint"));
        if (endpoint.getHost() == null) {
            throw new IllegalStateException("gateway.streams.reconcile.endpoint must be a URL such as "
                    + "https://live.tencentcloudapi.com, got '" + endpoint + "'");
        }
        LOG.info("Stream state reconciled with the provider's list of online streams ({}) every {} s; a stream is "
                + "corrected once they disagree for {} s", endpoint, interval.toSeconds(), grace.toSeconds());
        return new StreamReconciler(store, batch, new ProviderOnlineStreams(endpoint,
                new TencentCloudSigner(secretId, secretKey), settings.optional("gateway.streams.reconcile.region"),
                (int) settings.positive("gateway.streams.reconcile.page-size"), Duration.ofSeconds(10),
                Duration.ofMillis(settings.positive("gateway.streams.reconcile.throttled-pause-ms")),
                Clock.systemUTC()), grace, interval, Clock.systemUTC());
    }

    private static StreamStore store(Settings settings) throws Exception {
        String table = settings.text("gateway.streams.jdbc.table");
        String deployment = settings.text("gateway.rabbitmq.exchange");
        Duration connectTimeout = Duration.ofMillis(settings.positive("gateway.dedup.jdbc.connect-timeout-ms"));
        // one truth for every instance (gateway.streams.store), or a local file: every commit reaches it at once;
        // pages compressed (half the file, and faster here: bench/README.md, stream state)
        Stores.Store store = Stores.of(settings, "gateway.streams.store", "gateway.streams.dir", "streams",
                ";WRITE_DELAY=0;CACHE_SIZE=32768;COMPRESS=TRUE");
        return new StreamStore(store.dataSource(), store.where(), table, deployment,
                (int) settings.positive("gateway.streams.jdbc.pool-size"), connectTimeout);
    }
}
