package io.cssgateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.TcpProxy;
import io.cssgateway.harness.TestCallbacks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged gateway as an operator runs it: health and metrics on the management port, one log line per broker
 * state change, the JSON log, start-up answered 503 (never 404), and SIGTERM under load losing nothing answered 200.
 */
class OperationsIT {

    private static final String KEY = "ops-key-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String exchange = "css.events.ops-" + run;
    private final String unrouted = "css.unrouted.ops-" + run;
    private final String alerts = "css.alerts.ops-" + run;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void removeTopology() throws Exception {
        try (BrokerProbe broker = new BrokerProbe()) {
            broker.deleteQueue(alerts);
            broker.deleteQueue(unrouted);
            broker.deleteQueue(exchange + ".streams");
            broker.deleteQueue(exchange + ".heartbeats");
            broker.deleteExchange(exchange);
            broker.deleteExchange(unrouted);
        }
    }

    private GatewayProcess start(int port, Map<String, String> environment, String... options) throws IOException {
        List<String> all = new ArrayList<>(List.of("-Dcamel.server.port=" + port,
                "-Dgateway.spool.dir=" + dir.resolve("spool"), "-Dgateway.rabbitmq.exchange=" + exchange,
                "-Dgateway.rabbitmq.alternate-exchange=" + unrouted, "-Dgateway.rabbitmq.unrouted-queue=" + unrouted));
        all.addAll(List.of(options));
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.put("CSS_CALLBACK_KEYS", KEY);
        return GatewayProcess.start(dir, env, all.toArray(String[]::new));
    }

    private static String push() {
        return TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY).asString();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Double metric(GatewayProcess gateway, String series) throws Exception {
        return gateway.metric(series);
    }

    /** The css_gateway_* metrics the gateway exports, by name (a histogram's _max gauge is its histogram's). */
    private Set<String> exportedMetrics(GatewayProcess gateway) throws Exception {
        String text = get(gateway.managementPort(), "/observe/metrics").body();
        Map<String, String> types = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^# TYPE (css_gateway_\\w+) (\\w+)$").matcher(text);
        while (m.find()) {
            types.put(m.group(1), m.group(2));
        }
        Set<String> names = new TreeSet<>(types.keySet());
        names.removeIf(name -> name.endsWith("_max")
                && "histogram".equals(types.get(name.substring(0, name.length() - "_max".length()))));
        return names;
    }

    /** The metric names docs/operating.md's table lists. */
    private static Set<String> documentedMetrics() throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `(css_gateway_\\w+)").matcher(Files.readString(Path.of("docs/operating.md")));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The readiness answer once {@code until} holds for it, waiting up to {@code atMost}. */
    private HttpResponse<String> awaitReadiness(GatewayProcess gateway, Predicate<HttpResponse<String>> until,
            Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        HttpResponse<String> ready = get(gateway.managementPort(), "/observe/health/ready");
        while (!until.test(ready) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            ready = get(gateway.managementPort(), "/observe/health/ready");
        }
        return ready;
    }

    private static long count(String output, String text) {
        return output.lines().filter(line -> line.contains(text)).count();
    }

    @Test
    void healthAndMetricsFollowTheBrokerAndTheLogSaysEachChangeOnceWithoutAStack() throws Exception {
        int port = GatewayProcess.freePort();
        try (TcpProxy rabbitmq = new TcpProxy(5672);
                BrokerProbe broker = new BrokerProbe();
                GatewayProcess gateway = start(port, Map.of(),
                        "-Dgateway.rabbitmq.addresses=127.0.0.1:" + rabbitmq.port(),
                        "-Dgateway.rabbitmq.watch-interval-ms=1000",
                        // alerts on: the alert queue's consumer is one more connection that is lost and retried
                        "-Dgateway.alert.enabled=true", "-Dgateway.alert.queue=" + alerts,
                        // the stream state on, as by default: its consumer too, and its metrics
                        "-Dgateway.streams.enabled=true",
                        "-Dgateway.alert.from=gateway@example.com", "-Dgateway.alert.to=oncall@example.com")) {
            gateway.awaitStarted();
            // liveness and readiness, on the management port, not on the intake's
            assertThat(get(gateway.managementPort(), "/observe/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = awaitReadiness(gateway, r -> r.statusCode() == 200, Duration.ofSeconds(10));
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(JSON.readTree(ready.body()).get("status").asText()).isEqualTo("UP");
            assertThat(get(port, "/observe/health").statusCode()).as("nothing of management on the intake's port")
                    .isEqualTo(404);

            // metrics move as requests arrive
            assertThat(gateway.post(port, push()).statusCode()).isEqualTo(200);
            assertThat(gateway.post(port, "{\"event_type\":1}").statusCode()).isEqualTo(401);
            assertThat(metric(gateway, "css_gateway_requests_total{reason=\"accepted\",tenant=\"\",verdict=\"accepted\"}"))
                    .isEqualTo(1.0);
            assertThat(metric(gateway, "css_gateway_requests_total{reason=\"unsigned\",tenant=\"\",verdict=\"rejected\"}"))
                    .isEqualTo(1.0);
            assertThat(metric(gateway, "css_gateway_events_total{event_type=\"1\",routing_key=\"stream.push\",tenant=\"\"}"))
                    .isEqualTo(1.0);
            assertThat(metric(gateway, "css_gateway_publish_confirm_seconds_count")).isGreaterThanOrEqualTo(1.0);
            assertThat(metric(gateway, "css_gateway_answer_seconds_count")).isEqualTo(2.0);
            assertThat(metric(gateway, "css_gateway_broker_up")).isEqualTo(1.0);
            assertThat(metric(gateway, "css_gateway_dedup_entries")).isEqualTo(1.0);
            assertThat(metric(gateway, "css_gateway_http_connections")).isNotNull();
            for (String reason : List.of("idle", "slow", "limit")) {
                assertThat(metric(gateway, "css_gateway_http_connections_closed_total{reason=\"" + reason + "\"}"))
                        .isNotNull();
            }
            // docs/operating.md's table is what the gateway exports, neither more nor less
            assertThat(exportedMetrics(gateway)).isEqualTo(documentedMetrics());

            // RabbitMQ cut off: readiness DOWN saying why, broker_up 0, callbacks still answered 200 (spooled)
            rabbitmq.cut();
            ready = awaitReadiness(gateway, r -> r.statusCode() == 503, Duration.ofSeconds(15));
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
            JsonNode broker503 = find(JSON.readTree(ready.body()), "broker");
            assertThat(broker503.get("status").asText()).isEqualTo("DOWN");
            assertThat(broker503.get("message").asText()).contains("RabbitMQ does not take events");
            assertThat(metric(gateway, "css_gateway_broker_up")).isEqualTo(0.0);
            assertThat(gateway.post(port, push()).statusCode()).isEqualTo(200);
            assertThat(metric(gateway, "css_gateway_spool_events")).isEqualTo(1.0);
            // several watch rounds and consumer retries while it stays down
            Thread.sleep(8000);

            // back: readiness UP, the spooled event published, broker_up 1
            rabbitmq.restore();
            ready = awaitReadiness(gateway, r -> r.statusCode() == 200, Duration.ofSeconds(20));
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (metric(gateway, "css_gateway_spool_events") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(metric(gateway, "css_gateway_spool_events")).isEqualTo(0.0);
            assertThat(metric(gateway, "css_gateway_broker_up")).isEqualTo(1.0);

            String output = gateway.output();
            assertThat(count(output, "RabbitMQ does not take events: ")).as(output).isEqualTo(1);
            assertThat(count(output, "RabbitMQ takes events again")).as(output).isEqualTo(1);
            assertThat(output.lines().filter(line -> line.startsWith("\tat ") || line.contains(" ERROR ")))
                    .as("stack traces and errors in:%n%s", output).isEmpty();
            // one line per refusal, with its reason and where it came from; one line at start of what is off
            assertThat(output).contains("Callback from 127.0.0.1 refused with 401 (unsigned, before its identity was known): "
                    + "event_type 1 callbacks must carry t and sign");
            assertThat(output).contains("Off: audit lines to RabbitMQ").contains("rate limit per source");
        }
    }

    private static JsonNode find(JsonNode health, String check) {
        for (JsonNode node : health.get("checks")) {
            if (check.equals(node.get("name").asText())) {
                return node;
            }
        }
        throw new AssertionError("no check " + check + " in " + health);
    }

    @Test
    void duringStartUpACallbackIsAnswered503WithRetryAfterNever404() throws Exception {
        int port = GatewayProcess.freePort();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> retryAfter = new ArrayList<>();
        try (GatewayProcess gateway = start(port, Map.of())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int status = 0;
            while (status != 200 && System.nanoTime() < deadline) {
                try {
                    HttpResponse<String> answer = gateway.post(port, push());
                    status = answer.statusCode();
                    statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                    if (status == 503) {
                        retryAfter.add(answer.headers().firstValue("Retry-After").orElse("none"));
                        assertThat(answer.body()).isEqualTo("{\"code\":503,\"message\":\"the gateway is starting, retry later\"}");
                    }
                } catch (IOException notListeningYet) {
                    Thread.sleep(2);
                }
            }
            System.out.printf("Answers during start-up: %s%n", statuses);
            assertThat(statuses.keySet()).as("answers during start-up").isSubsetOf(Set.of(503, 200)).contains(200);
            // how many come before the routes run depends on the machine (IntakeHttpServerTest holds the answer)
            assertThat(retryAfter).allMatch("5"::equals);
        }
    }

    @Test
    void sigtermUnderLoadAnswersOrRefusesEveryCallbackAndLosesNothingAnswered200() throws Exception {
        int port = GatewayProcess.freePort();
        try (BrokerProbe broker = new BrokerProbe()) {
            GatewayProcess gateway = start(port, Map.of()).awaitStarted();
            String queue = broker.bindQueue(exchange, "#");
            Set<String> answered200 = ConcurrentHashMap.newKeySet();
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            AtomicInteger badRetryAfter = new AtomicInteger();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                Thread client = new Thread(() -> {
                    int refused = 0;
                    while (refused < 3) {
                        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                                .freshlySignedWith(KEY);
                        try {
                            HttpResponse<String> answer = gateway.post(port, push.asString());
                            statuses.computeIfAbsent(answer.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                            if (answer.statusCode() == 200) {
                                answered200.add("1:" + push.text("sequence"));
                            } else if (answer.statusCode() == 503
                                    && !answer.headers().firstValue("Retry-After").isPresent()) {
                                badRetryAfter.incrementAndGet();
                            }
                        } catch (Exception closedOrRefused) {
                            refused++;
                            try {
                                Thread.sleep(50);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                });
                client.start();
                clients.add(client);
            }
            Thread.sleep(3000);
            long sent = System.nanoTime();
            gateway.terminate();
            int exit = gateway.awaitExit();
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            for (Thread client : clients) {
                client.join(30_000);
            }
            String output = gateway.output();
            System.out.printf("SIGTERM under load: answers %s, stopped in %d ms, exit %d%n", statuses, stopMillis, exit);

            assertThat(statuses.keySet()).as("answers; the gateway's output:%n%s", output).isSubsetOf(Set.of(200, 503));
            assertThat(answered200).hasSizeGreaterThan(100);
            assertThat(badRetryAfter).hasValue(0);
            assertThat(stopMillis).as("stopped within the shutdown timeout").isLessThan(30_000);
            assertThat(output).contains("Stopping: new callbacks are answered 503");

            // every callback answered 200 is on RabbitMQ or in the spool, for the next start
            Set<String> handedOn = ConcurrentHashMap.newKeySet();
            for (GetResponse message : broker.drain(queue, Duration.ofSeconds(1))) {
                handedOn.add(message.getProps().getMessageId());
            }
            if (Files.isDirectory(dir.resolve("spool"))) {
                try (Stream<Path> spooled = Files.list(dir.resolve("spool"))) {
                    for (Path file : spooled.toList()) {
                        String text = Files.readString(file);
                        Matcher id = Pattern.compile("\"message_id\":\"([^\"]+)\"").matcher(text);
                        if (id.find()) {
                            handedOn.add(id.group(1));
                        }
                    }
                }
            }
            assertThat(handedOn).containsAll(answered200);
        }
    }

    @Test
    void theJsonLogIsOneJsonObjectPerLine() throws Exception {
        int port = GatewayProcess.freePort();
        try (GatewayProcess gateway = start(port, Map.of("GATEWAY_LOG_FORMAT", "json"))) {
            gateway.awaitStarted();
            assertThat(gateway.post(port, "{}").statusCode()).isEqualTo(400);
            Thread.sleep(300);
            List<JsonNode> lines = new ArrayList<>();
            for (String line : gateway.output().lines().filter(l -> !l.isBlank()).toList()) {
                lines.add(JSON.readTree(line));
            }
            assertThat(lines).allSatisfy(line -> {
                assertThat(line.has("@timestamp")).isTrue();
                assertThat(line.has("log.level")).isTrue();
                assertThat(line.has("message")).isTrue();
            });
            assertThat(lines).anySatisfy(line -> assertThat(line.get("message").asText())
                    .startsWith("Callback from 127.0.0.1 refused with 400 (malformed, "));
        }
    }
}
