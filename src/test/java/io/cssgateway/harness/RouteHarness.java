package io.cssgateway.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.config.GatewayBeans;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.publish.BrokerState;
import io.cssgateway.publish.UnroutedQueue;
import io.cssgateway.support.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ProcessDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.util.function.ThrowingConsumer;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * The real route files of a callback's path (error-handling, intake, classify, publish, audit) in a Camel context of their
 * own, with the gateway's real beans, and RabbitMQ advised out: the publish step of {@code publish-to-broker} is
 * replaced by what a test tells the broker to do (fail, hold), then {@code mock:broker}, which takes each outgoing
 * event the broker confirmed. Callbacks are
 * sent where the HTTP endpoint hands them, {@code direct:intake}; the answer, the audit lines and the spool are
 * there to look at. No broker, no HTTP server: fast.
 */
public final class RouteHarness implements AutoCloseable {

    public static final String KEY = "route-test-key";
    private static final List<String> ROUTE_FILES = List.of(
            "error-handling.camel.yaml", "intake.camel.yaml", "classify.camel.yaml", "publish.camel.yaml",
            "audit.camel.yaml");

    private final DefaultCamelContext context = new DefaultCamelContext();
    private final Path data;
    private final ProducerTemplate template;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicReference<Processor> broker = new AtomicReference<>(exchange -> { });
    private final AtomicInteger attempts = new AtomicInteger();

    /** @param data the folder of this harness's spool, audit and undelivered files */
    public RouteHarness(Path data) throws Exception {
        this(data, new Properties());
    }

    /** With configuration keys of the test's own beside the harness's. */
    public RouteHarness(Path data, Properties configuration) throws Exception {
        this(data, configuration, List.of());
    }

    /**
     * With more route files of routes/ (spool.camel.yaml, alerts.camel.yaml) beside those of a callback's path. A
     * route that consumes from RabbitMQ must be advised before {@link #start()}: it is not started until then.
     */
    public RouteHarness(Path data, Properties configuration, List<String> moreRouteFiles) throws Exception {
        this(data, configuration, moreRouteFiles, UnaryOperator.identity());
    }

    /** With each route file's text as {@code rewrite} makes it (a site's route file from an earlier release). */
    public RouteHarness(Path data, Properties configuration, UnaryOperator<String> rewrite) throws Exception {
        this(data, configuration, List.of(), rewrite);
    }

    private RouteHarness(Path data, Properties configuration, List<String> moreRouteFiles,
            UnaryOperator<String> rewrite) throws Exception {
        this.data = data;
        Properties overrides = new Properties();
        overrides.setProperty("gateway.signature.keys", KEY);
        overrides.setProperty("gateway.dedup.store", "memory");
        overrides.setProperty("gateway.spool.dir", data.resolve("spool").toString());
        overrides.setProperty("gateway.audit.dir", data.resolve("audit").toString());
        overrides.setProperty("gateway.alert.undelivered-dir", data.resolve("undelivered").toString());
        overrides.setProperty("gateway.alert.silence.file", data.resolve("last-callbacks.json").toString());
        // the stream state's own tests turn it on (StreamsRouteTest)
        overrides.setProperty("gateway.streams.enabled", "false");
        overrides.setProperty("gateway.streams.dir", data.resolve("streams").toString());
        overrides.putAll(configuration);
        context.getPropertiesComponent().setLocation("file:application.properties");
        context.getPropertiesComponent().setOverrideProperties(overrides);
        GatewayBeans.bindPipeline(context, new Settings(context));
        // the broker watch (watch-broker) finds RabbitMQ reachable
        context.getRegistry().bind("confirmedPublisher", new ReachableBroker());
        // the audit publish route names Spring's connection factory; it is never started here
        CachingConnectionFactory noBroker = new CachingConnectionFactory("127.0.0.1", 1);
        context.getRegistry().bind("rabbitConnectionFactory", noBroker);
        // watch-broker's count of the unrouted queue: unknown here
        context.getRegistry().bind("unroutedQueue", new UnroutedQueue(noBroker, "css.unrouted"));

        List<Resource> routes = new ArrayList<>();
        List<String> files = new ArrayList<>(ROUTE_FILES);
        files.addAll(moreRouteFiles);
        for (String file : files) {
            Path path = Path.of("routes", file);
            routes.add(ResourceHelper.fromString("file:" + path, rewrite.apply(Files.readString(path))));
        }
        PluginHelper.getRoutesLoader(context).loadRoutes(routes);
        AdviceWith.adviceWith(context, "publish-to-broker", route -> route.weaveByType(ProcessDefinition.class)
                .replace().process(exchange -> {
                    attempts.incrementAndGet();
                    broker.get().process(exchange);
                }).to("mock:broker"));
        template = context.createProducerTemplate();
        if (moreRouteFiles.isEmpty()) {
            context.start();
        }
    }

    /**
     * With routes/alerts.camel.yaml, RabbitMQ advised out: the alert queue is {@code direct:collect-alerts}, and the
     * heartbeats go straight from send-heartbeat to hear-heartbeats (one instance, its own lead). Not started: advise
     * the mail or webhook steps, then {@link #start()}.
     */
    public static RouteHarness withAlerts(Path data, Properties configuration) throws Exception {
        return new RouteHarness(data, configuration, List.of("alerts.camel.yaml"))
                .advise("collect-alerts", route -> route.replaceFromWith("direct:collect-alerts"))
                .advise("hear-heartbeats", route -> route.replaceFromWith("direct:heartbeats"))
                .advise("send-heartbeat", route -> route.weaveByToUri("spring-rabbitmq:*").replace()
                        .to("direct:heartbeats"));
    }

    /** Changes a route before it starts, as {@link AdviceWith} does (a consumer from RabbitMQ replaced, say). */
    public RouteHarness advise(String routeId, ThrowingConsumer<AdviceWithRouteBuilder, Exception> advice)
            throws Exception {
        AdviceWith.adviceWith(context, routeId, advice);
        return this;
    }

    /** Starts the routes of a harness made with more route files, once advised. */
    public RouteHarness start() {
        context.start();
        return this;
    }

    /** Sends a body to an endpoint of the routes ({@code direct:collect-alerts} once advised so). */
    public void send(String uri, Object body, Map<String, Object> headers) {
        template.sendBodyAndHeaders(uri, body, headers);
    }

    /** A bean the routes call, as the wiring bound it. */
    public <T> T bean(String name, Class<T> type) {
        return context.getRegistry().lookupByNameAndType(name, type);
    }

    /** The folder of this harness's files: spool/, audit/, undelivered/. */
    public Path data() {
        return data;
    }

    /** Stands for the publisher in the broker watch: RabbitMQ is always reachable. */
    public static final class ReachableBroker {
        public void requireReachable() {}
    }

    /** POSTs a JSON body, as the HTTP endpoint hands it on; the exchange holds the answer. */
    public Exchange post(String body) {
        return send(body, "POST", "application/json", null);
    }

    /** POSTs a JSON body from a client at {@code remoteAddress} ("203.0.113.7:40000"). */
    public Exchange postFrom(String remoteAddress, String body) {
        return template.send("direct:intake", exchange -> {
            exchange.getMessage().setHeader("CamelVertxPlatformHttpRemoteAddress", remoteAddress);
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        });
    }

    /** Sends a request with this method, content type and (when not null) content encoding. */
    public Exchange send(String body, String method, String contentType, String contentEncoding) {
        return template.send("direct:intake", exchange -> {
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, method);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType);
            if (contentEncoding != null) {
                exchange.getMessage().setHeader(Exchange.CONTENT_ENCODING, contentEncoding);
            }
            exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        });
    }

    public static int status(Exchange answered) {
        return answered.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
    }

    public static String answer(Exchange answered) {
        return answered.getMessage().getBody(String.class);
    }

    /** Where the publish step sends each outgoing event the broker confirmed, instead of RabbitMQ. */
    public MockEndpoint broker() {
        return context.getEndpoint("mock:broker", MockEndpoint.class);
    }

    /** A mock endpoint of the routes, as advised ({@code mock:mail}). */
    public MockEndpoint mock(String uri) {
        return context.getEndpoint(uri, MockEndpoint.class);
    }

    /** What the broker took: the outgoing events, in the order they were confirmed. */
    public List<OutgoingEvent> published() {
        return broker().getReceivedExchanges().stream().map(e -> e.getMessage().getBody(OutgoingEvent.class)).toList();
    }

    /** How many publishes the broker was asked for, confirmed or not. */
    public int publishAttempts() {
        return attempts.get();
    }

    /** From now on the broker does this with each event before confirming it (throw to fail it, wait to hold it). */
    public void brokerDoes(Processor behaviour) {
        broker.set(behaviour);
    }

    /** A new test: the broker takes events again, forgets what it took, and counts as up. */
    public void reset() {
        broker.set(exchange -> { });
        attempts.set(0);
        MockEndpoint.resetMocks(context);
        context.getRegistry().lookupByNameAndType("brokerState", BrokerState.class).markUp();
    }

    /** The audit lines written so far, oldest first. */
    public List<JsonNode> auditLines() {
        List<JsonNode> lines = new ArrayList<>();
        Path audit = data.resolve("audit");
        if (!Files.isDirectory(audit)) {
            return lines;
        }
        try (Stream<Path> files = Files.list(audit)) {
            for (Path file : files.sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    lines.add(json.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    /** The audit line of the last request. */
    public JsonNode lastAuditLine() {
        List<JsonNode> lines = auditLines();
        return lines.get(lines.size() - 1);
    }

    /** The events waiting in the spool. */
    public long spooled() {
        try (Stream<Path> files = Files.list(data.resolve("spool"))) {
            return files.filter(f -> f.toString().endsWith(".event")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Puts a file where the spool folder is, so that nothing can be spooled; returns what puts it back. */
    public AutoCloseable spoolMadeUnwritable() throws IOException {
        return TestFiles.madeUnwritable(data.resolve("spool"));
    }

    @Override
    public void close() {
        context.stop();
    }
}
