package io.cssgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.Certificates;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.TestCallbacks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS on the intake (gateway.http.tls.*), against the packaged jar, with a certificate made for the test. */
class IntakeTlsIT {

    private static final String KEY = "tls-key-" + UUID.randomUUID();
    private static final String PASSWORD = "store-" + UUID.randomUUID();

    @TempDir
    Path dir;

    private final String exchange = "css.events.tls-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void removeExchange() throws Exception {
        try (BrokerProbe broker = new BrokerProbe()) {
            broker.deleteGatewayTopology(exchange);
        }
    }

    private static HttpClient trusting(Path store) throws Exception {
        return HttpClient.newBuilder().sslContext(Certificates.context(null, store, PASSWORD))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpRequest post(String scheme, int port) {
        return HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + "/callbacks/tencent/css"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                        .freshlySignedWith(KEY).asString())).build();
    }

    @Test
    void callbacksArriveOverHttpsAndPlainHttpIsNotServed() throws Exception {
        Path store = Certificates.selfSigned(dir, "intake", "ip:127.0.0.1", PASSWORD);
        int port = GatewayProcess.freePort();
        try (GatewayProcess gateway = GatewayProcess.start(dir,
                Map.of("CSS_CALLBACK_KEYS", KEY, "GATEWAY_HTTP_TLS_KEY_STORE_PASSWORD", PASSWORD),
                "-Dcamel.server.port=" + port, "-Dgateway.spool.dir=" + dir.resolve("spool"),
                "-Dgateway.rabbitmq.exchange=" + exchange, "-Dgateway.http.tls.enabled=true",
                "-Dgateway.http.tls.key-store=" + store)) {
            gateway.awaitStarted();

            HttpResponse<String> answer = trusting(store).send(post("https", port), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("{\"code\":0}");
            // t and sign never cross the wire in the clear: plain HTTP gets no answer
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(post("http", port),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
            assertThat(gateway.output()).contains("HTTPS intake listening on 127.0.0.1:" + port)
                    .doesNotContain(PASSWORD);
        }
    }

    @Test
    void aKeyStoreThatCannotBeReadStopsTheStartSayingWhich() throws Exception {
        Path missing = dir.resolve("missing.p12");
        GatewayProcess gateway = GatewayProcess.start(dir, Map.of("CSS_CALLBACK_KEYS", KEY),
                "-Dcamel.server.port=" + GatewayProcess.freePort(), "-Dgateway.rabbitmq.exchange=" + exchange,
                "-Dgateway.http.tls.enabled=true", "-Dgateway.http.tls.key-store=" + missing);
        assertThat(gateway.awaitExit()).isEqualTo(1);
        assertThat(gateway.output()).contains("gateway.http.tls.key-store " + missing + " cannot be read");
    }
}
