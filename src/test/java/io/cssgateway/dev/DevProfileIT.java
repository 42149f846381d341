package io.cssgateway.dev;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.TestFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev profile as a newcomer starts it, from a folder whose application.properties points the prod broker
 * at a closed port: the embedded broker takes the events, the sample sender gets the expected answers, the tap
 * and the mailbox show the flow, and a broken route edit leaves the running routes in place.
 */
class DevProfileIT {

    @TempDir
    Path dir;

    @Test
    void devProfileRunsTheWholePipelineWithNothingInstalled() throws Exception {
        Path work = dir.resolve("work");
        TestFiles.copyTree(Path.of("routes"), work.resolve("routes"));
        int closedPort = GatewayProcess.freePort();
        Files.writeString(work.resolve("application.properties"), Files.readString(Path.of("application.properties"))
                .replace("gateway.rabbitmq.addresses = 127.0.0.1:5672", "gateway.rabbitmq.addresses = 127.0.0.1:" + closedPort));
        assertThat(Files.readString(work.resolve("application.properties"))).contains("127.0.0.1:" + closedPort);
        Files.copy(Path.of("application-dev.properties"), work.resolve("application-dev.properties"));
        int httpPort = GatewayProcess.freePort();
        int amqpPort = GatewayProcess.freePort();
        int smtpPort = GatewayProcess.freePort();

        try (GatewayProcess gateway = GatewayProcess.startIn(work, dir, Map.of(), "-Dcamel.main.profile=dev",
                "-Dcamel.server.port=" + httpPort, "-Dgateway.dev.amqp-port=" + amqpPort,
                "-Dgateway.dev.smtp-port=" + smtpPort, "-Dgateway.alert.window-seconds=2",
                // as the dev profile has it (the harness turns it off for the tests that bind #)
                "-Dgateway.streams.enabled=true")) {
            gateway.awaitStarted();
            ConnectionFactory factory = new ConnectionFactory();
            factory.setPort(amqpPort);
            factory.setVirtualHost("default");
            try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
                String queue = channel.queueDeclare("", false, true, true, null).getQueue();
                channel.queueBind(queue, "css.events", "#");

                var printed = new ByteArrayOutputStream();
                boolean expected = new SampleSender().send("http://127.0.0.1:" + httpPort + "/callbacks/tencent/css",
                        "dev-key", new PrintStream(printed, true, StandardCharsets.UTF_8));

                String answers = printed.toString(StandardCharsets.UTF_8);
                assertThat(expected).as(answers).isTrue();
                assertThat(answers).contains("Every answer is as expected.").contains("bad signature")
                        .contains("401 {\"code\":401,\"message\":\"signature expired\"}");
                List<String> routingKeys = new ArrayList<>();
                GetResponse message;
                long deadline = System.currentTimeMillis() + 10_000;
                while (routingKeys.size() < 7 && System.currentTimeMillis() < deadline) {
                    message = channel.basicGet(queue, true);
                    if (message == null) {
                        Thread.sleep(50);
                    } else if (!message.getEnvelope().getRoutingKey().equals("gateway.heartbeat")) {
                        // the instances' heartbeats (alerts on) are the gateway's own
                        routingKeys.add(message.getEnvelope().getRoutingKey());
                    }
                }
                // six events: the duplicate is not published again, the refused ones not at all; and the sample
                // stream went online (its interruptions are of sequences of their own: each closed in advance)
                assertThat(routingKeys).containsExactlyInAnyOrder("stream.push", "stream.interrupt.client-stop",
                        "stream.interrupt.network", "stream.interrupt.internal", "stream.interrupt.third-party-auth",
                        "stream.interrupt.access-policy", "stream.state.online");
            }
            String output = gateway.output();
            assertThat(output).contains("Send callbacks to   http://127.0.0.1:" + httpPort + "/callbacks/tencent/css")
                    .contains("Dev key             dev-key, unless CSS_CALLBACK_KEYS is set")
                    .containsPattern("tap - stream.interrupt.network +stream=sample_stream_");

            // the digests of the abnormal ones: to oncall@ (network, internal) and security@ (the other two)
            Path mails = work.resolve("data/dev-mail");
            long deadline = System.currentTimeMillis() + 15_000;
            while (countFiles(mails) < 2 && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            assertThat(countFiles(mails)).isEqualTo(2);

            // a broken edit: the running routes stay and the log says what is wrong
            Path intake = work.resolve("routes/intake.camel.yaml");
            Files.writeString(intake, Files.readString(intake) + "\n- route: [ broken\n");
            deadline = System.currentTimeMillis() + 10_000;
            while (!gateway.output().contains("not reloaded, the running routes stay") && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertThat(gateway.output()).contains("Route file routes/intake.camel.yaml not reloaded");
            var printed = new ByteArrayOutputStream();
            assertThat(new SampleSender().send("http://127.0.0.1:" + httpPort + "/callbacks/tencent/css", "dev-key",
                    new PrintStream(printed, true, StandardCharsets.UTF_8))).as(printed.toString()).isTrue();
        }
    }

    private static long countFiles(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".eml")).count();
        }
    }

}
