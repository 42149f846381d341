package io.cssgateway.observe;

import io.cssgateway.support.ExchangeProperties;
import io.cssgateway.tenant.Tenant;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.apache.camel.Exchange;
import org.apache.camel.language.simple.Simple;

/**
 * The gateway's own metrics, in the Micrometer registry that camel-micrometer-prometheus serves at
 * {@code /observe/metrics} on the management port. Names follow Prometheus' conventions once exported (a counter
 * ends in {@code _total}, a duration is in seconds). Tags hold only values
 * from a bounded set: a request's verdict and reason, and the event type and routing key of an accepted (so signed,
 * or listed as unsigned) event, never anything a client chooses freely. Every metric's name and text is here, and
 * docs/operating.md lists each with what it tells.
 */
public final class GatewayMetrics {

    /** The verdicts of a callback's audit line; the audit log also records undelivered digests, counted apart. */
    private static final Set<String> REQUEST_VERDICTS = Set.of("accepted", "duplicate", "rejected");
    // from about a millisecond (a confirm on this host) to the provider's 20 s
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20)};

    private final MeterRegistry registry;
    private final Map<List<String>, Counter> requests = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> events = new ConcurrentHashMap<>();
    private final Timer answered;
    private final Timer confirmed;
    private final Counter notReady;
    private final Map<List<String>, Counter> alerts = new ConcurrentHashMap<>();
    // Micrometer holds a FunctionCounter's source weakly: a method reference or lambda held by nothing else would be
    // collected, and its counter would stop at its last value. Held here for the registry's life.
    private final List<LongSupplier> countedElsewhere = new CopyOnWriteArrayList<>();

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.answered = latency("css.gateway.answer", "Time from a callback's arrival to its answer");
        this.confirmed = latency("css.gateway.publish.confirm",
                "Time from an event's publish to RabbitMQ's confirm (or its failure), live and from the spool");
        this.notReady = Counter.builder("css.gateway.not.ready.answers")
                .description("Callbacks answered 503 (Retry-After) while the gateway was starting or stopping")
                .register(registry);
    }

    /**
     * Counts one request by its audit line (write-audit-line): by verdict, reason and tenant, its answer's latency,
     * and an accepted event by type, routing key and tenant. The tenant label's values are the configured tenants'
     * names ("" for none): a client cannot make new ones.
     */
    public void request(Exchange exchange) {
        String verdict = exchange.getProperty(ExchangeProperties.VERDICT, String.class);
        if (verdict == null || !REQUEST_VERDICTS.contains(verdict)) {
            return;
        }
        String reason = exchange.getProperty(ExchangeProperties.REASON, verdict, String.class);
        Tenant owner = exchange.getProperty(ExchangeProperties.TENANT, Tenant.class);
        String tenant = owner == null ? "" : owner.getName();
        requests.computeIfAbsent(List.of(verdict, reason, tenant), tags -> Counter.builder("css.gateway.requests")
                .description("Callbacks answered, by verdict (accepted, duplicate, rejected), reason and tenant")
                .tag("verdict", tags.get(0)).tag("reason", tags.get(1)).tag("tenant", tags.get(2))
                .register(registry)).increment();
        answered.record(System.currentTimeMillis() - exchange.getClock().getCreated(), TimeUnit.MILLISECONDS);
        if ("accepted".equals(verdict)) {
            String type = String.valueOf(exchange.getProperty(ExchangeProperties.EVENT_TYPE));
            String routingKey = String.valueOf(exchange.getProperty(ExchangeProperties.ROUTING_KEY));
            events.computeIfAbsent(List.of(type, routingKey, tenant), tags -> Counter.builder("css.gateway.events")
                    .description("Events handed on (published or spooled), by event_type, routing key and tenant")
                    .tag("event_type", tags.get(0)).tag("routing_key", tags.get(1)).tag("tenant", tags.get(2))
                    .register(registry)).increment();
        }
    }

    /** Times each publish until RabbitMQ confirms it or it fails. */
    public Timer publishConfirm() {
        return confirmed;
    }

    /** Counts the callbacks answered 503 before the routes had started or once Camel began to stop. */
    public Counter notReadyAnswers() {
        return notReady;
    }

    /** An alert delivered to one channel (send-alert-mail, deliver-alert-webhook). */
    public void alertSent(@Simple("${exchangeProperty.delivery.channel}") String channel,
            @Simple("${exchangeProperty.delivery.kind}") String kind) {
        alert(channel, kind, "sent");
    }

    /** An alert given up on one channel after its last try, and audited (alert-mail-retries, alert-webhook-retries). */
    public void alertUndelivered(@Simple("${exchangeProperty.delivery.channel}") String channel,
            @Simple("${exchangeProperty.delivery.kind}") String kind) {
        alert(channel, kind, "undelivered");
    }

    /** The channels' counters from the start at zero, so that an alerting rule sees the first undelivered alert. */
    public void alertChannels(List<String> channels, List<String> kinds) {
        for (String channel : channels) {
            for (String kind : kinds) {
                if (!(channel.equals("mail") && kind.equals("mail"))) {
                    alert(channel, kind, "sent", 0);
                    alert(channel, kind, "undelivered", 0);
                }
            }
        }
    }

    private void alert(String channel, String kind, String outcome) {
        alert(channel, kind, outcome, 1);
    }

    private void alert(String channel, String kind, String outcome, int count) {
        // label values only from configuration: "mail" and the names of gateway.alert.webhooks, the kinds of alerts
        alerts.computeIfAbsent(List.of(channel, kind, outcome), tags -> Counter.builder("css.gateway.alert.deliveries")
                .description("Alerts per channel (mail, each chat webhook) and kind, by outcome: sent, or undelivered "
                        + "after the last try (audited; mail kept as a file)")
                .tag("channel", tags.get(0)).tag("kind", tags.get(1)).tag("outcome", tags.get(2)).register(registry))
                .increment(count);
    }

    /** The alert mails tried again after SMTP failed, counted where each retry begins (MailState). */
    public void mailRetries(LongSupplier retries) {
        counted("css.gateway.alert.mail.retries", "Alert mails tried again after SMTP failed", retries);
    }

    /** The messages parked on the unrouted queue, as watch-broker last counted them (absent while unknown). */
    public void unrouted(LongSupplier parked) {
        gauge("css.gateway.unrouted.messages", "Messages parked on the unrouted queue (no binding takes them), "
                + "as last counted; NaN while RabbitMQ cannot say", null, () -> {
                    long count = parked.getAsLong();
                    return count < 0 ? Double.NaN : count;
                });
    }

    /** The spool's depth and the age of its oldest event, read when Prometheus scrapes. */
    public void spool(IntSupplier depth, LongSupplier oldestAgeSeconds) {
        gauge("css.gateway.spool.events", "Events waiting in the spool for RabbitMQ", null, depth::getAsInt);
        gauge("css.gateway.spool.oldest.age", "How long the oldest spooled event has waited", "seconds",
                oldestAgeSeconds::getAsLong);
    }

    /** With the shared store, those in memory in front of the database (its table is not counted on every scrape). */
    /** The identities held in memory, and the new identities checked in the shared store's database. */
    public void dedup(IntSupplier entries, LongSupplier databaseChecks) {
        gauge("css.gateway.dedup.entries", "Event identities the de-duplication store holds in memory", null,
                entries::getAsInt);
        counted("css.gateway.dedup.database.checks", "New event identities checked in the shared "
                + "de-duplication table, memory not holding every identity of its window", databaseChecks);
    }

    public void auditWriteFailures(LongSupplier failures) {
        counted("css.gateway.audit.write.failures", "Audit lines that could not be written", failures);
    }

    /**
     * The audit index: how far behind the files it is, the lines it indexed and passed over, the passes that waited
     * for a less busy machine.
     */
    public void auditIndex(LongSupplier behindBytes, LongSupplier indexed, LongSupplier skipped, LongSupplier deferred) {
        gauge("css.gateway.audit.index.behind", "Bytes of the audit files not yet in the audit index", "bytes",
                behindBytes::getAsLong);
        counted("css.gateway.audit.index.lines", "Audit lines copied to the audit index", indexed);
        counted("css.gateway.audit.index.skipped", "Audit file lines not indexed: not audit lines (corrupt, cut short)",
                skipped);
        counted("css.gateway.audit.index.deferred", "Passes of the audit indexer that waited for a less busy machine",
                deferred);
    }

    public void brokerUp(BooleanSupplier up) {
        gauge("css.gateway.broker.up", "1 while RabbitMQ takes events, 0 while they are spooled", null,
                () -> up.getAsBoolean() ? 1 : 0);
    }

    /**
     * The intake's HTTP connections: open now, and closed by the gateway since the start, by reason.
     *
     * @param closed for each reason (idle, slow, limit), how many were closed so far
     */
    public void httpConnections(IntSupplier open, Map<String, LongSupplier> closed) {
        gauge("css.gateway.http.connections", "HTTP connections open on the intake", null, open::getAsInt);
        closed.forEach((reason, count) -> FunctionCounter.builder("css.gateway.http.connections.closed",
                        held(count), LongSupplier::getAsLong)
                .description("HTTP connections the gateway closed: idle (nothing moved for the idle timeout), slow (no "
                        + "whole request within the request timeout), limit (at the connection limit, closed at once)")
                .tag("reason", reason).register(registry));
    }

    /**
     * The stream state: streams online now (from the store, shared by every instance), changes of state saved by this
     * instance, and messages on the stream queue that were not a push or interruption of a stream.
     */
    public void streams(LongSupplier online, LongSupplier wentOnline, LongSupplier wentOffline,
            LongSupplier untrackable) {
        gauge("css.gateway.streams.online", "Streams online now (every instance's view: the shared store)", null,
                online::getAsLong);
        for (Map.Entry<String, LongSupplier> changes : Map.of("online", wentOnline, "offline", wentOffline).entrySet()) {
            FunctionCounter.builder("css.gateway.stream.state.changes", held(changes.getValue()),
                            LongSupplier::getAsLong)
                    .description("Changes of a stream's state this instance published and saved, by the new state")
                    .tag("state", changes.getKey()).register(registry);
        }
        counted("css.gateway.stream.untrackable", "Messages on the stream queue that were no push or interruption "
                + "of a stream (taken off the queue, changing nothing)", untrackable);
    }

    /** Spans dropped because the trace exporter's queue was full (tracing on; 0 otherwise). */
    public void traceSpansDropped(LongSupplier dropped) {
        counted("css.gateway.trace.spans.dropped", "Spans not exported: the exporter's queue was full (the collector "
                + "away or too slow)", dropped);
    }

    /** A value read when Prometheus scrapes. */
    private void gauge(String name, String description, String baseUnit, DoubleSupplier value) {
        Gauge.builder(name, value::getAsDouble).description(description).baseUnit(baseUnit).register(registry);
    }

    /** A count kept elsewhere (such as the audit log's failures), read when Prometheus scrapes. */
    private void counted(String name, String description, LongSupplier count) {
        FunctionCounter.builder(name, held(count), LongSupplier::getAsLong).description(description)
                .register(registry);
    }

    private LongSupplier held(LongSupplier count) {
        countedElsewhere.add(count);
        return count;
    }

    private Timer latency(String name, String description) {
        return Timer.builder(name).description(description).serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
    }

}
