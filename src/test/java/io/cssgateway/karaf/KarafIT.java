package io.cssgateway.karaf;

import static io.cssgateway.harness.KarafContainer.setKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.ChatReceiver;
import io.cssgateway.harness.Eventually;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.KarafContainer;
import io.cssgateway.harness.Mailbox;
import io.cssgateway.harness.OtlpReceiver;
import io.cssgateway.harness.JarCommand;
import io.cssgateway.harness.SharedDatabase;
import io.cssgateway.harness.TcpProxy;
import io.cssgateway.harness.TestCallbacks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KAR in a stock Apache Karaf (unpacked from Maven by the karaf profile): installed offline from deploy/,
 * configured by etc/io.cssgateway.cfg, routes edited in etc/, the bundle restarted, stopped, updated, and Karaf
 * shut down, with the gateway's threads and RabbitMQ connections counted at each step.
 */
class KarafIT {

    private static final String KEY = "karaf-key-" + UUID.randomUUID();
    /** Tenant k's key: of the provider's kind, from the Karaf process's environment. */
    private static final String TENANT_KEY = "KarafTenant"
            + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    private static final String PATH = "/callbacks/tencent/css";
    /** the threads the gateway starts (Camel, Vert.x and Netty, the RabbitMQ client, its own), not Karaf's */
    private static final Predicate<String> GATEWAY_THREADS = Pattern.compile(
            "Camel|vert\\.x|netty|rabbitmq|AMQP|css-callback-gateway|css-gateway|spring|SimpleAsyncTaskExecutor")
            .asPredicate();
    /**
     * The same but for the threads that come and go on demand: the spool drain's pool, which starts a thread a second
     * while the spool holds events, the activator's lifecycle thread, which ends a while after its last restart, and
     * the de-duplication pool's (HikariCP) connection adder and closer. How many there are depends on the moment, not
     * on a leak (bundle:stop still ends them all).
     */
    private static final Predicate<String> STEADY_GATEWAY_THREADS = GATEWAY_THREADS
            .and(name -> !name.contains(" - Split") && !name.equals("css-callback-gateway-lifecycle")
                    && !name.contains("connection-adder") && !name.contains("connection-closer"));

    /** kept when a test fails: the container's folder, with data/log/karaf.log */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String exchange = "css.events.karaf-" + run;
    private final String unrouted = "css.unrouted.karaf-" + run;
    private final String alerts = "css.alerts.karaf-" + run;
    private final String seenTable = SharedDatabase.uniqueTable("seen_karaf");
    private final String indexTable = SharedDatabase.uniqueTable("audit_karaf");
    private final String apiToken = "karaf-api-token-" + run;

    @Test
    void theKarInstallsOfflineAndTheGatewayRunsAsStandalone() throws Exception {
        Path kar = Path.of(System.getProperty("gateway.kar"));
        int port = GatewayProcess.freePort();
        int managementPort = GatewayProcess.freePort();
        try (BrokerProbe broker = new BrokerProbe();
                TcpProxy rabbitmq = new TcpProxy(5672);
                Mailbox mailbox = new Mailbox();
                ChatReceiver chat = new ChatReceiver(Map.of());
                OtlpReceiver collector = new OtlpReceiver();
                KarafContainer karaf = KarafContainer.start(dir.resolve("karaf"), Map.of("CSS_CALLBACK_KEYS", KEY,
                        "ALERT_WEBHOOK_KARAF_SLACK_URL", chat.url("slack"), "GATEWAY_API_TOKEN", apiToken,
                        "CSS_CALLBACK_KEYS_K", TENANT_KEY),
                        home -> {
                            // the operator's configuration, there before the feature (which keeps it)
                            Path cfg = home.resolve("etc/io.cssgateway.cfg");
                            Map<String, String> settings = Map.ofEntries(Map.entry("camel.server.port", Integer.toString(port)),
                                    Map.entry("camel.server.host", "127.0.0.1"),
                                    Map.entry("camel.management.port", Integer.toString(managementPort)),
                                    Map.entry("camel.management.host", "127.0.0.1"),
                                    // through a proxy, so that RabbitMQ can be cut off
                                    Map.entry("gateway.rabbitmq.addresses", "127.0.0.1:" + rabbitmq.port()),
                                    Map.entry("gateway.rabbitmq.exchange", exchange),
                                    // the site's topic scheme: every routing key published and bound starts with it
                                    Map.entry("gateway.rabbitmq.routing-key-prefix", "karaf."),
                                    Map.entry("gateway.rabbitmq.alternate-exchange", unrouted),
                                    Map.entry("gateway.rabbitmq.unrouted-queue", unrouted),
                                    Map.entry("gateway.alert.enabled", "true"),
                                    Map.entry("gateway.alert.queue", alerts),
                                    Map.entry("gateway.alert.from", "css-gateway@example.com"),
                                    Map.entry("gateway.alert.to", "oncall@example.com"),
                                    Map.entry("gateway.alert.window-seconds", "1"),
                                    Map.entry("gateway.alert.smtp.host", "127.0.0.1"),
                                    Map.entry("gateway.alert.smtp.port", Integer.toString(mailbox.port())),
                                    Map.entry("gateway.alert.mail.kinds", "interruptions"),
                                    // a chat channel, its URL from the environment; silence and trouble told there
                                    Map.entry("gateway.instance", "karaf-gw"),
                                    Map.entry("gateway.alert.webhooks", "karaf-slack"),
                                    Map.entry("gateway.alert.webhook.karaf-slack.type", "slack"),
                                    Map.entry("gateway.alert.webhook.karaf-slack.url", "{{env:ALERT_WEBHOOK_KARAF_SLACK_URL}}"),
                                    Map.entry("gateway.alert.silence.after-seconds", "3"),
                                    Map.entry("gateway.alert.silence.overall", "false"),
                                    Map.entry("gateway.alert.heartbeat-ms", "1000"),
                                    Map.entry("gateway.alert.broker.after-seconds", "1"),
                                    Map.entry("gateway.alert.check-interval-ms", "500"),
                                    // the de-duplication several instances share, in the real PostgreSQL
                                    Map.entry("gateway.dedup.store", "jdbc"),
                                    Map.entry("gateway.dedup.jdbc.url", SharedDatabase.URL),
                                    Map.entry("gateway.dedup.jdbc.username", SharedDatabase.USER),
                                    Map.entry("gateway.dedup.jdbc.table", seenTable),
                                    // and so the audit index, in a table of this test's own
                                    Map.entry("gateway.audit.index.table", indexTable),
                                    // the stream state in the bundle's own local store (H2), under data/
                                    Map.entry("gateway.streams.store", "local"),
                                    // a tenant: its domains, its key from the environment, its routing-key prefix
                                    Map.entry("gateway.tenants", "k"),
                                    Map.entry("gateway.tenant.k.domains", "*.karaf-tenant.example.com"),
                                    Map.entry("gateway.tenant.k.keys", "{{env:CSS_CALLBACK_KEYS_K:}}"),
                                    Map.entry("gateway.tenant.k.routing-key-prefix", "tenant-k."),
                                    // tracing, exported to a local OTLP collector as otel.* keys of this file say
                                    Map.entry("gateway.tracing.enabled", "true"),
                                    Map.entry("otel.exporter.otlp.endpoint", collector.endpoint()),
                                    Map.entry("otel.bsp.schedule.delay", "100"));
                            for (Map.Entry<String, String> setting : settings.entrySet()) {
                                setKey(cfg, setting.getKey(), setting.getValue());
                            }
                            Files.copy(kar, home.resolve("deploy").resolve(kar.getFileName()));
                        })) {
            try {
                // installed from deploy/ with nothing else added to Karaf: the gateway answers (a bad body: 400)
                long dropped = System.nanoTime();
                karaf.postUntil(port, PATH, () -> "{}", answer -> answer.statusCode() == 400);
                System.out.printf("Karaf started with the KAR in deploy/, to the gateway's first answer: %d ms%n",
                        Duration.ofNanos(System.nanoTime() - dropped).toMillis());
                String queue = broker.bindQueue(exchange, "karaf.stream.push", "karaf.stream.interrupt.#");
                String states = broker.bindQueue(exchange, "karaf.stream.state.#");

                // a signed callback: 200, on RabbitMQ with its routing key, audited under data/
                String sequence = TestCallbacks.uniqueSequence();
                // (pushed now: a push older than the closed sequences are remembered opens nothing)
                HttpResponse<String> answer = karaf.post(port, PATH, TestCallbacks.sample("1-push.doc.json")
                        .with("sequence", sequence).with("event_time", Instant.now().getEpochSecond())
                        .freshlySignedWith(KEY).asString());
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).isEqualTo("{\"code\":0}");
                GetResponse message = broker.next(queue, Duration.ofSeconds(10));
                assertThat(message).isNotNull();
                assertThat(message.getEnvelope().getRoutingKey()).isEqualTo("karaf.stream.push");
                assertThat(message.getProps().getMessageId()).isEqualTo("1:" + sequence);
                assertThat(auditLines(karaf)).anyMatch(line -> line.contains("\"1:" + sequence + "\""));

                // the stream went online: a state message, and the API on the management port says so (the state in
                // the bundle's local store, under data/)
                GetResponse online = broker.next(states, Duration.ofSeconds(10));
                assertThat(online).as("the state message; Karaf's log:%n%s", karaf.log()).isNotNull();
                assertThat(online.getEnvelope().getRoutingKey()).isEqualTo("karaf.stream.state.online");
                assertThat(online.getProps().getHeaders()).containsEntry("css_version", 1L);
                // traced inside Karaf (the SDK and its OTLP exporter found in the bundle): the push's span, its
                // publish in the message, and the state change's publish linked to it
                String[] pushContext = message.getProps().getHeaders().get("traceparent").toString().split("-");
                OtlpReceiver.Received request = collector.await(s -> s.name().equals("POST " + PATH)
                        && s.traceId().equals(pushContext[1]), Duration.ofSeconds(10), "of the push in Karaf");
                assertThat(request.attributes()).containsEntry("css.verdict", "accepted")
                        .containsEntry("http.response.status_code", "200");
                String[] stateContext = online.getProps().getHeaders().get("traceparent").toString().split("-");
                OtlpReceiver.Received stateChange = collector.await(s -> s.spanId().equals(stateContext[2]),
                        Duration.ofSeconds(10), "of the state change in Karaf");
                assertThat(stateChange.linkedSpanIds()).containsExactly(pushContext[2]);
                // (the message goes out before its batch is committed: 50 ms at most)
                HttpResponse<String> stream = karaf.get(managementPort, "/api/streams/test.domain.com/live/test_stream");
                for (int tries = 0; stream.statusCode() == 404 && tries < 40; tries++) {
                    Thread.sleep(50);
                    stream = karaf.get(managementPort, "/api/streams/test.domain.com/live/test_stream");
                }
                assertThat(stream.statusCode()).as(stream.body()).isEqualTo(200);
                assertThat(stream.body()).contains("\"state\":\"online\"").contains("\"open_sequences\":[\"" + sequence
                        + "\"]");
                assertThat(karaf.data("css-callback-gateway/streams/streams.mv.db")).exists();

                // its retry is a duplicate, by the identity the gateway inside Karaf wrote to PostgreSQL
                assertThat(SharedDatabase.single("SELECT COUNT(*) FROM " + seenTable + " WHERE messageId = '1:"
                        + sequence + "'")).isEqualTo(1);
                assertThat(karaf.post(port, PATH, TestCallbacks.sample("1-push.doc.json").with("sequence", sequence)
                        .freshlySignedWith(KEY).asString()).statusCode()).isEqualTo(200);
                assertThat(broker.next(queue, Duration.ofSeconds(1))).isNull();

                // another instance's identity, only notified as its writer notifies (not in the table): the gateway in
                // Karaf learns it by its listening connection, and answers its retry as a duplicate from memory
                String othersSequence = sequence + "-other";
                long entries = dedupEntries(karaf, managementPort);
                SharedDatabase.execute("SELECT pg_notify('" + seenTable.toLowerCase() + "', '" + exchange
                        + "' || chr(10) || 'another-instance' || chr(10) || '1:" + othersSequence + "')");
                for (int tries = 0; dedupEntries(karaf, managementPort) == entries && tries < 100; tries++) {
                    Thread.sleep(50);
                }
                assertThat(dedupEntries(karaf, managementPort)).isEqualTo(entries + 1);
                assertThat(karaf.post(port, PATH, TestCallbacks.sample("1-push.doc.json").with("sequence", othersSequence)
                        .freshlySignedWith(KEY).asString()).statusCode()).isEqualTo(200);
                assertThat(broker.next(queue, Duration.ofSeconds(1))).isNull();
                assertThat(karaf.get(managementPort, "/observe/metrics").body())
                        .contains("css_gateway_dedup_database_checks_total");

                // replay: the standalone jar's command over the audit log the gateway in Karaf writes under data/
                JarCommand replay = JarCommand.replay(List.of("-Dgateway.audit.dir="
                        + karaf.data("css-callback-gateway/audit"), "-Dgateway.rabbitmq.exchange=" + exchange,
                        "-Dgateway.rabbitmq.alternate-exchange=" + unrouted, "-Dgateway.rabbitmq.unrouted-queue=" + unrouted),
                        "--from", Instant.now().minusSeconds(600).toString(), "--routing-key", "karaf.stream.push");
                assertThat(replay.exit()).as(replay.output()).isZero();
                assertThat(replay.output()).contains("1 selected {karaf.stream.push=1}, 1 sent, 1 confirmed");
                assertThat(broker.next(queue, Duration.ofSeconds(10))).isNotNull().satisfies(again -> {
                    assertThat(again.getProps().getMessageId()).isEqualTo("1:" + sequence);
                    assertThat(again.getProps().getHeaders()).containsEntry("css_replayed", true);
                });
                assertThat(karaf.etc("css-callback-gateway/routes/intake.camel.yaml")).exists();

                // the events API and the console on Karaf's management port: the push and its retry, from the
                // index in PostgreSQL; replayed through the API with the token
                HttpResponse<String> events = karaf.get(managementPort, "/api/events?stream_id=test_stream");
                for (int tries = 0; !events.body().contains("\"duplicate\"") && tries < 100; tries++) {
                    Thread.sleep(100);
                    events = karaf.get(managementPort, "/api/events?stream_id=test_stream");
                }
                assertThat(events.body()).contains("\"verdict\":\"duplicate\"").contains("\"verdict\":\"accepted\"")
                        .contains("\"instance\":\"karaf-gw\"").contains("\"event_id\":\"1:" + sequence + "\"");
                assertThat(karaf.post(managementPort, "/api/events/1:" + sequence + "/replay", "").statusCode())
                        .isEqualTo(401);
                assertThat(karaf.postWithToken(managementPort, "/api/events/1:" + sequence + "/replay", apiToken)
                        .statusCode()).isEqualTo(200);
                assertThat(broker.next(queue, Duration.ofSeconds(10))).isNotNull().satisfies(again ->
                        assertThat(again.getProps().getHeaders()).containsEntry("css_replayed", true));
                HttpResponse<String> console = karaf.get(managementPort, "/console");
                assertThat(console.statusCode()).isEqualTo(200);
                assertThat(console.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy ->
                        assertThat(policy).contains("script-src 'self'"));

                // health and metrics on the management port, as standalone
                HttpResponse<String> ready = karaf.get(managementPort, "/observe/health/ready");
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                assertThat(ready.body()).contains("\"name\":\"broker\",\"status\":\"UP\"");
                assertThat(karaf.get(managementPort, "/observe/metrics").body())
                        .contains("css_gateway_requests_total{reason=\"accepted\",tenant=\"\",verdict=\"accepted\"} 1.0")
                        .contains("css_gateway_events_total{event_type=\"1\",routing_key=\"karaf.stream.push\",tenant=\"\"} 1.0");

                // tenant k: its key signs for its domains, published under its prefix with css_tenant; not for others
                String ofTenant = broker.bindQueue(exchange, "karaf.tenant-k.stream.#");
                assertThat(karaf.post(port, PATH, TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                        .with("app", "live.karaf-tenant.example.com").freshlySignedWith(TENANT_KEY).asString())
                        .statusCode()).isEqualTo(200);
                assertThat(broker.next(ofTenant, Duration.ofSeconds(10))).isNotNull().satisfies(tenants -> {
                    assertThat(tenants.getEnvelope().getRoutingKey()).isEqualTo("karaf.tenant-k.stream.push");
                    assertThat(tenants.getProps().getHeaders().get("css_tenant")).hasToString("k");
                });
                HttpResponse<String> elsewhere = karaf.post(port, PATH, TestCallbacks.sample("1-push.doc.json")
                        .withUniqueSequence().freshlySignedWith(TENANT_KEY).asString());
                assertThat(elsewhere.statusCode()).isEqualTo(401);
                assertThat(auditLines(karaf)).anyMatch(line -> line.contains("\"reason\":\"key-of-another-tenant\""));
                broker.drain(queue, Duration.ofMillis(300));

                // an abnormal interruption: a digest mail
                assertThat(karaf.post(port, PATH, TestCallbacks.sample("0-interrupt.doc.json").withUniqueSequence()
                        .with("errcode", 13).with("stream_id", "karaf-" + run).freshlySignedWith(KEY).asString())
                        .statusCode()).isEqualTo(200);
                assertThat(mailbox.await(1, 30_000)).singleElement().satisfies(mail -> {
                    assertThat(mail.subject).startsWith("[CSS] 1 abnormal stream interruption");
                    assertThat(mail.text).contains("stream_id=karaf-" + run);
                });

                // RabbitMQ cut off: answered 200 from the spool, published once it is back
                broker.drain(queue, Duration.ofMillis(300));
                rabbitmq.cut();
                String spooled = TestCallbacks.uniqueSequence();
                assertThat(karaf.post(port, PATH, TestCallbacks.sample("1-push.doc.json").with("sequence", spooled)
                        .freshlySignedWith(KEY).asString()).statusCode()).isEqualTo(200);
                assertThat(karaf.log()).contains("RabbitMQ does not take events");
                assertThat(awaitReadiness(karaf, managementPort, 503).body()).contains("RabbitMQ does not take events");
                // told on the chat channel, by the gateway inside Karaf
                Eventually.holds(() -> chat.texts("slack").stream().anyMatch(t -> t.startsWith(
                        "*RabbitMQ does not take events (instance karaf-gw)*")), "the broker alert on the chat channel");
                rabbitmq.restore();
                assertThat(broker.next(queue, Duration.ofSeconds(30))).isNotNull()
                        .satisfies(m -> assertThat(m.getProps().getMessageId()).isEqualTo("1:" + spooled));
                Eventually.holds(() -> chat.texts("slack").stream().anyMatch(t -> t.startsWith(
                        "*Over: RabbitMQ does not take events (instance karaf-gw")), "the broker back on the chat channel");
                // no callback for 3 s: silence, from the heartbeats through RabbitMQ
                Eventually.holds(() -> chat.texts("slack").stream().anyMatch(t -> t.startsWith(
                        "*Callbacks stopped: push domain ")), "silence on the chat channel");

                // a route file edited in etc/ is reloaded, under load: every callback answered 200
                Path intake = karaf.etc("css-callback-gateway/routes/intake.camel.yaml");
                try (Load load = new Load(karaf, port)) {
                    Files.writeString(intake, Files.readString(intake)
                            .replace("\"{\\\"code\\\":0}\"", "\"{\\\"code\\\":0,\\\"edited\\\":true}\""));
                    karaf.postUntil(port, PATH, this::signedPush, a -> a.body().contains("edited"));
                    Thread.sleep(500);
                    assertThat(load.answers()).as("answers during the reload").containsOnlyKeys(200);
                    System.out.printf("Callbacks answered during the route reload: %s%n", load.answers());
                }

                // a broken edit keeps the running routes
                String edited = Files.readString(intake);
                Files.writeString(intake, edited + "\n- route: [broken\n");
                Thread.sleep(3000);
                assertThat(karaf.post(port, PATH, signedPush()).body()).contains("edited");
                Files.writeString(intake, edited);

                // a change of etc/io.cssgateway.cfg restarts the gateway with it
                setKey(karaf.etc("io.cssgateway.cfg"), "gateway.http.path", "/karaf/css");
                karaf.postUntil(port, "/karaf/css", this::signedPush, a -> a.statusCode() == 200);
                assertThat(karaf.post(port, PATH, signedPush()).statusCode()).isEqualTo(404);

                // bundle:restart leaves as many threads and RabbitMQ connections as before
                List<String> threadsBefore = settledThreads(karaf);
                int connectionsBefore = karaf.connectionsTo(rabbitmq.port());
                System.out.printf("Before bundle:restart: %d gateway threads %s, %d connections to RabbitMQ%n",
                        threadsBefore.size(), threadsBefore, connectionsBefore);
                assertThat(threadsBefore).isNotEmpty();
                assertThat(connectionsBefore).isPositive();
                String id = bundleId(karaf);
                karaf.shell("bundle:restart " + id);
                karaf.postUntil(port, "/karaf/css", this::signedPush, a -> a.statusCode() == 200);
                awaitThreads(karaf, STEADY_GATEWAY_THREADS, threadsBefore.size());
                assertThat(karaf.connectionsTo(rabbitmq.port())).isEqualTo(connectionsBefore);

                // bundle:stop leaves nothing of the gateway: no thread, connection or port
                karaf.shell("bundle:stop " + id);
                awaitThreads(karaf, GATEWAY_THREADS, 0);
                assertThat(karaf.connectionsTo(rabbitmq.port())).isZero();
                assertThat(KarafContainer.listening(port)).isFalse();
                assertThat(KarafContainer.listening(managementPort)).isFalse();

                // bundle:start and bundle:update bring it back as it was
                karaf.shell("bundle:start " + id);
                karaf.postUntil(port, "/karaf/css", this::signedPush, a -> a.statusCode() == 200);
                karaf.shell("bundle:update " + id);
                karaf.postUntil(port, "/karaf/css", this::signedPush, a -> a.statusCode() == 200);
                awaitThreads(karaf, STEADY_GATEWAY_THREADS, threadsBefore.size());
                assertThat(karaf.connectionsTo(rabbitmq.port())).isEqualTo(connectionsBefore);

                // Karaf's shutdown stops the gateway with it
                karaf.stop();
                assertThat(KarafContainer.listening(port)).isFalse();
                assertThat(karaf.log()).doesNotContain(KEY).doesNotContain(TENANT_KEY)
                        .doesNotContain("Exception in thread");
            } finally {
                broker.deleteExchange(exchange);
                broker.deleteExchange(unrouted);
                broker.deleteQueue(unrouted);
                broker.deleteQueue(alerts);
                broker.deleteQueue(exchange + ".streams");
                broker.deleteQueue(exchange + ".heartbeats");
                SharedDatabase.drop(seenTable);
                SharedDatabase.dropAuditIndex(indexTable);
            }
        }
    }

    @Test
    void aFirstInstallWritesTheConfigurationAndWithoutAKeySaysHowToFixIt() throws Exception {
        Path kar = Path.of(System.getProperty("gateway.kar"));
        try (KarafContainer karaf = KarafContainer.start(dir.resolve("karaf"), Map.of(),
                home -> Files.copy(kar, home.resolve("deploy").resolve(kar.getFileName())))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!karaf.log().contains("No callback key is configured") && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            assertThat(karaf.log()).contains("The gateway could not start; fix etc/io.cssgateway.cfg")
                    .contains("Set the environment variable CSS_CALLBACK_KEYS");
            // the feature's configuration, written for the operator to edit, and the route files beside it
            assertThat(Files.readString(karaf.etc("io.cssgateway.cfg"))).contains("gateway.rabbitmq.addresses")
                    .contains("camel.server.port");
            assertThat(karaf.etc("css-callback-gateway/routes/intake.camel.yaml")).exists();
            // nothing of the gateway is left running
            awaitThreads(karaf, GATEWAY_THREADS, 0);
            karaf.stop();
        }
    }

    /** The readiness answer once its status is {@code status}, waiting up to 20 s. */
    private static HttpResponse<String> awaitReadiness(KarafContainer karaf, int managementPort, int status)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        HttpResponse<String> ready = karaf.get(managementPort, "/observe/health/ready");
        while (ready.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(250);
            ready = karaf.get(managementPort, "/observe/health/ready");
        }
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(status);
        return ready;
    }

    /**
     * Waits up to 10 s for the gateway's threads to number {@code expected}: a pool shut down ends its threads a
     * moment later, and the RabbitMQ client's I/O thread a second after its last connection closed.
     */
    private static void awaitThreads(KarafContainer karaf, Predicate<String> which, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> threads = karaf.threads(which);
        while (threads.size() != expected && System.nanoTime() < deadline) {
            Thread.sleep(500);
            threads = karaf.threads(which);
        }
        assertThat(threads).as("the gateway's threads; their stacks:\n%s",
                String.join("\n\n", karaf.stacks(which))).hasSize(expected);
    }

    /**
     * The steady gateway threads once their number holds for a second: the connections of the context a cfg change
     * replaced end their I/O threads a moment after it.
     */
    private static List<String> settledThreads(KarafContainer karaf) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> threads = karaf.threads(STEADY_GATEWAY_THREADS);
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            List<String> now = karaf.threads(STEADY_GATEWAY_THREADS);
            if (now.size() == threads.size()) {
                return now;
            }
            threads = now;
        }
        return threads;
    }

    /** Four clients posting signed callbacks until closed, counting the answers by status. */
    private final class Load implements AutoCloseable {
        private final Map<Integer, AtomicInteger> answers =
                new ConcurrentHashMap<>();
        private final List<Thread> clients = new ArrayList<>();
        private volatile boolean running = true;

        Load(KarafContainer karaf, int port) {
            for (int i = 0; i < 4; i++) {
                Thread client = new Thread(() -> {
                    while (running) {
                        int status;
                        try {
                            status = karaf.post(port, PATH, signedPush()).statusCode();
                        } catch (Exception e) {
                            status = -1;
                        }
                        answers.computeIfAbsent(status, s -> new AtomicInteger())
                                .incrementAndGet();
                    }
                });
                client.start();
                clients.add(client);
            }
        }

        Map<Integer, Integer> answers() {
            Map<Integer, Integer> counts = new TreeMap<>();
            answers.forEach((status, count) -> counts.put(status, count.get()));
            return counts;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            for (Thread client : clients) {
                client.join();
            }
        }
    }

    private String signedPush() {
        return TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY).asString();
    }

    private static String bundleId(KarafContainer karaf) throws Exception {
        String list = karaf.shell("bundle:list -s -t 0");
        Matcher m = Pattern.compile("(?m)^\\s*(\\d+)\\s.*io\\.cssgateway").matcher(list);
        assertThat(m.find()).as("the gateway's bundle in:\n%s", list).isTrue();
        return m.group(1);
    }

    private static List<String> auditLines(KarafContainer karaf) throws Exception {
        Path audit = karaf.data("css-callback-gateway/audit");
        try (Stream<Path> files = Files.list(audit)) {
            return files.flatMap(f -> {
                try {
                    return Files.readAllLines(f).stream();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
    }

    /** css_gateway_dedup_entries on the management port. */
    private static long dedupEntries(KarafContainer karaf, int managementPort) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^css_gateway_dedup_entries (\\S+)$")
                .matcher(karaf.get(managementPort, "/observe/metrics").body());
        assertThat(m.find()).as("css_gateway_dedup_entries").isTrue();
        return (long) Double.parseDouble(m.group(1));
    }
}
