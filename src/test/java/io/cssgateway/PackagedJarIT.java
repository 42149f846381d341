package io.cssgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * target/css-callback-gateway.jar run as an operator runs it: {@code java -jar} from the repository root,
 * configured by ./application.properties, -D options and the environment.
 */
class PackagedJarIT {

    private static final String KEY = "jar-key-" + UUID.randomUUID();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private Process gateway;

    @AfterEach
    void stopGateway() throws Exception {
        if (gateway != null) {
            gateway.destroy();
            assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).as("gateway stops on SIGTERM").isTrue();
        }
    }

    @Test
    void jarRunsFromTheRepositoryRootAndPublishes() throws Exception {
        String exchange = "css.events.jar-" + UUID.randomUUID().toString().substring(0, 8);
        int port = freePort();
        try (BrokerProbe broker = new BrokerProbe()) {
            // the exchange comes from the environment, the port from -D: both override application.properties
            gateway = start(Map.of("CSS_CALLBACK_KEYS", KEY, "GATEWAY_RABBITMQ_EXCHANGE", exchange),
                    "-Dcamel.server.port=" + port);
            awaitStarted();
            String queue = broker.bindQueue(exchange, "#");

            HttpResponse<String> answer = post(port,
                    TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY).asString());

            assertThat(answer.statusCode()).isEqualTo(200);
            GetResponse message = broker.next(queue, Duration.ofSeconds(5));
            assertThat(message).isNotNull();
            assertThat(message.getEnvelope().getRoutingKey()).isEqualTo("stream.push");
            broker.deleteExchange(exchange);
        }
        assertThat(output()).doesNotContain(KEY);
    }

    @Test
    void withoutAKeyTheGatewayRefusesToStartAndSaysHowToFixIt() throws Exception {
        gateway = start(Map.of(), "-Dcamel.server.port=" + freePort(), "-Dgateway.signature.keys=");
        assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gateway.exitValue()).isNotZero();
        assertThat(output()).contains("No callback key is configured").contains("CSS_CALLBACK_KEYS")
                .contains("gateway.signature.required=false");
        gateway = null;
    }

    @Test
    void signatureNotRequiredStartsWithAWarningAndAcceptsUnsignedCallbacks() throws Exception {
        int port = freePort();
        gateway = start(Map.of(), "-Dcamel.server.port=" + port, "-Dgateway.signature.keys=",
                "-Dgateway.signature.required=false");
        awaitStarted();
        String unsigned = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().without("t").without("sign")
                .asString();
        assertThat(post(port, unsigned).statusCode()).isEqualTo(200);
        assertThat(output()).containsPattern("WARN .*gateway.signature.required=false");
    }

    private Process start(Map<String, String> environment, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(options));
        command.add("-Dcamel.server.host=127.0.0.1");
        command.add("-Dgateway.dedup.file=" + dir.resolve("seen-events.txt"));
        command.addAll(List.of("-jar", "target/css-callback-gateway.jar"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("gateway.out").toFile());
        builder.environment().remove("CSS_CALLBACK_KEYS");
        builder.environment().putAll(environment);
        return builder.start();
    }

    private String output() throws IOException {
        return Files.readString(dir.resolve("gateway.out"));
    }

    /** Waits until Camel says it has started: the routes run and the exchange is declared. */
    private void awaitStarted() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertThat(gateway.isAlive()).as("gateway is running; its output:\n%s", output()).isTrue();
            if (output().contains("(css-callback-gateway) started in")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("gateway did not start; its output:\n" + output());
    }

    private HttpResponse<String> post(int port, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/callbacks/tencent/css"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
