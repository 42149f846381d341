package io.cssgateway.config;

import com.rabbitmq.client.Address;
import io.cssgateway.alert.AlertDigests;
import io.cssgateway.alert.AlertPolicy;
import io.cssgateway.alert.MailState;
import io.cssgateway.alert.UndeliveredDigests;
import io.cssgateway.audit.AuditFiles;
import io.cssgateway.audit.AuditLog;
import io.cssgateway.classify.ErrcodeTable;
import io.cssgateway.dedup.EventIdentity;
import io.cssgateway.dedup.SeenEvents;
import io.cssgateway.dedup.SharedSeenEvents;
import io.cssgateway.dev.DevServices;
import io.cssgateway.event.EventMessage;
import io.cssgateway.event.EventTypes;
import io.cssgateway.intake.AsyncRoutingHttpEngine;
import io.cssgateway.intake.CallbackGate;
import io.cssgateway.intake.CallbackReader;
import io.cssgateway.intake.ConnectionGuard;
import io.cssgateway.intake.IntakeHttpServer;
import io.cssgateway.intake.ReceiveCallbackRoute;
import io.cssgateway.intake.RequestGuard;
import io.cssgateway.intake.SignatureVerifier;
import io.cssgateway.intake.SourceGuard;
import io.cssgateway.observe.GatewayMetrics;
import io.cssgateway.observe.ReadinessCheck;
import io.cssgateway.observe.WritableFolders;
import io.cssgateway.publish.BrokerState;
import io.cssgateway.publish.BrokerTls;
import io.cssgateway.publish.BrokerTopology;
import io.cssgateway.publish.ConfirmedPublish;
import io.cssgateway.publish.ConfirmedPublisher;
import io.cssgateway.spool.Spool;
import io.cssgateway.support.Integers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * Binds every bean the routes call by name, built from the configuration (application.properties, -D, the
 * environment). Named in {@code camel.main.configuration-classes}. Beans are bound here rather than with
 * {@code @BindToRegistry}, which Camel 4.18 Main invokes twice per configuration class (two broker connections,
 * two handles on the de-duplication file).
 */
public final class GatewayBeans implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayBeans.class);

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        Settings settings = new Settings(camelContext);
        CallbackGate gate = bindHttpIntake(camelContext, settings, metrics(camelContext));
        boolean alertsOn = settings.bool("gateway.alert.enabled");
        AlertPolicy alertPolicy = bindPipeline(camelContext, settings, alertsOn);

        List<BrokerTopology.BoundQueue> queues = new ArrayList<>();
        if (alertsOn) {
            queues.add(alertQueue(settings,
                    camelContext.getRegistry().lookupByNameAndType("eventTypes", EventTypes.class),
                    alertPolicy.alertingCategories()));
        }
        if ("dev".equals(settings.optional("camel.main.profile"))) {
            // before the gateway connects: the broker it connects to is one of these
            camelContext.addService(new DevServices((int) settings.integer("gateway.dev.amqp-port"),
                    (int) settings.integer("gateway.dev.smtp-port"), settings.text("gateway.rabbitmq.exchange"),
                    settings.text("gateway.rabbitmq.alternate-exchange"), Path.of(settings.text("gateway.dev.mail-dir"))));
            queues.add(new BrokerTopology.BoundQueue(settings.text("gateway.dev.tap-queue"), false, Map.of(), List.of("#")));
        }
        if (settings.bool("gateway.routes.reload")) {
            camelContext.addService(new RoutesReloader(camelContext,
                    settings.text("camel.main.routes-include-pattern"), gate));
        }
        bindBroker(camelContext, settings, queues);
        LOG.info("Off: {}", String.join("; ", whatIsOff(settings)));
    }

    /** The optional parts that are off, each with the setting that turns it on (one line at start). */
    static List<String> whatIsOff(Settings settings) {
        List<String> off = new ArrayList<>();
        if (!settings.bool("gateway.alert.enabled")) {
            off.add("alert mail (gateway.alert.enabled=false" + (settings.list("gateway.alert.to").isEmpty() ? ")"
                    : ", so no mail is sent although gateway.alert.to is set)"));
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
        if (off.isEmpty()) {
            off.add("nothing");
        }
        return off;
    }

    /**
     * The HTTP server the callbacks arrive at, and the endpoint that hands them to routes/intake.camel.yaml through
     * the gate that route reloads shut.
     */
    private static CallbackGate bindHttpIntake(CamelContext camelContext, Settings settings, GatewayMetrics metrics)
            throws Exception {
        Registry registry = camelContext.getRegistry();
        int port = (int) settings.integer("camel.server.port");
        CallbackGate gate = new CallbackGate();
        IntakeHttpServer httpServer = new IntakeHttpServer(camelContext, new IntakeHttpServer.Settings(
                settings.text("camel.server.host"), port, settings.integer("gateway.http.max-body-bytes"),
                workerThreads(settings), Duration.ofSeconds(settings.positive("gateway.http.idle-timeout-seconds")),
                Duration.ofSeconds(settings.positive("gateway.http.request-timeout-seconds")),
                ConnectionGuard.maxConnections(settings.integer("gateway.http.max-connections")),
                (int) settings.positive("gateway.http.retry-after-seconds"), intakeTls(settings)),
                "direct:write-audit-line", metrics.notReadyAnswers());
        registry.bind("intakeHttpServer", httpServer);
        camelContext.addService(httpServer);
        // each callback's route runs asynchronously on it: a worker thread is free once the route waits for the
        // broker's confirm (AsyncRoutingHttpEngine, ConfirmedPublisher)
        AsyncRoutingHttpEngine httpEngine = new AsyncRoutingHttpEngine(port);
        httpEngine.setCamelContext(camelContext);
        registry.bind("platform-http-engine", httpEngine);
        camelContext.addRoutes(new ReceiveCallbackRoute(gate));
        return gate;
    }

    /**
     * The beans the routes call from the intake to the audit line and the alert digests, all but RabbitMQ's
     * ({@code confirmedPublish}, {@code rabbitConnectionFactory}); the route tests bind these too.
     */
    public static AlertPolicy bindPipeline(CamelContext camelContext, Settings settings, boolean alertsOn)
            throws Exception {
        Registry registry = camelContext.getRegistry();
        boolean signatureRequired = settings.bool("gateway.signature.required");
        List<String> keys = settings.list("gateway.signature.keys");
        registry.bind("requestGuard", new RequestGuard());
        registry.bind("sourceGuard", new SourceGuard(settings.list("gateway.http.allowed-sources")));
        registry.bind("callbackReader", new CallbackReader());
        EventTypes eventTypes = eventTypes(camelContext, settings.text("gateway.classify.event-types"));
        registry.bind("signatureVerifier", signatureVerifier(settings, keys, signatureRequired, eventTypes));
        registry.bind("eventTypes", eventTypes);
        registry.bind("eventIdentity", new EventIdentity(eventTypes));
        IdempotentRepository seenEvents = seenEvents(settings);
        registry.bind("seenEvents", seenEvents);
        registry.bind("errcodeTable", errcodeTable(camelContext, settings.text("gateway.classify.errcode-table")));
        registry.bind("eventMessage", new EventMessage(settings.list("gateway.classify.decoded-fields")));
        Spool spool = new Spool(Path.of(settings.text("gateway.spool.dir")));
        // the spool folder is let go when Camel stops
        camelContext.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                spool.close();
            }
        });
        registry.bind("spool", spool);
        // the threads that write the spool (publish-event): the gateway's, so that a reload of the route file
        // does not shut them down under the events in flight; when all are busy, the caller writes
        int spoolThreads = (int) settings.positive("gateway.spool.threads");
        registry.bind("spoolWriters", camelContext.getExecutorServiceManager().newThreadPool(GatewayBeans.class,
                "spool", new ThreadPoolProfileBuilder("spool").poolSize(spoolThreads).maxPoolSize(spoolThreads)
                        .maxQueueSize(1000).rejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns).build()));
        BrokerState brokerState = new BrokerState(Clock.systemUTC(), spool::depth);
        registry.bind("brokerState", brokerState);

        AuditFiles auditFiles = new AuditFiles(Path.of(settings.text("gateway.audit.dir")),
                settings.integer("gateway.audit.max-file-bytes"),
                (int) settings.integer("gateway.audit.retention-days"), Clock.systemUTC());
        // the keys are given so that the audit log can mask them wherever they would appear
        AuditLog auditLog = new AuditLog(auditFiles, keys, (int) settings.integer("gateway.audit.raw-body-max-chars"));
        registry.bind("auditLog", auditLog);
        // the audit files are closed when Camel stops (the de-duplication file is the idempotent consumer's)
        camelContext.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                auditFiles.close();
            }
        });

        AlertPolicy alertPolicy = alertPolicy(settings, alertsOn);
        registry.bind("alertDigests", new AlertDigests(alertPolicy,
                Duration.ofSeconds(settings.integer("gateway.alert.window-seconds")),
                (int) settings.integer("gateway.alert.streams-shown"),
                settings.bool("gateway.alert.first-at-once"), Clock.systemUTC()));
        registry.bind("mailState", new MailState(Clock.systemUTC()));
        registry.bind("undeliveredDigests", new UndeliveredDigests(
                Path.of(settings.text("gateway.alert.undelivered-dir")), settings.optional("gateway.alert.from"),
                Clock.systemUTC()));
        bindObservation(camelContext, settings, spool, brokerState, seenEvents, auditLog);
        return alertPolicy;
    }

    /**
     * What /observe/health and /observe/metrics report of the gateway's own state, beside Camel's: readiness checks
     * (RabbitMQ takes events; the spool and audit folders can be written) and the metrics read when scraped.
     */
    private static void bindObservation(CamelContext camelContext, Settings settings, Spool spool,
            BrokerState brokerState, IdempotentRepository seenEvents, AuditLog auditLog) {
        Registry registry = camelContext.getRegistry();
        registry.bind("brokerReadiness", new ReadinessCheck(camelContext, "broker", () -> brokerState.isUp() ? null
                : "RabbitMQ does not take events since " + brokerState.downSince() + " (" + brokerState.downReason()
                        + "): they are spooled (" + spool.depth() + " waiting) and published once it does"));
        registry.bind("foldersReadiness", new ReadinessCheck(camelContext, "folders", new WritableFolders(Map.of(
                "spool", Path.of(settings.text("gateway.spool.dir")),
                "audit", Path.of(settings.text("gateway.audit.dir"))))));
        GatewayMetrics metrics = metrics(camelContext);
        metrics.gauge("css.gateway.spool.events", "Events waiting in the spool for RabbitMQ", null, spool::depth);
        metrics.gauge("css.gateway.spool.oldest.age", "How long the oldest spooled event has waited", "seconds",
                spool::oldestAgeSeconds);
        // with the shared store, those in memory in front of the database (its table is not counted on every scrape)
        metrics.gauge("css.gateway.dedup.entries", "Event identities the de-duplication store holds in memory", null,
                seenEvents instanceof SharedSeenEvents shared ? shared::size : ((SeenEvents) seenEvents)::size);
        metrics.counted("css.gateway.audit.write.failures", "Audit lines that could not be written",
                auditLog::failures);
        metrics.upDown("css.gateway.broker.up", "1 while RabbitMQ takes events, 0 while they are spooled",
                brokerState::isUp);
    }

    /**
     * The gateway's metrics, in the Micrometer registry camel-micrometer-prometheus serves (bound under the name it
     * looks up, whichever of the two comes first).
     */
    static GatewayMetrics metrics(CamelContext camelContext) {
        Registry registry = camelContext.getRegistry();
        GatewayMetrics metrics = registry.lookupByNameAndType("gatewayMetrics", GatewayMetrics.class);
        if (metrics == null) {
            MeterRegistry meters = registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                    MeterRegistry.class);
            if (meters == null) {
                meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
            }
            metrics = new GatewayMetrics(meters);
            registry.bind("gatewayMetrics", metrics);
        }
        return metrics;
    }

    /** RabbitMQ as the settings say: Spring's connection factory, the topology kept in place, the confirmed publisher. */
    record Broker(CachingConnectionFactory connectionFactory, BrokerTopology topology, ConfirmedPublisher publisher) {
    }

    /** The gateway's RabbitMQ pieces, not started (the gateway's and the replay command's). */
    static Broker broker(Settings settings, List<BrokerTopology.BoundQueue> queues) {
        CachingConnectionFactory connectionFactory = rabbitConnectionFactory(settings);
        BrokerTopology topology = new BrokerTopology(connectionFactory, settings.text("gateway.rabbitmq.addresses"),
                settings.text("gateway.rabbitmq.exchange"),
                settings.text("gateway.rabbitmq.alternate-exchange"),
                settings.text("gateway.rabbitmq.unrouted-queue"), queueArguments(settings),
                settings.bool("gateway.rabbitmq.declare-alternate-exchange"), verifyOnly(settings), queues);
        ConfirmedPublisher publisher = new ConfirmedPublisher(connectionFactory.getRabbitConnectionFactory(),
                List.of(Address.parseAddresses(settings.text("gateway.rabbitmq.addresses"))),
                settings.text("gateway.rabbitmq.exchange"),
                Duration.ofMillis(settings.integer("gateway.rabbitmq.confirm-timeout-ms")),
                (int) settings.integer("gateway.rabbitmq.publish-connections"),
                (int) settings.integer("gateway.rabbitmq.publish-channels"), topology);
        return new Broker(connectionFactory, topology, publisher);
    }

    /** RabbitMQ: the topology the gateway keeps in place, the confirmed publisher, Spring's connection factory. */
    private static void bindBroker(CamelContext camelContext, Settings settings,
            List<BrokerTopology.BoundQueue> queues) throws Exception {
        Broker broker = broker(settings, queues);
        camelContext.getRegistry().bind("rabbitConnectionFactory", broker.connectionFactory());
        camelContext.addService(broker.topology());
        ConfirmedPublisher publisher = broker.publisher();
        camelContext.addService(publisher);
        camelContext.getRegistry().bind("confirmedPublisher", publisher);
        camelContext.getRegistry().bind("confirmedPublish",
                new ConfirmedPublish(publisher, metrics(camelContext).publishConfirm()));
    }

    /**
     * The alert queue, bound to the routing key of each alerting category, with single-active-consumer: one consumer
     * at a time across all gateway instances builds the digests.
     */
    static BrokerTopology.BoundQueue alertQueue(Settings settings, EventTypes eventTypes, Collection<String> categories) {
        String prefix = settings.optional("gateway.rabbitmq.routing-key-prefix");
        return new BrokerTopology.BoundQueue(settings.text("gateway.alert.queue"), true,
                Map.of("x-single-active-consumer", true),
                categories.stream().map(c -> alertRoutingKey(eventTypes, c, prefix)).sorted().toList());
    }

    /**
     * gateway.rabbitmq.queue-type: classic queues are declared without the argument (as before the key existed), so
     * that the queues of an earlier version still match; quorum queues with x-queue-type.
     */
    static Map<String, Object> queueArguments(Settings settings) {
        String type = settings.text("gateway.rabbitmq.queue-type");
        return switch (type) {
            case "classic" -> Map.of();
            case "quorum" -> Map.of("x-queue-type", "quorum");
            default -> throw new IllegalStateException("gateway.rabbitmq.queue-type must be classic (one node) or quorum "
                    + "(a cluster: the queues survive a node), got '" + type + "'");
        };
    }

    /** gateway.rabbitmq.topology: declare (the gateway declares its exchanges and queues) or verify (it checks them). */
    private static boolean verifyOnly(Settings settings) {
        String topology = settings.text("gateway.rabbitmq.topology");
        return switch (topology) {
            case "declare" -> false;
            case "verify" -> true;
            default -> throw new IllegalStateException("gateway.rabbitmq.topology must be declare (the gateway declares "
                    + "its exchanges and queues) or verify (they exist; the gateway checks them), got '" + topology + "'");
        };
    }

    /**
     * The routing key an alerting category is bound with, prefixed as every published key is
     * (gateway.rabbitmq.routing-key-prefix): an event of the event-type table (push-error: push.error), else an
     * interruption category (network: stream.interrupt.network).
     */
    static String alertRoutingKey(EventTypes eventTypes, String category, String prefix) {
        EventTypes.EventType event = eventTypes.named(category);
        return prefix + (event != null && event.code() != 0 ? event.routingKey() : "stream.interrupt." + category);
    }

    private static AlertPolicy alertPolicy(Settings settings, boolean alertsOn) {
        List<String> categories = settings.list("gateway.alert.categories");
        List<String> to = settings.list("gateway.alert.to");
        Map<String, List<String>> byCategory = new HashMap<>();
        for (String category : categories) {
            List<String> own = settings.list("gateway.alert.to." + category);
            if (!own.isEmpty()) {
                byCategory.put(category, own);
            }
        }
        if (alertsOn && (settings.optional("gateway.alert.from").isEmpty()
                || categories.stream().anyMatch(c -> to.isEmpty() && !byCategory.containsKey(c)))) {
            throw new IllegalStateException("gateway.alert.enabled=true needs gateway.alert.from and "
                    + "gateway.alert.to (or gateway.alert.to.<category> for every alerting category)");
        }
        return new AlertPolicy(categories, to, byCategory, settings.list("gateway.alert.severity"));
    }

    /** The intake's key store when gateway.http.tls.enabled, else null (plain HTTP). */
    private static IntakeHttpServer.Tls intakeTls(Settings settings) {
        if (!settings.bool("gateway.http.tls.enabled")) {
            return null;
        }
        String keyStore = settings.optional("gateway.http.tls.key-store");
        if (keyStore.isEmpty()) {
            throw new IllegalStateException("gateway.http.tls.enabled=true needs gateway.http.tls.key-store "
                    + "(a PKCS12 or JKS file with the intake's certificate and key)");
        }
        return new IntakeHttpServer.Tls(Path.of(keyStore), settings.optional("gateway.http.tls.key-store-password"),
                settings.text("gateway.http.tls.key-store-type"));
    }

    /** gateway.http.worker-threads, where 0 is one per core (at least 2, so that one waiting never stops all). */
    private static int workerThreads(Settings settings) {
        long configured = settings.integer("gateway.http.worker-threads");
        if (configured < 0) {
            throw new IllegalStateException(
                    "gateway.http.worker-threads must be 0 (one per core) or more, got " + configured);
        }
        return configured > 0 ? (int) configured : Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    private static SignatureVerifier signatureVerifier(Settings settings, List<String> keys, boolean required,
            EventTypes eventTypes) {
        if (keys.isEmpty() && required) {
            throw new IllegalStateException("No callback key is configured, so no callback could be verified. "
                    + "Set the environment variable CSS_CALLBACK_KEYS to the key of the CSS callback template "
                    + "(several keys comma-separated while rotating), or -Dgateway.signature.keys=...; "
                    + "only for a trial, -Dgateway.signature.required=false accepts callbacks unverified.");
        }
        if (!required) {
            LOG.warn("gateway.signature.required=false: callbacks without t/sign are accepted{}. "
                    + "Anyone who can reach the endpoint can publish events.",
                    keys.isEmpty() ? ", and no sign is verified as no key is configured" : "");
        }
        Set<Integer> unsigned = new TreeSet<>();
        for (String type : settings.list("gateway.signature.unsigned-event-types")) {
            Integer code = Integers.parseIntOrNull(type);
            if (code == null) {
                throw new IllegalStateException("gateway.signature.unsigned-event-types must list event_type numbers "
                        + "(e.g. 314, 100), got '" + type + "'");
            }
            unsigned.add(code);
        }
        if (!unsigned.isEmpty()) {
            LOG.info("Callbacks without t and sign are accepted for event_type {} "
                    + "(gateway.signature.unsigned-event-types): {}", unsigned,
                    unsigned.stream().map(c -> c + " " + Objects.requireNonNullElse(eventTypes.of(c).name(), "unknown"))
                            .toList());
        }
        long clockSkew = settings.integer("gateway.signature.clock-skew-seconds");
        return new SignatureVerifier(keys, Duration.ofSeconds(clockSkew),
                Duration.ofSeconds(settings.positive("gateway.signature.max-expiry-seconds")), required, unsigned,
                Clock.systemUTC());
    }

    private static IdempotentRepository seenEvents(Settings settings) {
        int capacity = (int) settings.positive("gateway.dedup.capacity");
        String store = settings.text("gateway.dedup.store");
        return switch (store) {
            case "file" -> new SeenEvents(capacity, Path.of(settings.text("gateway.dedup.file")));
            case "memory" -> new SeenEvents(capacity);
            case "jdbc" -> new SharedSeenEvents(new SharedSeenEvents.Database(settings.text("gateway.dedup.jdbc.url"),
                    settings.optional("gateway.dedup.jdbc.username"), settings.optional("gateway.dedup.jdbc.password"),
                    (int) settings.positive("gateway.dedup.jdbc.pool-size"),
                    Duration.ofMillis(settings.positive("gateway.dedup.jdbc.connect-timeout-ms"))),
                    settings.text("gateway.dedup.jdbc.table"), settings.text("gateway.dedup.jdbc.processor-name"),
                    Duration.ofSeconds(settings.positive("gateway.dedup.retention-seconds")),
                    Duration.ofSeconds(settings.positive("gateway.dedup.jdbc.expiry-interval-seconds")), capacity);
            default -> throw new IllegalStateException("gateway.dedup.store=" + store
                    + " is not supported; use file (the default, one instance), memory, or jdbc (several instances)");
        };
    }

    static EventTypes eventTypes(CamelContext camelContext, String location) throws Exception {
        try (var in = ResourceHelper.resolveMandatoryResourceAsInputStream(camelContext, location)) {
            EventTypes table = EventTypes.parse(new InputStreamReader(in, StandardCharsets.UTF_8), location);
            LOG.info("Event-type table {}: {} event types, any other is published as unknown.<event_type>", location,
                    table.size());
            return table;
        }
    }

    private static ErrcodeTable errcodeTable(CamelContext camelContext, String location) throws Exception {
        try (var in = ResourceHelper.resolveMandatoryResourceAsInputStream(camelContext, location)) {
            ErrcodeTable table = ErrcodeTable.parse(new InputStreamReader(in, StandardCharsets.UTF_8), location);
            LOG.info("Errcode table {}: {} errcodes in categories, any other is unknown", location, table.size());
            return table;
        }
    }

    /** TLS to RabbitMQ when gateway.rabbitmq.tls.enabled, else null. */
    private static BrokerTls brokerTls(Settings settings) {
        if (!settings.bool("gateway.rabbitmq.tls.enabled")) {
            return null;
        }
        String mechanism = settings.text("gateway.rabbitmq.auth-mechanism");
        if (!mechanism.equals("PLAIN") && !mechanism.equals("EXTERNAL")) {
            throw new IllegalStateException("gateway.rabbitmq.auth-mechanism must be PLAIN (user name and password) or "
                    + "EXTERNAL (the client certificate), got '" + mechanism + "'");
        }
        return new BrokerTls(store(settings, "gateway.rabbitmq.tls.trust-store"),
                store(settings, "gateway.rabbitmq.tls.key-store"),
                settings.bool("gateway.rabbitmq.tls.verify-hostname"), mechanism.equals("EXTERNAL"));
    }

    /** A key or trust store: {@code key} its file, {@code key}-type, {@code key}-password; null when no file is set. */
    private static BrokerTls.Store store(Settings settings, String key) {
        String path = settings.optional(key);
        return path.isEmpty() ? null : new BrokerTls.Store(Path.of(path), settings.text(key + "-type"),
                settings.optional(key + "-password"));
    }

    private static CachingConnectionFactory rabbitConnectionFactory(Settings settings) {
        CachingConnectionFactory factory = new CachingConnectionFactory();
        factory.setAddresses(settings.text("gateway.rabbitmq.addresses"));
        factory.setUsername(settings.text("gateway.rabbitmq.username"));
        factory.setPassword(settings.text("gateway.rabbitmq.password"));
        factory.setVirtualHost(settings.text("gateway.rabbitmq.virtual-host"));
        factory.setConnectionNameStrategy(f -> ConfirmedPublisher.CONNECTION_NAME);
        // the provider gives up on a request after 20 s: an unreachable broker must fail well before that
        factory.setConnectionTimeout((int) settings.integer("gateway.rabbitmq.connect-timeout-ms"));
        BrokerTls tls = brokerTls(settings);
        if (tls != null) {
            // on the client's factory under Spring's: every connection is made from it, or from a clone of it
            tls.applyTo(factory.getRabbitConnectionFactory());
        } else if ("EXTERNAL".equals(settings.text("gateway.rabbitmq.auth-mechanism"))) {
            throw new IllegalStateException("gateway.rabbitmq.auth-mechanism=EXTERNAL needs TLS with a client "
                    + "certificate: gateway.rabbitmq.tls.enabled=true and gateway.rabbitmq.tls.key-store");
        }
        return factory;
    }
}
