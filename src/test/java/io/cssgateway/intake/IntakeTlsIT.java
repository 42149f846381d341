package io.cssgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.TestCallbacks;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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
            broker.deleteExchange(exchange);
        }
    }

    /** A PKCS12 key store with a self-signed certificate for 127.0.0.1, made with the JDK's keytool. */
    private Path keyStore() throws Exception {
        Path store = dir.resolve("intake.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "intake", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        return store;
    }

    private static HttpClient trusting(Path store) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            trusted.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpRequest post(String scheme, int port) {
        return HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + "/callbacks/tencent/css"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                        .freshlySignedWith(KEY).asString())).build();
    }

    @Test
    void callbacksArriveOverHttpsAndPlainHttpIsNotServed() throws Exception {
        Path store = keyStore();
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
