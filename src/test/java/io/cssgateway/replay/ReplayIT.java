package io.cssgateway.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.JarCommand;
import io.cssgateway.harness.TestCallbacks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar css-callback-gateway.jar replay} against a running gateway's audit log and the real RabbitMQ: the
 * packaged jar for both, as an operator runs them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplayIT {

    private static final String KEY = "replay-key-" + UUID.randomUUID();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String EXCHANGE = "css.events.replay-" + RUN;
    private static final String UNROUTED = EXCHANGE + ".unrouted";

    @TempDir
    static Path dir;

    private final int port = GatewayProcess.freePort();
    private BrokerProbe broker;
    private GatewayProcess gateway;
    private Instant started;
    private String queue;
    private final List<String> parked = new ArrayList<>();
    private final Map<String, GetResponse> live = new TreeMap<>();
    private String firstPushStream;

    @BeforeAll
    void aGatewayThatAcceptedEvents() throws Exception {
        broker = new BrokerProbe();
        started = Instant.now().minusSeconds(1);
        gateway = GatewayProcess.start(dir, Map.of("CSS_CALLBACK_KEYS", KEY), "-Dcamel.server.port=" + port,
                "-Dgateway.rabbitmq.exchange=" + EXCHANGE, "-Dgateway.spool.dir=" + dir.resolve("spool")).awaitStarted();
        // before any binding: parked on the unrouted queue
        for (int i = 0; i < 2; i++) {
            TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY);
            assertThat(post(push)).isEqualTo(200);
            parked.add("1:" + push.text("sequence"));
        }
        awaitDepth(UNROUTED, 2);
        queue = broker.bindQueue(EXCHANGE, "#");
        List<TestCallbacks> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                    .with("stream_id", "replay-" + RUN + "-" + i).freshlySignedWith(KEY));
        }
        firstPushStream = "replay-" + RUN + "-0";
        events.add(TestCallbacks.sample("0-interrupt.doc.json").withUniqueSequence().with("errcode", 12)
                .freshlySignedWith(KEY));
        events.add(TestCallbacks.sample("0-interrupt.doc.json").withUniqueSequence().with("errcode", 1)
                .freshlySignedWith(KEY));
        for (TestCallbacks event : events) {
            assertThat(post(event)).isEqualTo(200);
        }
        // a duplicate and a refusal: audited, never replayed
        assertThat(post(events.get(0))).isEqualTo(200);
        assertThat(post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence().signedWith("not-the-key")))
                .isEqualTo(401);
        for (GetResponse message : broker.drain(queue, Duration.ofMillis(1500))) {
            live.put(message.getProps().getMessageId(), message);
        }
        assertThat(live).hasSize(5);
    }

    @AfterAll
    void cleanUp() throws Exception {
        gateway.close();
        broker.deleteExchange(EXCHANGE);
        broker.deleteExchange(UNROUTED);
        broker.deleteQueue(UNROUTED);
        broker.close();
    }

    private int post(TestCallbacks callback) throws Exception {
        return gateway.post(port, callback.asString()).statusCode();
    }

    private void awaitDepth(String name, int depth) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (broker.queueDepth(name) != depth && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(broker.queueDepth(name)).isEqualTo(depth);
    }

    /** The replay command as an operator runs it, with the gateway's configuration. */
    private JarCommand replay(String... arguments) throws Exception {
        return JarCommand.replay(List.of("-Dgateway.rabbitmq.exchange=" + EXCHANGE,
                "-Dgateway.audit.dir=" + dir.resolve("audit")), arguments);
    }

    private String[] window(String... more) {
        List<String> arguments = new ArrayList<>(List.of("--from", started.toString(),
                "--to", Instant.now().plusSeconds(1).toString()));
        arguments.addAll(List.of(more));
        return arguments.toArray(String[]::new);
    }

    private Map<String, GetResponse> replayed() throws Exception {
        Map<String, GetResponse> messages = new LinkedHashMap<>();
        for (GetResponse message : broker.drain(queue, Duration.ofMillis(1000))) {
            messages.put(message.getProps().getMessageId(), message);
        }
        return messages;
    }

    @Test
    @Order(1)
    void theAcceptedEventsOfTheWindowComeBackAsFirstPublishedWithTheReplayedHeader() throws Exception {
        JarCommand result = replay(window());

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("7 selected").contains("7 sent, 7 confirmed, 0 not confirmed");
        Map<String, GetResponse> replayed = replayed();
        // the two parked ones were accepted too: they come back with the five
        assertThat(replayed.keySet()).containsAll(live.keySet()).containsAll(parked).hasSize(7);
        for (Map.Entry<String, GetResponse> first : live.entrySet()) {
            GetResponse again = replayed.get(first.getKey());
            assertThat(again.getEnvelope().getRoutingKey()).isEqualTo(first.getValue().getEnvelope().getRoutingKey());
            assertThat(new String(again.getBody(), StandardCharsets.UTF_8))
                    .isEqualTo(new String(first.getValue().getBody(), StandardCharsets.UTF_8));
            Map<String, Object> headers = new TreeMap<>(again.getProps().getHeaders());
            assertThat(headers.remove("css_replayed")).isEqualTo(true);
            assertThat(headers.toString()).isEqualTo(new TreeMap<>(first.getValue().getProps().getHeaders()).toString());
            assertThat(again.getProps().getTimestamp()).isEqualTo(first.getValue().getProps().getTimestamp());
            assertThat(again.getProps().getDeliveryMode()).isEqualTo(2);
        }
    }

    @Test
    @Order(2)
    void filtersSelectWhatTheySay() throws Exception {
        assertThat(replay(window("--event-type", "0")).exit()).isZero();
        assertThat(replayed().values()).hasSize(2)
                .allSatisfy(m -> assertThat(m.getEnvelope().getRoutingKey()).startsWith("stream.interrupt."));

        assertThat(replay(window("--routing-key", "stream.interrupt.network")).exit()).isZero();
        assertThat(replayed().values()).singleElement()
                .satisfies(m -> assertThat(m.getEnvelope().getRoutingKey()).isEqualTo("stream.interrupt.network"));

        assertThat(replay(window("--stream", firstPushStream, "--routing-key", "*.push")).exit()).isZero();
        assertThat(replayed().values()).singleElement()
                .satisfies(m -> assertThat(new String(m.getBody(), StandardCharsets.UTF_8)).contains(firstPushStream));
    }

    @Test
    @Order(3)
    void aDryRunPublishesNothing() throws Exception {
        JarCommand result = replay(window("--dry-run"));

        assertThat(result.exit()).isZero();
        assertThat(result.output()).contains("replay (dry run): ").contains("7 selected").contains("0 sent");
        assertThat(replayed()).isEmpty();
    }

    @Test
    @Order(4)
    void aCorruptLineIsReportedWithItsLineNumberAndSkipped() throws Exception {
        Path audit;
        try (var files = Files.list(dir.resolve("audit"))) {
            audit = files.filter(f -> f.getFileName().toString().startsWith("audit-")).sorted().reduce((a, b) -> b)
                    .orElseThrow();
        }
        long lines = Files.readAllLines(audit).size();
        Files.writeString(audit, "{\"received_at\":\"2026-11-30T10:00:00.000Z\",\"verdict\":\"acc\n",
                StandardOpenOption.APPEND);

        JarCommand result = replay(window());

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("skipped " + audit + ":" + (lines + 1) + ": not an audit line")
                .contains("7 confirmed").contains("1 corrupt lines skipped");
        assertThat(replayed()).hasSize(7);
    }

    @Test
    @Order(5)
    void theParkedMessagesMoveBackToTheExchangeNoneLost() throws Exception {
        // the five since bound went to the test's queue; re-park two copies by hand as the broker would
        assertThat(broker.queueDepth(UNROUTED)).isEqualTo(2);

        JarCommand result = replay("--unrouted");

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("2 of the 2 messages on " + UNROUTED + " moved to " + EXCHANGE);
        Map<String, GetResponse> moved = replayed();
        assertThat(moved.keySet()).containsExactlyInAnyOrderElementsOf(parked);
        assertThat(moved.values()).allSatisfy(m -> assertThat(m.getProps().getHeaders()).containsEntry("css_replayed", true));
        assertThat(broker.queueDepth(UNROUTED)).isZero();
    }

    @Test
    @Order(6)
    void theCallbacksArePostedToAnotherGatewayReSignedWithItsKey() throws Exception {
        String otherKey = "staging-key-" + UUID.randomUUID();
        String otherExchange = EXCHANGE + ".staging";
        int otherPort = GatewayProcess.freePort();
        Path otherDir = Files.createDirectories(dir.resolve("staging"));
        try (GatewayProcess staging = GatewayProcess.start(otherDir, Map.of("CSS_CALLBACK_KEYS", otherKey),
                "-Dcamel.server.port=" + otherPort, "-Dgateway.rabbitmq.exchange=" + otherExchange,
                "-Dgateway.spool.dir=" + otherDir.resolve("spool")).awaitStarted()) {
            String stagingQueue = broker.bindQueue(otherExchange, "#");

            JarCommand result = replay(window("--to-url", "http://127.0.0.1:" + otherPort + "/callbacks/tencent/css",
                    "--key", otherKey));

            assertThat(result.exit()).as(result.output()).isZero();
            assertThat(result.output()).contains("7 sent, answers {200=7}");
            List<String> ids = new ArrayList<>();
            broker.drain(stagingQueue, Duration.ofMillis(1000)).forEach(m -> ids.add(m.getProps().getMessageId()));
            assertThat(ids).containsExactlyInAnyOrderElementsOf(new ArrayList<>(replayedIds()));

            JarCommand wrongKey = replay(window("--to-url", "http://127.0.0.1:" + otherPort + "/callbacks/tencent/css",
                    "--key", "not-its-key", "--event-type", "1"));
            assertThat(wrongKey.exit()).isEqualTo(1);
            assertThat(wrongKey.output()).contains("answers {401=5}");
        } finally {
            broker.deleteExchange(otherExchange);
            broker.deleteExchange(otherExchange + ".unrouted");
            broker.deleteQueue(otherExchange + ".unrouted");
        }
    }

    private List<String> replayedIds() {
        List<String> ids = new ArrayList<>(live.keySet());
        ids.addAll(parked);
        return ids;
    }

    @Test
    @Order(7)
    void aBrokerThatCannotTakeTheEventsIsExit1WithTheReason() throws Exception {
        JarCommand result = JarCommand.replay(List.of("-Dgateway.rabbitmq.exchange=" + EXCHANGE,
                "-Dgateway.audit.dir=" + dir.resolve("audit"), "-Dgateway.rabbitmq.addresses=127.0.0.1:1"), window());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.output()).contains("replay: RabbitMQ at 127.0.0.1:1 cannot take the events: ")
                .contains("Connection refused");
        assertThat(replayed()).isEmpty();
    }

    @Test
    @Order(8)
    void aWrongCommandLineIsOneLineAndExit2() throws Exception {
        JarCommand unknown = replay("--form", "2026-11-30T10:00:00Z");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.output().strip().lines()).hasSize(1);
        assertThat(unknown.output()).startsWith("replay: Unknown options: '--form'");

        JarCommand badTime = replay("--from", "yesterday");
        assertThat(badTime.exit()).isEqualTo(2);
        assertThat(badTime.output().strip().lines()).hasSize(1);
        assertThat(badTime.output()).contains("'yesterday' is not an ISO-8601 time");

        JarCommand backwards = replay("--from", "2026-11-30T11:00:00Z", "--to", "2026-11-30T10:00:00Z");
        assertThat(backwards.exit()).isEqualTo(2);
        assertThat(backwards.output()).contains("--from (2026-11-30T11:00:00Z) must be before --to");

        JarCommand help = replay("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.output()).contains("--from", "--to", "--event-type", "--stream", "--app", "--routing-key",
                "--dry-run", "--rate", "--unrouted", "--to-url", "--key");
    }
}
