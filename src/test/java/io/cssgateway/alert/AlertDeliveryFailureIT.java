package io.cssgateway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cssgateway.harness.GatewayTestSupport;
import io.cssgateway.harness.TestCallbacks;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Alerts when no SMTP server answers at all: kept and audited after the last try; pending ones survive a stop. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertDeliveryFailureIT extends GatewayTestSupport {

    private String alertQueue;

    @Override
    protected Properties moreProperties() {
        alertQueue = "css.alerts.it-" + run;
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Properties properties = new Properties();
        properties.setProperty("gateway.alert.enabled", "true");
        properties.setProperty("gateway.alert.from", "css-gateway@example.com");
        properties.setProperty("gateway.alert.to", "oncall@example.com");
        properties.setProperty("gateway.alert.window-seconds", "2");
        properties.setProperty("gateway.alert.queue", alertQueue);
        properties.setProperty("gateway.alert.smtp.host", "127.0.0.1");
        properties.setProperty("gateway.alert.smtp.port", Integer.toString(closedPort));
        properties.setProperty("gateway.alert.smtp.retries", "2");
        properties.setProperty("gateway.alert.smtp.retry-delay-ms", "200");
        properties.setProperty("gateway.alert.undelivered-dir", dataDir.resolve("undelivered").toString());
        return properties;
    }

    private TestCallbacks interruption(String streamId) {
        return TestCallbacks.sample("0-interrupt.doc.json").withUniqueSequence().with("errcode", 5)
                .with("stream_id", streamId).freshlySignedWith(KEY);
    }

    private List<Path> undelivered() throws IOException {
        Path dir = dataDir.resolve("undelivered");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    private JsonNode undeliveredAuditLine() throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("audit"))) {
            for (Path file : files.toList()) {
                for (String line : Files.readAllLines(file)) {
                    if (line.contains("alert-undelivered")) {
                        return json.readTree(line);
                    }
                }
            }
        }
        return null;
    }

    @Test
    @Order(1)
    void aDigestNotMailedAfterItsLastTryIsKeptAuditedAndLeavesTheQueue() throws Exception {
        assertThat(post(interruption("undelivered-" + run).asString()).statusCode()).isEqualTo(200);

        // the file is written first, then the audit line
        long deadline = System.currentTimeMillis() + 15_000;
        JsonNode audit = undeliveredAuditLine();
        while (audit == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            audit = undeliveredAuditLine();
        }

        assertThat(undelivered()).hasSize(1);
        String kept = Files.readString(undelivered().get(0));
        assertThat(kept).contains("To: oncall@example.com").contains("Subject: [CSS] 1 abnormal stream interruption")
                .contains("stream_id=undelivered-" + run).contains("errcode=5");
        assertThat(audit).isNotNull();
        assertThat(audit.get("verdict").asText()).isEqualTo("alert-undelivered");
        assertThat(audit.get("http_status").isNull()).isTrue();
        assertThat(audit.get("body").get("alerts").asInt()).isEqualTo(1);
        assertThat(audit.get("body").get("file").asText()).isEqualTo(undelivered().get(0).toString());
        Thread.sleep(500);
        assertThat(broker.queueDepth(alertQueue)).isZero();
    }

    @Test
    @Order(2)
    void pendingAlertsGoBackToTheQueueWhenTheGatewayStops() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(post(interruption("pending-" + run + "-" + i).asString()).statusCode()).isEqualTo(200);
        }
        // the window (2 s) is still open: the three are held unacknowledged by the digest being built
        Thread.sleep(300);
        assertThat(broker.queueDepth(alertQueue)).isZero();

        context.stop();

        assertThat(broker.queueDepth(alertQueue)).isEqualTo(3);
        broker.deleteQueue(alertQueue);
    }
}
