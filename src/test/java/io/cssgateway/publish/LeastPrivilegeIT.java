package io.cssgateway.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.TestCallbacks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker the messaging team owns, against the real RabbitMQ: the topology imported from the definitions the
 * gateway prints ({@code rabbitmqctl import_definitions}), a user of the test's with the permissions the docs give
 * for {@code verify} (write on the exchange, read on the alert queue, nothing to configure), removed after.
 */
class LeastPrivilegeIT {

    private static final String KEY = "lp-key-" + UUID.randomUUID();

    @TempDir
    Path dir;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String exchange = "css.events.lp-" + run;
    private final String user = "css-gateway-lp-" + run;
    private final String password = "pw-" + UUID.randomUUID();

    @AfterEach
    void removeUserAndTopology() throws Exception {
        rabbitmqctl("delete_user", user);
        try (BrokerProbe probe = new BrokerProbe()) {
            probe.deleteQueue(exchange + ".alerts");
            probe.deleteQueue(exchange + ".unrouted");
            probe.deleteQueue(exchange + ".streams");
            probe.deleteQueue(exchange + ".heartbeats");
            probe.deleteExchange(exchange);
            probe.deleteExchange(exchange + ".unrouted");
        }
    }

    private static String rabbitmqctl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("rabbitmqctl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(process.getInputStream().readAllBytes());
    }

    /** Writes the definitions for this configuration to {@code out}; the permissions it prints go to {@code err}. */
    private Process definitionsCommand(Path out, Path err) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dgateway.rabbitmq.exchange=" + exchange, "-Dgateway.alert.enabled=true",
                "-Dgateway.rabbitmq.username=" + user,
                "-jar", Path.of("target/css-callback-gateway.jar").toAbsolutePath().toString(),
                "broker-definitions", out.toString()).redirectOutput(err.toFile())
                .redirectErrorStream(true).start();
    }

    private GatewayProcess gateway(int port, String topology, String exchangeName) throws Exception {
        return GatewayProcess.start(dir, Map.of("CSS_CALLBACK_KEYS", KEY, "GATEWAY_RABBITMQ_PASSWORD", password),
                "-Dcamel.server.port=" + port, "-Dgateway.spool.dir=" + dir.resolve("spool-" + topology),
                "-Dgateway.rabbitmq.exchange=" + exchangeName, "-Dgateway.rabbitmq.username=" + user,
                "-Dgateway.rabbitmq.topology=" + topology, "-Dgateway.alert.enabled=true",
                "-Dgateway.alert.from=gateway@example.com", "-Dgateway.alert.to=oncall@example.com",
                "-Dgateway.rabbitmq.watch-interval-ms=1000").awaitStarted();
    }

    private long spooled(String topology) throws Exception {
        Path spool = dir.resolve("spool-" + topology);
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(f -> f.toString().endsWith(".event")).count();
        }
    }

    @Test
    void withTheDefinitionsImportedAWriteOnlyUserPublishesInVerifyModeAndIsToldWhatDeclareNeeds() throws Exception {
        // the messaging team's side: the definitions imported, the user with the printed verify permissions
        Path definitions = dir.resolve("definitions.json");
        Path permissions = dir.resolve("permissions.txt");
        assertThat(definitionsCommand(definitions, permissions).waitFor()).isZero();
        assertThat(new ObjectMapper().readTree(definitions.toFile()).get("queues").toString())
                .contains(exchange + ".alerts").contains("x-single-active-consumer");
        Path readable = Files.createTempFile("css-definitions-", ".json",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        try {
            Files.copy(definitions, readable, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(rabbitmqctl("import_definitions", readable.toString())).doesNotContain("Error");
        } finally {
            Files.delete(readable);
        }
        rabbitmqctl("add_user", user, password);
        String verifyLine = Files.readAllLines(permissions).stream().filter(l -> l.startsWith("rabbitmqctl"))
                .findFirst().orElseThrow();
        List<String> printed = new ArrayList<>();
        for (String part : verifyLine.split("'")) {
            printed.add(part);
        }
        // rabbitmqctl set_permissions -p '/' 'user' '^$' '^css\.events\.lp-x$' '^(css\.events\.lp-x\.alerts)$'
        assertThat(printed.get(5)).isEqualTo("^$");
        rabbitmqctl("set_permissions", "-p", "/", user, printed.get(5), printed.get(7), printed.get(9));

        int port = GatewayProcess.freePort();
        try (BrokerProbe probe = new BrokerProbe(); GatewayProcess gateway = gateway(port, "verify", exchange)) {
            String queue = probe.bindQueue(exchange, "#");
            String sequence = TestCallbacks.uniqueSequence();
            assertThat(gateway.post(port, TestCallbacks.sample("1-push.doc.json").with("sequence", sequence)
                    .freshlySignedWith(KEY).asString()).statusCode()).isEqualTo(200);
            assertThat(probe.next(queue, Duration.ofSeconds(10))).as(gateway.output()).isNotNull()
                    .satisfies(m -> assertThat(m.getProps().getMessageId()).isEqualTo("1:" + sequence));
            Thread.sleep(1500);
            assertThat(spooled("verify")).as(gateway.output()).isZero();
            assertThat(gateway.output()).contains("RabbitMQ topology verified (gateway.rabbitmq.topology=verify)")
                    .doesNotContain("does not take events").doesNotContain(" ERROR ");
        }

        // the same user where the gateway would declare: the log names the permission, the resource, the operation
        try (GatewayProcess gateway = gateway(port, "declare", exchange)) {
            assertThat(gateway.post(port, TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                    .freshlySignedWith(KEY).asString()).statusCode()).as("spooled, never lost").isEqualTo(200);
            assertThat(gateway.output()).contains("RabbitMQ refused user '" + user + "' to declare exchange '")
                    .contains("it needs configure permission on exchange '").doesNotContain("(java.io.IOException)");
            assertThat(spooled("declare")).isEqualTo(1);
        }

        // an exchange the team has not created: named
        try (GatewayProcess gateway = gateway(port, "verify", exchange + "-missing")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!gateway.output().contains("does not exist") && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(gateway.output()).contains("the exchange '" + exchange + "-missing' does not exist in virtual "
                    + "host '/'");
        }
    }
}
