package io.cssgateway.spool;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.TcpProxy;
import io.cssgateway.harness.TestCallbacks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool survives the gateway's process: kill -9 with events spooled, start again, all arrive. */
class SpoolProcessIT {

    private static final String KEY = "spool-key-" + UUID.randomUUID();

    @TempDir
    Path dir;

    @Test
    void eventsSpooledBeforeAKillMinus9ArriveAfterTheRestart() throws Exception {
        String exchange = "css.events.spool-" + UUID.randomUUID().toString().substring(0, 8);
        String unrouted = "css.unrouted.spool-" + UUID.randomUUID().toString().substring(0, 8);
        Path spool = dir.resolve("spool");
        int port = GatewayProcess.freePort();
        Map<String, String> environment = Map.of("CSS_CALLBACK_KEYS", KEY, "GATEWAY_RABBITMQ_EXCHANGE", exchange,
                "GATEWAY_RABBITMQ_ALTERNATE_EXCHANGE", unrouted, "GATEWAY_RABBITMQ_UNROUTED_QUEUE", unrouted);
        List<String> answered = new ArrayList<>();
        try (BrokerProbe broker = new BrokerProbe(); TcpProxy proxy = new TcpProxy(5672)) {
            proxy.cut();
            GatewayProcess first = GatewayProcess.start(dir, environment, "-Dcamel.server.port=" + port,
                    "-Dgateway.spool.dir=" + spool, "-Dgateway.rabbitmq.addresses=127.0.0.1:" + proxy.port());
            first.awaitStarted();
            for (int i = 0; i < 50; i++) {
                String body = TestCallbacks.sample("0-interrupt.doc.json").withUniqueSequence().with("errcode", 12)
                        .freshlySignedWith(KEY).asString();
                if (first.post(port, body).statusCode() == 200) {
                    answered.add("0:" + new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).get("sequence").asText());
                }
            }
            assertThat(answered).hasSize(50);
            try (var files = Files.list(spool)) {
                assertThat(files.filter(f -> f.toString().endsWith(".event")).count()).isEqualTo(50);
            }

            first.kill();

            broker.declareTopicExchange(exchange, unrouted);
            String queue = broker.bindQueue(exchange, "#");
            try (GatewayProcess second = GatewayProcess.start(dir, environment, "-Dcamel.server.port=" + port,
                    "-Dgateway.spool.dir=" + spool)) {
                second.awaitStarted();
                Set<String> arrived = new HashSet<>();
                long deadline = System.currentTimeMillis() + 30_000;
                while (arrived.size() < 50 && System.currentTimeMillis() < deadline) {
                    GetResponse message = broker.next(queue, Duration.ofSeconds(1));
                    if (message != null) {
                        arrived.add(message.getProps().getMessageId());
                        assertThat(message.getEnvelope().getRoutingKey()).isEqualTo("stream.interrupt.network");
                    }
                }
                assertThat(arrived).containsExactlyInAnyOrderElementsOf(answered);
                assertThat(second.output()).contains("holds 50 events from an earlier run");
            } finally {
                broker.deleteExchange(exchange);
                broker.deleteExchange(unrouted);
                broker.deleteQueue(unrouted);
                broker.deleteQueue(exchange + ".streams");
            }
        }
    }
}
