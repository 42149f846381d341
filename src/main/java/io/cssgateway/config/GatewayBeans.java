package io.cssgateway.config;

import io.cssgateway.alert.AlertBeans;
import io.cssgateway.alert.AlertPolicy;
import io.cssgateway.alert.MailState;
import io.cssgateway.alert.Notice;
import io.cssgateway.api.ApiBeans;
import io.cssgateway.audit.AuditBeans;
import io.cssgateway.audit.AuditIndexer;
import io.cssgateway.audit.AuditLog;
import io.cssgateway.classify.ClassifyBeans;
import io.cssgateway.dedup.DedupBeans;
import io.cssgateway.dev.DevServices;
import io.cssgateway.event.EventTypes;
import io.cssgateway.intake.CallbackGate;
import io.cssgateway.intake.ConnectionGuard;
import io.cssgateway.intake.IntakeBeans;
import io.cssgateway.intake.IntakeHttpServer;
import io.cssgateway.observe.GatewayMetrics;
import io.cssgateway.observe.ObserveBeans;
import io.cssgateway.observe.WritableFolders;
import io.cssgateway.publish.BrokerState;
import io.cssgateway.publish.PublishBeans;
import io.cssgateway.publish.Topology;
import io.cssgateway.publish.UnroutedQueue;
import io.cssgateway.reload.RoutesReloader;
import io.cssgateway.spool.Spool;
import io.cssgateway.spool.SpoolBeans;
import io.cssgateway.streams.StreamStates;
import io.cssgateway.streams.StreamsBeans;
import io.cssgateway.support.Settings;
import io.cssgateway.tenant.Tenants;
import io.cssgateway.trace.TraceBeans;
import io.cssgateway.trace.Tracing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wiring, the one place the gateway's beans are bound (named in {@code camel.main.configuration-classes}): each
 * stage builds its own from its configuration keys ({@code IntakeBeans}, {@code ClassifyBeans}, ...: a new setting is
 * read where its stage is), and this class hands each what it needs of the others. Beans are bound here rather than
 * with {@code @BindToRegistry}, which Camel 4.18 Main invokes twice per configuration class (two broker connections,
 * two handles on the de-duplication file).
 */
public final class GatewayBeans implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayBeans.class);

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        Settings settings = new Settings(camelContext);
        GatewayMetrics metrics = ObserveBeans.metrics(camelContext);
        Tracing tracing = TraceBeans.bind(camelContext, settings);
        CallbackGate gate = new CallbackGate();
        IntakeHttpServer httpServer = IntakeBeans.bindHttpServer(camelContext, settings, gate,
                metrics.notReadyAnswers(), tracing);
        Map<String, LongSupplier> closed = new LinkedHashMap<>();
        Arrays.stream(ConnectionGuard.Closed.values()).forEach(r -> closed.put(r.label(), () -> httpServer.connectionsClosed(r)));
        metrics.httpConnections(httpServer::openConnections, closed);

        EventTypes eventTypes = bindPipeline(camelContext, settings);
        if (isDevProfile(settings)) {
            // before the gateway connects: the broker it connects to is one of these
            camelContext.addService(DevServices.of(settings));
        }
        if (settings.bool("gateway.routes.reload")) {
            camelContext.addService(new RoutesReloader(camelContext,
                    settings.text("camel.main.routes-include-pattern"), gate));
        }
        PublishBeans.bindBroker(camelContext, settings, topology(settings, eventTypes), metrics.publishConfirm(),
                tracing);
        metrics.unrouted(() -> unroutedCount(camelContext));
        AuditIndexer indexer = ApiBeans.bind(camelContext, settings);
        if (indexer != null) {
            metrics.auditIndex(indexer::behindBytes, indexer::indexedLines, indexer::skippedLines,
                    indexer::deferredPasses);
        }
        LOG.info("Off: {}", String.join("; ", whatIsOff(settings)));
    }

    /**
     * The beans the routes call from the intake to the audit line and the alert digests, all but the HTTP server's
     * and RabbitMQ's ({@code confirmedPublish}, {@code confirmedPublisher}, {@code rabbitConnectionFactory}); the
     * route tests bind these too. Returns the event-type table.
     */
    public static EventTypes bindPipeline(CamelContext camelContext, Settings settings) throws Exception {
        GatewayMetrics metrics = ObserveBeans.metrics(camelContext);
        Tracing tracing = TraceBeans.bind(camelContext, settings);
        EventTypes eventTypes = ClassifyBeans.bind(camelContext, settings);
        Tenants tenants = IntakeBeans.bindChecks(camelContext, settings, eventTypes);
        DedupBeans.Counts seen = DedupBeans.bind(camelContext, settings, eventTypes, tracing);
        Spool spool = SpoolBeans.bind(camelContext, settings);
        BrokerState brokerState = PublishBeans.bindEventMessage(camelContext, settings, spool::depth);
        AuditLog auditLog = AuditBeans.bind(camelContext, settings, IntakeBeans.callbackKeys(settings, tenants));
        WritableFolders folders = new WritableFolders(Map.of(
                "spool", Path.of(settings.text("gateway.spool.dir")),
                "audit", Path.of(settings.text("gateway.audit.dir"))));
        MailState mailState = AlertBeans.bind(camelContext, settings, tenants, new AlertBeans.TroubleChecks(
                brokerState::downSince, brokerState::downReason, spool::depth, spool::oldestAgeSeconds, folders,
                () -> unroutedCount(camelContext)));
        StreamStates streamStates = StreamsBeans.bind(camelContext, settings);

        ObserveBeans.bindReadiness(camelContext, brokerState::notTakingEvents, folders);
        metrics.spool(spool::depth, spool::oldestAgeSeconds);
        metrics.dedup(seen.inMemory(), seen.databaseChecks());
        metrics.auditWriteFailures(auditLog::failures);
        metrics.brokerUp(brokerState::isUp);
        metrics.traceSpansDropped(tracing::droppedSpans);
        metrics.mailRetries(mailState::retries);
        if (AlertBeans.enabled(settings)) {
            metrics.alertChannels(AlertBeans.channelNames(settings), Notice.KINDS);
        }
        if (streamStates != null) {
            metrics.streams(streamStates::online, streamStates::wentOnline, streamStates::wentOffline,
                    streamStates::untrackable);
        }
        return eventTypes;
    }

    /** The unrouted queue's last count (watch-broker counts it); -1 while unknown, and where no broker is bound. */
    private static long unroutedCount(CamelContext camelContext) {
        UnroutedQueue queue = camelContext.getRegistry().lookupByNameAndType("unroutedQueue", UnroutedQueue.class);
        return queue == null ? -1 : queue.lastCount();
    }

    /**
     * The gateway's RabbitMQ topology, as the gateway declares (or checks) it and the {@code broker-definitions}
     * command writes it: the exchanges of {@code gateway.rabbitmq.*} and the gateway's own queues, each with
     * single-active-consumer (one consumer at a time across all instances): the alert queue, bound to the routing key
     * of each alerting category, and the heartbeat queue, when alerts are on; the stream queue, bound to every push and
     * interruption, when the stream state is on (both also under each tenant's routing-key prefix); the dev profile's
     * tap, bound to everything.
     */
    public static Topology topology(Settings settings, EventTypes eventTypes) {
        List<Topology.BoundQueue> queues = new ArrayList<>();
        Map<String, Object> oneConsumer = Map.of("x-single-active-consumer", true);
        String house = settings.optional("gateway.rabbitmq.routing-key-prefix");
        // the events of a tenant with a routing-key prefix of its own come under it too
        List<String> eventPrefixes = new ArrayList<>(List.of(house));
        Tenants.routingKeyPrefixes(settings).forEach(tenant -> eventPrefixes.add(house + tenant));
        if (AlertBeans.enabled(settings)) {
            AlertPolicy policy = AlertBeans.policy(settings);
            queues.add(new Topology.BoundQueue(AlertBeans.queue(settings), true, oneConsumer,
                    eventPrefixes.stream().flatMap(prefix -> policy.bindingKeys(eventTypes, prefix).stream())
                            .toList()));
            queues.add(new Topology.BoundQueue(AlertBeans.heartbeatQueue(settings), true, oneConsumer,
                    List.of(settings.optional("gateway.rabbitmq.routing-key-prefix") + AlertBeans.HEARTBEAT_KEY)));
        }
        if (StreamsBeans.enabled(settings)) {
            queues.add(new Topology.BoundQueue(StreamsBeans.queue(settings), true, oneConsumer,
                    StreamsBeans.bindingKeys(house, eventPrefixes)));
        }
        if (isDevProfile(settings)) {
            queues.add(new Topology.BoundQueue(DevServices.tapQueue(settings), false, Map.of(), List.of("#")));
        }
        return Topology.read(settings, queues);
    }

    private static boolean isDevProfile(Settings settings) {
        return "dev".equals(settings.optional("camel.main.profile"));
    }

    /** The optional parts that are off, each with the setting that turns it on (one line at start). */
    static List<String> whatIsOff(Settings settings) {
        List<String> off = new ArrayList<>();
        if (!AlertBeans.enabled(settings)) {
            off.add("alerts (gateway.alert.enabled=false" + (settings.list("gateway.alert.to").isEmpty()
                    && settings.list("gateway.alert.webhooks").isEmpty() ? ")"
                    : ", so none is sent although gateway.alert.to or gateway.alert.webhooks is set)"));
        }
        if (!StreamsBeans.enabled(settings)) {
            off.add("stream state (gateway.streams.enabled=false: no stream.state.* messages, no /api/streams)");
        }
        if (!settings.bool("gateway.audit.rabbitmq.enabled")) {
            off.add("audit lines to RabbitMQ (gateway.audit.rabbitmq.enabled=false; the audit files are written)");
        }
        if (!settings.bool("gateway.routes.reload")) {
            off.add("route file reload (gateway.routes.reload=false)");
        }
        if (!settings.bool("gateway.http.tls.enabled")) {
            off.add("HTTPS on the intake (gateway.http.tls.enabled=false: use it, or TLS on a load balancer)");
        }
        if (settings.list("gateway.http.allowed-sources").isEmpty()) {
            off.add("source allow-list (gateway.http.allowed-sources empty: any address may post)");
        }
        if (!settings.bool("gateway.http.rate-limit.enabled")) {
            off.add("rate limit per source (gateway.http.rate-limit.enabled=false)");
        }
        if (!settings.bool("gateway.audit.index.enabled")) {
            off.add("audit index (gateway.audit.index.enabled=false: no /api/events, the console shows no events)");
        }
        if (settings.optional("gateway.api.token").isEmpty()) {
            off.add("API writes (no GATEWAY_API_TOKEN: /api replay and redrive answer 403)");
        }
        if (off.isEmpty()) {
            off.add("nothing");
        }
        return off;
    }
}
