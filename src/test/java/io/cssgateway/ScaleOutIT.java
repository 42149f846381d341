package io.cssgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.Mailbox;
import io.cssgateway.harness.SharedDatabase;
import io.cssgateway.harness.TcpProxy;
import io.cssgateway.harness.TestCallbacks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three gateway processes behind one "endpoint" (the test posts to each), sharing the de-duplication in the real
 * PostgreSQL and one RabbitMQ (quorum queues), each with its own spool and audit. Instance 2 is given an address list
 * whose first node is closed and whose second is a proxy the test cuts; instance 3 reaches RabbitMQ through a proxy
 * only. The tests run in order: the later ones kill instances.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutIT {

    private static final String KEY = "scale-key-" + UUID.randomUUID();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String EXCHANGE = "css.events.scale-" + RUN;
    private static final String UNROUTED = EXCHANGE + ".unrouted";
    private static final String ALERTS = EXCHANGE + ".alerts";
    private static final int ALERT_WINDOW_SECONDS = 6;

    @TempDir
    static Path dir;

    private final String table = SharedDatabase.uniqueTable("seen_scale");
    private final String streamTables = SharedDatabase.uniqueTable("streams_scale");
    private final List<GatewayProcess> gateways = new ArrayList<>();
    private final int[] ports = new int[5];
    private BrokerProbe broker;
    private Mailbox mailbox;
    private TcpProxy secondNode;
    private TcpProxy thirdsOnlyNode;
    private String queue;

    @BeforeAll
    void startThreeInstances() throws Exception {
        broker = new BrokerProbe();
        mailbox = new Mailbox();
        secondNode = new TcpProxy(5672);
        thirdsOnlyNode = new TcpProxy(5672);
        int closedNode = GatewayProcess.freePort();
        // one after the other: the first to consume the alert queue is its single active consumer
        gateways.add(instance(1, "127.0.0.1:5672").awaitStarted());
        queue = broker.bindQueue(EXCHANGE, "stream.push");
        gateways.add(instance(2, "127.0.0.1:" + closedNode + ",127.0.0.1:" + secondNode.port() + ",127.0.0.1:5672")
                .awaitStarted());
        gateways.add(instance(3, "127.0.0.1:" + thirdsOnlyNode.port()).awaitStarted());
    }

    private GatewayProcess instance(int n, String addresses) throws Exception {
        return instanceOn(n, dir.resolve("g" + n + "/spool"), addresses);
    }

    private GatewayProcess instanceOn(int n, Path spool, String addresses) throws Exception {
        ports[n - 1] = GatewayProcess.freePort();
        Path home = Files.createDirectories(dir.resolve("g" + n));
        return GatewayProcess.start(home, Map.of("CSS_CALLBACK_KEYS", KEY),
                "-Dcamel.server.port=" + ports[n - 1], "-Dgateway.spool.dir=" + spool,
                "-Dgateway.rabbitmq.addresses=" + addresses, "-Dgateway.rabbitmq.exchange=" + EXCHANGE,
                "-Dgateway.rabbitmq.queue-type=quorum", "-Dgateway.rabbitmq.watch-interval-ms=1000",
                "-Dgateway.dedup.store=jdbc", "-Dgateway.dedup.jdbc.url=" + SharedDatabase.URL,
                "-Dgateway.dedup.jdbc.username=" + SharedDatabase.USER, "-Dgateway.dedup.jdbc.table=" + table,
                "-Dgateway.streams.jdbc.table=" + streamTables, "-Dgateway.audit.index.store=local",
                "-Dgateway.alert.enabled=true", "-Dgateway.alert.from=gateway@example.com",
                "-Dgateway.alert.to=oncall@example.com", "-Dgateway.alert.smtp.port=" + mailbox.port(),
                "-Dgateway.alert.window-seconds=" + ALERT_WINDOW_SECONDS);
    }

    @AfterAll
    void stopAndCleanUp() throws Exception {
        for (GatewayProcess gateway : gateways) {
            gateway.kill();
        }
        broker.deleteExchange(EXCHANGE);
        broker.deleteExchange(UNROUTED);
        broker.deleteQueue(UNROUTED);
        broker.deleteQueue(ALERTS);
        broker.deleteQueue(EXCHANGE + ".streams");
        broker.deleteQueue(EXCHANGE + ".heartbeats");
        broker.close();
        mailbox.close();
        secondNode.close();
        thirdsOnlyNode.close();
        SharedDatabase.drop(table);
        SharedDatabase.dropStreamTables(streamTables);
    }

    private static TestCallbacks push() {
        return TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY);
    }

    private int post(int instance, String body) throws Exception {
        return gateways.get(instance - 1).post(ports[instance - 1], body).statusCode();
    }

    /** Message ids on the test's queue until {@code expected} distinct ones came (or 30 s), with repeats. */
    private List<String> published(int expected) throws Exception {
        List<String> ids = new ArrayList<>();
        Set<String> distinct = new TreeSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (distinct.size() < expected && System.nanoTime() < deadline) {
            GetResponse message = broker.next(queue, Duration.ofSeconds(1));
            if (message != null) {
                ids.add(message.getProps().getMessageId());
                distinct.add(message.getProps().getMessageId());
            }
        }
        broker.drain(queue, Duration.ofMillis(1500)).forEach(m -> ids.add(m.getProps().getMessageId()));
        return ids;
    }

    @Test
    @Order(1)
    void theQueuesAreQuorumQueues() throws Exception {
        String queues = rabbitmqctl("list_queues", "name", "type");

        assertThat(queues).containsPattern("(?m)^" + ALERTS.replace(".", "\\.") + "\\s+quorum$")
                .containsPattern("(?m)^" + UNROUTED.replace(".", "\\.") + "\\s+quorum$");
    }

    @Test
    @Order(2)
    void theSameEventPostedToEachInstanceInTurnIsPublishedOnce() throws Exception {
        TestCallbacks event = push();
        String identity = "1:" + event.text("sequence");

        assertThat(post(1, event.asString())).isEqualTo(200);
        // written behind the answer: in the table within a statement's time (the provider retries a minute later)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (SharedDatabase.single("SELECT COUNT(*) FROM " + table + " WHERE messageId = '" + identity + "'") == 0
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        // the others learn it from PostgreSQL's notification at the insert's commit; a fifth of a second stands for
        // the minute the provider waits
        Thread.sleep(200);
        double checksBefore = databaseChecks(2) + databaseChecks(3);
        assertThat(List.of(post(2, event.asString()), post(3, event.asString()))).containsOnly(200);

        assertThat(published(1)).containsExactly(identity);
        // both retries were known in memory: no query
        assertThat(databaseChecks(2) + databaseChecks(3)).isEqualTo(checksBefore);
    }

    private double databaseChecks(int n) throws Exception {
        return gateways.get(n - 1).metric("css_gateway_dedup_database_checks_total");
    }

    @Test
    @Order(3)
    void aBurstSplitAcrossInstancesIsAnsweredAndPublishedWithBoundedRepeats() throws Exception {
        int events = 300;
        List<TestCallbacks> burst = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            burst.add(push());
        }
        ExecutorService clients = Executors.newFixedThreadPool(12);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            // each event to two instances at the same moment, as a provider's retry racing its first attempt
            for (int i = 0; i < events; i++) {
                String body = burst.get(i).asString();
                int first = 1 + i % 3;
                int second = 1 + (i + 1) % 3;
                answers.add(clients.submit(() -> post(first, body)));
                answers.add(clients.submit(() -> post(second, body)));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            clients.shutdownNow();
        }

        List<String> ids = published(events);
        Set<String> distinct = new TreeSet<>(ids);
        assertThat(distinct).containsExactlyInAnyOrderElementsOf(
                burst.stream().map(e -> "1:" + e.text("sequence")).toList());
        int repeats = ids.size() - distinct.size();
        System.out.printf("ScaleOutIT burst: %d events, each posted to two instances at once: %d published, "
                + "%d repeats%n", events, ids.size(), repeats);
        // at-least-once: never a lost one, and no event published more often than it was posted (twice)
        Map<String, Integer> times = new HashMap<>();
        ids.forEach(id -> times.merge(id, 1, Integer::sum));
        assertThat(times.values()).allSatisfy(count -> assertThat(count).isBetween(1, 2));
        assertThat(repeats).isBetween(0, events);
    }

    @Test
    @Order(4)
    void aNodeThatGoesAwayMovesTheInstanceToTheNextAddressLosingNothing() throws Exception {
        // instance 2 started with its first address closed: it publishes through the second
        TestCallbacks before = push();
        assertThat(post(2, before.asString())).isEqualTo(200);
        assertThat(published(1)).containsExactly("1:" + before.text("sequence"));

        secondNode.cut();
        List<String> answered = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            TestCallbacks event = push();
            assertThat(post(2, event.asString())).isEqualTo(200);
            answered.add("1:" + event.text("sequence"));
        }

        assertThat(new TreeSet<>(published(answered.size()))).containsExactlyInAnyOrderElementsOf(answered);
        assertThat(gateways.get(1).output()).doesNotContain("Exception in thread");
    }

    @Test
    @Order(5)
    void anOutageWhoseInterruptionsArriveAtDifferentInstancesIsOneDigestEvenWhenItsBuilderDies() throws Exception {
        mailbox.clear();
        List<String> streams = new ArrayList<>();
        for (int instance = 1; instance <= 3; instance++) {
            String stream = "outage-" + RUN + "-" + instance;
            streams.add(stream);
            assertThat(post(instance, TestCallbacks.sample("0-interrupt.doc.json").withUniqueSequence()
                    .with("errcode", 12).with("stream_id", stream).freshlySignedWith(KEY).asString())).isEqualTo(200);
        }
        // instance 1, the queue's active consumer, holds the alerts unacknowledged while the window is open: it dies
        Thread.sleep(1500);
        gateways.get(0).kill();

        List<Mailbox.Mail> mails = mailbox.await(1, (ALERT_WINDOW_SECONDS + 20) * 1000L);
        Thread.sleep(ALERT_WINDOW_SECONDS * 1000L + 2000);

        assertThat(mailbox.received()).hasSize(1);
        assertThat(mails.get(0).text).contains(streams);
    }

    @Test
    @Order(6)
    void anInstanceKilledMidBurstLosesNothingItAnswered200AndAnotherDrainsItsSpool() throws Exception {
        // RabbitMQ out of instance 3's reach: what it answers 200 is in its spool
        thirdsOnlyNode.cut();
        Map<String, Integer> answers = new ConcurrentHashMap<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<?>> senders = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            senders.add(clients.submit(() -> {
                while (sending.get()) {
                    TestCallbacks event = push();
                    try {
                        answers.put("1:" + event.text("sequence"), post(3, event.asString()));
                    } catch (Exception refused) {
                        answers.put("1:" + event.text("sequence"), -1);
                    }
                }
                return null;
            }));
        }
        Thread.sleep(3000);
        gateways.get(2).kill();
        sending.set(false);
        for (Future<?> sender : senders) {
            sender.get(30, TimeUnit.SECONDS);
        }
        clients.shutdown();
        List<String> answered200 = answers.entrySet().stream().filter(e -> e.getValue() == 200)
                .map(Map.Entry::getKey).toList();
        assertThat(answered200).hasSizeGreaterThan(10);

        // the dead instance's spool folder, taken by a gateway started on it (another machine mounts the volume)
        Path deadSpool = dir.resolve("g3/spool");
        GatewayProcess taker = instanceOn(4, deadSpool, "127.0.0.1:5672");
        gateways.add(taker);
        taker.awaitStarted();

        List<String> ids = published(answered200.size());
        assertThat(new TreeSet<>(ids)).containsAll(answered200);
        System.out.printf("ScaleOutIT kill -9: %d answered 200 (%d other answers), all %d published%n",
                answered200.size(), answers.size() - answered200.size(), answered200.size());
        try (var left = Files.list(deadSpool)) {
            assertThat(left.filter(f -> f.toString().endsWith(".event"))).isEmpty();
        }
    }

    @Test
    @Order(7)
    void aSecondGatewayOnASpoolFolderInUseStopsAtStartNamingTheHolder() throws Exception {
        GatewayProcess intruder = instanceOn(5, dir.resolve("g2/spool"), "127.0.0.1:5672");

        assertThat(intruder.awaitExit()).isNotZero();
        assertThat(intruder.output()).contains("spool folder " + dir.resolve("g2/spool") + " is in use by another "
                + "gateway (pid " + gateways.get(1).pid());
    }

    private static String rabbitmqctl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("rabbitmqctl", "-q"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return output;
    }
}
