package io.cssgateway.replay;

import io.cssgateway.audit.AuditEntries;
import io.cssgateway.event.EventMessage;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.publish.Broker;
import io.cssgateway.publish.BrokerFailures;
import io.cssgateway.publish.ConfirmedPublisher;
import io.cssgateway.publish.Topology;
import io.cssgateway.support.Settings;
import io.cssgateway.trace.TraceBeans;
import io.cssgateway.trace.TraceExport;
import io.cssgateway.trace.Tracing;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.camel.impl.DefaultCamelContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar css-callback-gateway.jar replay ...}: sends events again from the audit log (to RabbitMQ, as first
 * published, with {@code css_replayed=true}; or re-signed to another receiver's URL), or moves the unrouted queue's
 * messages back to the exchange. Same configuration as the gateway; it can run while the gateway runs. Exit 0 when
 * everything selected was confirmed (or answered 200), 1 when not, 2 for a wrong command line.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Sends accepted events again from the audit log (gateway.audit.dir): to RabbitMQ as first "
                + "published, plus the header css_replayed=true, with publisher confirms; or, with --to-url, re-posted "
                + "as the provider would post them. With --unrouted, moves the messages parked on the unrouted queue "
                + "back to the exchange.", "Configuration as the gateway's: application.properties, -Dkey=value, "
                + "the environment."},
        exitCodeOnInvalidInput = 2, exitCodeOnExecutionException = 1)
public final class ReplayCommand implements Callable<Integer> {

    /** Publishes waiting for their confirm at most: memory stays flat however many lines are read. */
    private static final int IN_FLIGHT = 2_000;

    @Option(names = "--from", paramLabel = "TIME", converter = IsoTimeConverter.class,
            description = "received at or after this ISO-8601 time (2026-11-30T10:00:00Z, or with an offset)")
    Instant from;

    @Option(names = "--to", paramLabel = "TIME", converter = IsoTimeConverter.class,
            description = "received before this time (default: now)")
    Instant to;

    @Option(names = "--event-type", paramLabel = "N", split = ",",
            description = "only these event types (repeat, or comma-separated: 0,1)")
    Set<Integer> eventTypes;

    @Option(names = "--stream", paramLabel = "STREAM_ID", description = "only this stream_id")
    String stream;

    @Option(names = "--app", paramLabel = "APP", description = "only this app (push domain)")
    String app;

    @Option(names = "--routing-key", paramLabel = "PATTERN",
            description = "only routing keys matching this topic pattern (stream.interrupt.#, *.push)")
    String routingKey;

    @Option(names = "--dry-run", description = "count what would be sent; send nothing")
    boolean dryRun;

    @Option(names = "--rate", paramLabel = "N", description = "at most N messages a second (default: no limit)")
    int rate;

    @Option(names = "--unrouted", description = "move the messages on gateway.rabbitmq.unrouted-queue back to the exchange")
    boolean unrouted;

    @Option(names = "--to-url", paramLabel = "URL", description = "re-post the selected callbacks to this URL instead")
    URI toUrl;

    @Option(names = "--key", paramLabel = "KEY", description = "with --to-url: the receiver's callback key, to sign with")
    String key;

    @Option(names = "--progress-seconds", paramLabel = "S", defaultValue = "5", hidden = true)
    int progressSeconds;

    private final PrintWriter out;
    private final Clock clock;
    private Tracing tracing = Tracing.off();

    public ReplayCommand(PrintWriter out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    @Override
    public Integer call() throws Exception {
        if (unrouted && (from != null || toUrl != null)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--unrouted moves the whole unrouted queue: it takes no --from, --to or --to-url");
        }
        if (!unrouted && from == null) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--from is required (or --unrouted)");
        }
        if (toUrl != null && (key == null || key.isEmpty())) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--to-url needs --key, the receiver's key");
        }
        Selection selection = null;
        if (!unrouted) {
            try {
                selection = new Selection(from, to == null ? clock.instant() : to, eventTypes, stream, app, routingKey);
            } catch (IllegalArgumentException wrongWindow) {
                throw new CommandLine.ParameterException(new CommandLine(this), wrongWindow.getMessage());
            }
        }
        try (DefaultCamelContext camel = Settings.forCommandLine()) {
            Settings settings = new Settings(camel);
            // with tracing on, each message published again is a span, its context in the message, as the gateway's
            TraceExport export = TraceBeans.export(settings);
            tracing = export == null ? Tracing.off() : Tracing.on(export, false, "");
            try {
                if (unrouted) {
                    return moveUnrouted(settings);
                }
                return toUrl != null ? repost(settings, selection) : republish(settings, selection);
            } finally {
                if (export != null) {
                    export.close();
                }
            }
        }
    }

    private AuditEntries auditEntries(Settings settings) {
        return new AuditEntries(Path.of(settings.text("gateway.audit.dir")), corrupt -> out.println("skipped " + corrupt));
    }

    private int republish(Settings settings, Selection selection) throws Exception {
        ReplayedEvents events = new ReplayedEvents(new EventMessage(settings.list("gateway.classify.decoded-fields")));
        AuditEntries audit = auditEntries(settings);
        Counts counts = new Counts();
        Map<String, Long> byRoutingKey = new TreeMap<>();
        Broker broker = dryRun ? null : broker(settings);
        ConfirmedPublisher publisher = broker == null ? null : broker.publisher();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        Pacer pacer = new Pacer(rate);
        try {
            if (publisher != null) {
                publisher.start();
                // at once, with the reason, rather than event by event
                try {
                    publisher.requireReachable();
                } catch (Exception unusable) {
                    throw new IllegalStateException("RabbitMQ at " + settings.text("gateway.rabbitmq.addresses")
                            + " cannot take the events: " + BrokerFailures.describe(unusable), unusable);
                }
            }
            audit.read(selection.from(), selection.to(), entry -> {
                counts.read.incrementAndGet();
                if (!selection.selects(entry.audit())) {
                    counts.progress(out, progressSeconds, "replay");
                    return;
                }
                OutgoingEvent event;
                try {
                    event = events.rebuild(entry.audit());
                } catch (RuntimeException unusable) {
                    counts.corrupt.incrementAndGet();
                    out.println("skipped " + entry.file() + ":" + entry.line() + ": " + unusable.getMessage());
                    return;
                }
                counts.selected.incrementAndGet();
                byRoutingKey.merge(event.routingKey(), 1L, Long::sum);
                if (publisher != null) {
                    pacer.await();
                    inFlight.acquireUninterruptibly();
                    counts.sent.incrementAndGet();
                    publisher.publish(event).whenComplete((ok, failure) -> {
                        (failure == null ? counts.confirmed : counts.failed).incrementAndGet();
                        inFlight.release();
                    });
                }
                counts.progress(out, progressSeconds, "replay");
            });
            inFlight.acquireUninterruptibly(IN_FLIGHT);
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
        out.printf("replay %s: %d audit lines read, %d selected%s, %d sent, %d confirmed, %d not confirmed, "
                + "%d corrupt lines skipped%n", dryRun ? "(dry run)" : "done", counts.read.get(), counts.selected.get(),
                byRoutingKey.isEmpty() ? "" : " " + byRoutingKey, counts.sent.get(), counts.confirmed.get(),
                counts.failed.get(), audit.corruptLines() + counts.corrupt.get());
        return counts.failed.get() == 0 ? 0 : 1;
    }

    private int repost(Settings settings, Selection selection) throws Exception {
        CallbackReposter reposter = new CallbackReposter(toUrl, key, Duration.ofMinutes(10), clock);
        AuditEntries audit = auditEntries(settings);
        Counts counts = new Counts();
        Map<Integer, Long> statuses = new TreeMap<>();
        Pacer pacer = new Pacer(rate);
        audit.read(selection.from(), selection.to(), entry -> {
            counts.read.incrementAndGet();
            if (selection.selects(entry.audit()) && entry.audit().body().isObject()) {
                counts.selected.incrementAndGet();
                if (!dryRun) {
                    pacer.await();
                    counts.sent.incrementAndGet();
                    try {
                        statuses.merge(reposter.post(entry.audit().body()), 1L, Long::sum);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                }
            }
            counts.progress(out, progressSeconds, "replay to " + toUrl);
        });
        long ok = statuses.getOrDefault(200, 0L);
        out.printf("replay to %s %s: %d audit lines read, %d selected, %d sent, answers %s (-1: not reached), "
                + "%d corrupt lines skipped%n", toUrl, dryRun ? "(dry run)" : "done", counts.read.get(),
                counts.selected.get(), counts.sent.get(), statuses, audit.corruptLines());
        return ok == counts.sent.get() ? 0 : 1;
    }

    private int moveUnrouted(Settings settings) throws Exception {
        String queue = settings.text("gateway.rabbitmq.unrouted-queue");
        Broker broker = broker(settings);
        try (var connection = broker.connectionFactory().getRabbitConnectionFactory().newConnection(
                ConfirmedPublisher.CONNECTION_NAME + " replay");
                var channel = connection.createChannel()) {
            if (dryRun) {
                out.printf("replay --unrouted (dry run): %d messages wait on %s%n",
                        channel.queueDeclarePassive(queue).getMessageCount(), queue);
                return 0;
            }
            Counts counts = new Counts();
            Pacer pacer = new Pacer(rate);
            UnroutedRedrive.Moved moved = new UnroutedRedrive(channel, queue, settings.text("gateway.rabbitmq.exchange"),
                    Duration.ofMillis(settings.integer("gateway.rabbitmq.confirm-timeout-ms"))).moveAll(() -> {
                        counts.confirmed.incrementAndGet();
                        counts.progress(out, progressSeconds, "replay --unrouted");
                        pacer.await();
                    });
            out.printf("replay --unrouted done: %d of the %d messages on %s moved to %s (each confirmed, then "
                    + "acknowledged)%n", moved.moved(), moved.parked(), queue, settings.text("gateway.rabbitmq.exchange"));
            return 0;
        } finally {
            broker.connectionFactory().destroy();
        }
    }

    /** RabbitMQ as the gateway reaches it; the gateway's own queues are the gateway's business, not replay's. */
    private Broker broker(Settings settings) {
        return Broker.of(settings, Topology.read(settings, List.of()), tracing);
    }

    /** What a run counted; a progress line every few seconds. */
    private static final class Counts {
        final AtomicLong read = new AtomicLong();
        final AtomicLong selected = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong confirmed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong corrupt = new AtomicLong();
        private long lastProgress = System.nanoTime();

        void progress(PrintWriter out, int everySeconds, String what) {
            long now = System.nanoTime();
            if (now - lastProgress > TimeUnit.SECONDS.toNanos(everySeconds)) {
                lastProgress = now;
                out.printf("%s: %d lines read, %d selected, %d sent, %d confirmed, %d not confirmed%n", what, read.get(),
                        selected.get(), sent.get(), confirmed.get(), failed.get());
            }
        }
    }

    /** At most {@code perSecond} calls of {@link #await} a second; 0: no limit. */
    private static final class Pacer {
        private final long intervalNanos;
        private long next = System.nanoTime();

        Pacer(int perSecond) {
            this.intervalNanos = perSecond > 0 ? TimeUnit.SECONDS.toNanos(1) / perSecond : 0;
        }

        void await() {
            if (intervalNanos == 0) {
                return;
            }
            long now = System.nanoTime();
            if (next > now) {
                LockSupport.parkNanos(next - now);
            }
            next = Math.max(next, now) + intervalNanos;
        }
    }

    /** ISO-8601: an instant (2026-11-30T10:00:00Z) or a time with an offset (2026-11-30T18:00:00+08:00). */
    static final class IsoTimeConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return OffsetDateTime.parse(value).toInstant();
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not an ISO-8601 time such as "
                        + "2026-11-30T10:00:00Z");
            }
        }
    }
}
