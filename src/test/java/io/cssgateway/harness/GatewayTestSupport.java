package io.cssgateway.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.spool.Spool;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Starts the whole gateway, as configured by its real application.properties and routes/, with what each
 * test class must have of its own: an HTTP port, the exchanges (css.events.it-RUN, css.unrouted.it-RUN) on
 * the real RabbitMQ at 127.0.0.1:5672, a data folder for the de-duplication and audit files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class GatewayTestSupport extends CamelMainTestSupport {

    public static final String KEY = "e2e-key-" + UUID.randomUUID();
    public static final String OLD_KEY = "e2e-old-key-" + UUID.randomUUID();

    // Set in useOverridePropertiesWithPropertiesComponent, which CamelTestSupport calls from its constructor:
    // fields with initialisers would be reset after it, so these have none.
    protected String run;
    protected String exchange;
    protected String unrouted;
    protected int port;
    /** The management port: /observe/health, /observe/metrics. */
    protected int managementPort;
    protected Path dataDir;

    protected final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    protected final ObjectMapper json = new ObjectMapper();
    protected BrokerProbe broker;
    /** Between the gateway and RabbitMQ when {@link #brokerThroughProxy()}, so that a test can cut the connection. */
    protected TcpProxy proxy;

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:application.properties";
    }

    @Override
    protected final Properties useOverridePropertiesWithPropertiesComponent() {
        run = UUID.randomUUID().toString().substring(0, 8);
        exchange = "css.events.it-" + run;
        unrouted = "css.unrouted.it-" + run;
        port = GatewayProcess.freePort();
        managementPort = GatewayProcess.freePort();
        try {
            dataDir = Files.createTempDirectory("css-gateway-e2e");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Properties properties = new Properties();
        properties.setProperty("camel.server.port", Integer.toString(port));
        properties.setProperty("camel.server.host", "127.0.0.1");
        properties.setProperty("camel.management.port", Integer.toString(managementPort));
        properties.setProperty("camel.management.host", "127.0.0.1");
        properties.setProperty("gateway.signature.keys", OLD_KEY + "," + KEY);
        properties.setProperty("gateway.dedup.file", dataDir.resolve("dedup/seen-events.txt").toString());
        properties.setProperty("gateway.audit.dir", dataDir.resolve("audit").toString());
        properties.setProperty("gateway.spool.dir", dataDir.resolve("spool").toString());
        properties.setProperty("gateway.streams.dir", dataDir.resolve("streams").toString());
        properties.setProperty("gateway.audit.index.dir", dataDir.resolve("audit-index").toString());
        properties.setProperty("gateway.alert.silence.file", dataDir.resolve("last-callbacks.json").toString());
        // the stream state's messages stay out of the queues bound to # (StreamsIT turns it on)
        properties.setProperty("gateway.streams.enabled", "false");
        properties.setProperty("gateway.rabbitmq.exchange", exchange);
        properties.setProperty("gateway.rabbitmq.alternate-exchange", unrouted);
        properties.setProperty("gateway.rabbitmq.unrouted-queue", unrouted);
        properties.setProperty("gateway.rabbitmq.confirm-timeout-ms", "2000");
        if (brokerThroughProxy()) {
            try {
                proxy = new TcpProxy(5672);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            properties.setProperty("gateway.rabbitmq.addresses", "127.0.0.1:" + proxy.port());
        }
        properties.putAll(moreProperties());
        return properties;
    }

    /**
     * Posts a push to every publishing channel (twice the 8 of the default configuration, round-robin), so that
     * all of the publisher's connections and channels are open: one opened later would declare the exchange again
     * (as after a broker restart), undoing a test's deletion of it, or would open through a proxy a test holds.
     */
    protected void publisherConnected() throws Exception {
        for (int i = 0; i < 16; i++) {
            assertThat(post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY)
                    .asString()).statusCode()).isEqualTo(200);
        }
    }

    /** Whether the gateway reaches RabbitMQ through {@link #proxy}. */
    protected boolean brokerThroughProxy() {
        return false;
    }

    /** What a test class sets beyond the common configuration. */
    protected Properties moreProperties() {
        return new Properties();
    }

    @BeforeAll
    public void openProbe() throws Exception {
        broker = new BrokerProbe();
    }

    @AfterEach
    public void removeProbeQueues() throws Exception {
        broker.deleteQueues();
    }

    @AfterAll
    public void removeThisRunsExchanges() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        broker.deleteExchange(exchange);
        broker.deleteExchange(unrouted);
        broker.deleteQueue(unrouted);
        broker.deleteQueue(exchange + ".streams");
        broker.deleteQueue(exchange + ".heartbeats");
        broker.close();
    }

    @AfterAll
    public void noKeyEverReachedTheLog() throws IOException {
        String log = Files.readString(testLog());
        assertThat(log).contains("css-callback-gateway")
                .doesNotContain(KEY).doesNotContain(OLD_KEY);
    }

    /**
     * The log file of this test JVM (log4j2-test.properties): target/test-logs/gateway.log under surefire,
     * gateway-it.log under failsafe.
     */
    protected static Path testLog() {
        return Path.of("target/test-logs", System.getProperty("test.log.name", "gateway") + ".log");
    }

    /** Waits until the gateway's spool is empty: every spooled event is on RabbitMQ. */
    protected void awaitEmptySpool(long millis) throws InterruptedException {
        Spool spool = context.getRegistry().lookupByNameAndType("spool", Spool.class);
        long deadline = System.currentTimeMillis() + millis;
        while (spool.depth() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(spool.depth()).as("events left in the spool").isZero();
    }

    /** Puts a file where the spool folder is, so that nothing can be spooled; returns what puts it back. */
    protected AutoCloseable spoolMadeUnwritable() throws IOException {
        return TestFiles.madeUnwritable(dataDir.resolve("spool"));
    }

    protected URI endpoint() {
        return URI.create("http://127.0.0.1:" + port + "/callbacks/tencent/css");
    }

    protected HttpResponse<String> post(String body) throws Exception {
        return post(body, "application/json");
    }

    protected HttpResponse<String> post(String body, String contentType) throws Exception {
        return http.send(HttpRequest.newBuilder(endpoint()).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
