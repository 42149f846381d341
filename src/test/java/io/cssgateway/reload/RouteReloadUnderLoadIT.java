package io.cssgateway.reload;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.TestCallbacks;
import io.cssgateway.harness.TestFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Route files saved while the packaged jar serves callbacks ({@code gateway.routes.reload=true}): each file is swapped
 * in, and no callback is answered anything but 200 or published other than once.
 */
class RouteReloadUnderLoadIT {

    private static final String KEY = "reload-key-" + UUID.randomUUID();

    @TempDir
    Path dir;

    @Test
    void everyRouteFileSavedUnderLoadIsSwappedInWithoutFailingACallback() throws Exception {
        Path work = dir.resolve("work");
        TestFiles.copyTree(Path.of("routes"), work.resolve("routes"));
        Files.copy(Path.of("application.properties"), work.resolve("application.properties"));
        String exchange = "css.events.reload-" + UUID.randomUUID().toString().substring(0, 8);
        int port = GatewayProcess.freePort();
        Map<String, Integer> answers = new ConcurrentHashMap<>();
        Map<String, String> sent = new ConcurrentHashMap<>();
        try (BrokerProbe broker = new BrokerProbe();
                GatewayProcess gateway = GatewayProcess.startIn(work, dir,
                        Map.of("CSS_CALLBACK_KEYS", KEY, "GATEWAY_RABBITMQ_EXCHANGE", exchange),
                        "-Dcamel.server.port=" + port, "-Dgateway.spool.dir=" + dir.resolve("spool"),
                        "-Dgateway.routes.reload=true")) {
            gateway.awaitStarted();
            String queue = broker.bindQueue(exchange, "#");

            AtomicBoolean loading = new AtomicBoolean(true);
            ExecutorService clients = Executors.newFixedThreadPool(16);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI endpoint = URI.create("http://127.0.0.1:" + port + "/callbacks/tencent/css");
            for (int c = 0; c < 16; c++) {
                clients.submit(() -> {
                    while (loading.get()) {
                        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                                .freshlySignedWith(KEY);
                        String id = "1:" + push.text("sequence");
                        sent.put(id, id);
                        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(endpoint)
                                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(push.asString())).build(),
                                HttpResponse.BodyHandlers.ofString());
                        answers.put(id, answer.statusCode());
                    }
                    return null;
                });
            }

            Thread.sleep(1000);
            for (String file : routeFiles()) {
                Path route = work.resolve("routes").resolve(file);
                for (int save = 1; save <= 3; save++) {
                    Files.writeString(route, Files.readString(route) + "\n# saved " + save + " under load\n");
                    Thread.sleep(700);
                }
            }
            Thread.sleep(500);
            loading.set(false);
            clients.shutdown();
            assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

            Map<Integer, Integer> byStatus = new HashMap<>();
            answers.values().forEach(status -> byStatus.merge(status, 1, Integer::sum));
            assertThat(byStatus).as("answers by status; the gateway's warnings and errors:%n%s",
                    gateway.output().lines().filter(line -> line.contains("WARN") || line.contains("ERROR") || line.contains("reloaded"))
                            .limit(40).toList()).containsOnlyKeys(200);
            assertThat(answers).hasSizeGreaterThan(500).hasSameSizeAs(sent);

            List<String> published = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 30_000;
            while (published.size() < answers.size() && System.currentTimeMillis() < deadline) {
                GetResponse message = broker.next(queue, Duration.ofSeconds(1));
                if (message != null) {
                    published.add(message.getProps().getMessageId());
                }
            }
            published.addAll(broker.drain(queue, Duration.ofMillis(500)).stream()
                    .map(m -> m.getProps().getMessageId()).toList());
            assertThat(published).as("each event published once").doesNotHaveDuplicates();
            assertThat(Set.copyOf(published)).isEqualTo(answers.keySet());

            String output = gateway.output();
            for (String file : routeFiles()) {
                assertThat(output).as(file).contains("Route file routes/" + file + " reloaded");
            }
            broker.deleteGatewayTopology(exchange);
        }
    }

    /** Every route file of routes/ (not the dev profile's): a file added later is covered too. */
    private static List<String> routeFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            List<String> names = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted()
                    .toList();
            assertThat(names).contains("intake.camel.yaml", "classify.camel.yaml", "publish.camel.yaml");
            return names;
        }
    }
}
