package io.cssgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.JarCommand;
import io.cssgateway.harness.TestCallbacks;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** target/css-callback-gateway.jar run as an operator runs it. */
class PackagedJarIT {

    private static final String KEY = "jar-key-" + UUID.randomUUID();

    @TempDir
    Path dir;

    @Test
    void jarRunsFromTheRepositoryRootAndPublishes() throws Exception {
        String exchange = "css.events.jar-" + UUID.randomUUID().toString().substring(0, 8);
        int port = GatewayProcess.freePort();
        try (BrokerProbe broker = new BrokerProbe();
                // the exchange comes from the environment, the port from -D: both override application.properties
                GatewayProcess gateway = GatewayProcess.start(dir,
                        Map.of("CSS_CALLBACK_KEYS", KEY, "GATEWAY_RABBITMQ_EXCHANGE", exchange),
                        "-Dcamel.server.port=" + port, "-Dgateway.spool.dir=" + dir.resolve("spool"))) {
            gateway.awaitStarted();
            String queue = broker.bindQueue(exchange, "#");

            HttpResponse<String> answer = gateway.post(port,
                    TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY).asString());

            assertThat(answer.statusCode()).isEqualTo(200);
            GetResponse message = broker.next(queue, Duration.ofSeconds(5));
            assertThat(message).isNotNull();
            assertThat(message.getEnvelope().getRoutingKey()).isEqualTo("stream.push");
            assertThat(gateway.output()).doesNotContain(KEY);
            // the prod profile (the default) starts nothing embedded
            assertThat(gateway.output()).doesNotContain("Dev broker").doesNotContain("Dev mailbox")
                    .doesNotContain("Qpid");
            broker.deleteGatewayTopology(exchange);
        }
    }

    @Test
    void withoutAKeyTheGatewayRefusesToStartAndSaysHowToFixIt() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of(), "-Dcamel.server.port=" + GatewayProcess.freePort(),
                "-Dgateway.signature.keys=")) {
            assertThat(gateway.awaitExit()).isNotZero();
            assertThat(gateway.output()).contains("No callback key is configured").contains("CSS_CALLBACK_KEYS")
                    .contains("gateway.signature.required=false");
        }
    }

    @Test
    void signatureNotRequiredStartsWithAWarningAndAcceptsUnsignedCallbacks() throws Exception {
        int port = GatewayProcess.freePort();
        try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of(), "-Dcamel.server.port=" + port,
                "-Dgateway.signature.keys=", "-Dgateway.signature.required=false",
                "-Dgateway.spool.dir=" + dir.resolve("spool"))) {
            gateway.awaitStarted();
            String unsigned = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().without("t").without("sign")
                    .asString();
            assertThat(gateway.post(port, unsigned).statusCode()).isEqualTo(200);
            assertThat(gateway.output()).containsPattern("WARN .*gateway.signature.required=false");
        }
    }

    @Test
    void theCommandLineListsItsCommandsAndDescribesEachAndAWrongOneIsOneLineAndExit2() throws Exception {
        JarCommand help = JarCommand.run(List.of(), "--help");
        assertThat(help.exit()).as(help.output()).isZero();
        assertThat(help.output()).contains("Usage: css-callback-gateway").contains("run").contains("replay")
                .contains("broker-definitions").contains("send-samples").doesNotContain("Unknown option");
        for (String command : List.of("run", "replay", "broker-definitions", "send-samples")) {
            JarCommand described = JarCommand.run(List.of(), command, "--help");
            assertThat(described.exit()).as(described.output()).isZero();
            assertThat(described.output()).contains("Usage: css-callback-gateway " + command);
        }
        JarCommand version = JarCommand.run(List.of(), "--version");
        assertThat(version.output()).startsWith("CSS Callback Gateway 0.");

        JarCommand unknown = JarCommand.run(List.of(), "replya");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.output().strip().lines()).hasSize(1);
        assertThat(unknown.output()).startsWith("css-callback-gateway: Unmatched argument at index 0: 'replya'");
    }

    @Test
    void theSampleSenderOfBeforeStillRunsAsAClass() throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                Path.of("target/css-callback-gateway.jar").toAbsolutePath().toString(), "io.cssgateway.dev.SampleSender",
                "--url", "http://127.0.0.1:" + GatewayProcess.freePort() + "/callbacks/tencent/css", "--key", "k")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // nothing listens there: it says so, and exits 1
        assertThat(process.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("is the gateway running there?");
    }
}
