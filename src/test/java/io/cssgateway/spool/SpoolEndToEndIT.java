package io.cssgateway.spool;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.GatewayTestSupport;
import io.cssgateway.harness.TestCallbacks;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Broker outages, with the real RabbitMQ behind a TCP proxy that the tests cut: nothing answered 200 is lost.
 * The gateway starts with the proxy already cut (the broker unreachable at start).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpoolEndToEndIT extends GatewayTestSupport {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolEndToEndIT.class);
    @Override
    protected boolean brokerThroughProxy() {
        return true;
    }

    @Override
    protected Properties moreProperties() {
        // unreachable from the start
        proxy.cut();
        Properties properties = new Properties();
        properties.setProperty("gateway.rabbitmq.confirm-timeout-ms", "1000");
        properties.setProperty("gateway.spool.drain-interval-ms", "500");
        // few threads: no callback may hold one while it waits for its confirm
        properties.setProperty("gateway.http.worker-threads", "2");
        return properties;
    }

    private String push() {
        return TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY).asString();
    }

    @Test
    @Order(1)
    void unreachableAtStartTheGatewayStartsSpoolsAndDrainsLater() throws Exception {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String body = push();
            long start = System.nanoTime();
            HttpResponse<String> answer = post(body);
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat((System.nanoTime() - start) / 1_000_000).as("answer time, broker unreachable").isLessThan(1000);
            sent.add("1:" + json.readTree(body).get("sequence").asText());
        }
        Spool spool = context.getRegistry().lookupByNameAndType("spool", Spool.class);
        assertThat(spool.depth()).isEqualTo(20);

        // the gateway has never reached the broker: the exchange is declared here first, so that the probe's
        // queue is bound before the drain publishes
        broker.declareTopicExchange(exchange, unrouted);
        String queue = broker.bindQueue(exchange, "#");
        proxy.restore();
        awaitEmptySpool(20_000);

        List<String> arrived = new ArrayList<>();
        for (GetResponse m : broker.drain(queue, Duration.ofMillis(500))) {
            arrived.add(m.getProps().getMessageId());
        }
        assertThat(arrived).containsAll(sent);
        LOG.info("unreachable at start: sent 20, answered 200: 20, arrived {}", arrived.size());
    }

    /** Binds a queue to the exchange as soon as the gateway has declared it. */
    private String awaitQueue() throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!broker.exchangeExists(exchange)) {
            assertThat(System.currentTimeMillis()).as("exchange declared").isLessThan(deadline);
            Thread.sleep(50);
        }
        return broker.bindQueue(exchange, "#");
    }

    @Test
    @Order(2)
    void aConnectionCutDuringASteadyStreamLosesNothingAnswered() throws Exception {
        String queue = awaitQueue();
        Set<String> answered = Collections.synchronizedSet(new HashSet<>());
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        List<Long> outageAnswerMillis = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean cut = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService senders = Executors.newFixedThreadPool(8);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            running.add(senders.submit(() -> {
                // bounded: stops by itself after at most 20 s
                long end = System.currentTimeMillis() + 20_000;
                while (!stop.get() && System.currentTimeMillis() < end) {
                    String body = push();
                    String id = "1:" + json.readTree(body).get("sequence").asText();
                    sent.add(id);
                    long start = System.nanoTime();
                    HttpResponse<String> answer = post(body);
                    if (cut.get()) {
                        outageAnswerMillis.add((System.nanoTime() - start) / 1_000_000);
                    }
                    if (answer.statusCode() == 200) {
                        answered.add(id);
                    }
                }
                return null;
            }));
        }
        Thread.sleep(1500);
        proxy.cut();
        cut.set(true);
        Thread.sleep(3000);
        cut.set(false);
        proxy.restore();
        Thread.sleep(1500);
        stop.set(true);
        for (Future<?> f : running) {
            f.get();
        }
        senders.shutdown();
        awaitEmptySpool(30_000);

        Map<String, Integer> arrived = new HashMap<>();
        for (GetResponse m : broker.drain(queue, Duration.ofSeconds(1))) {
            arrived.merge(m.getProps().getMessageId(), 1, Integer::sum);
        }
        long repeated = arrived.values().stream().filter(n -> n > 1).count();
        long maxOutageAnswer = outageAnswerMillis.stream().mapToLong(Long::longValue).max().orElse(0);
        LOG.info("connection cut: sent {}, answered 200 {}, arrived {} distinct, repeated {}, answers during the cut {}"
                + " (slowest {} ms)", sent.size(), answered.size(), arrived.size(), repeated, outageAnswerMillis.size(),
                maxOutageAnswer);
        assertThat(outageAnswerMillis).isNotEmpty();
        assertThat(arrived.keySet()).containsAll(answered);
        assertThat(answered).hasSizeGreaterThan(100);
    }

    @Test
    @Order(3)
    void withTheBrokerDownAndTheSpoolUnwritableTheAnswerIs503AndNothingAnsweredIsLost() throws Exception {
        String queue = awaitQueue();
        String accepted = push();
        proxy.cut();
        HttpResponse<String> refused;
        try {
            assertThat(post(accepted).statusCode()).isEqualTo(200);
            try (AutoCloseable restore = spoolMadeUnwritable()) {
                refused = post(push());
            }
        } finally {
            proxy.restore();
        }
        assertThat(refused.statusCode()).isEqualTo(503);
        awaitEmptySpool(20_000);
        GetResponse message = broker.next(queue, Duration.ofSeconds(5));
        assertThat(message).isNotNull();
        assertThat(message.getProps().getMessageId()).isEqualTo("1:" + json.readTree(accepted).get("sequence").asText());
    }

    @Test
    @Order(4)
    void whileTheBrokerHoldsItsConfirmsEveryCallbackIsPublishedAtOnceOnTwoWorkerThreads() throws Exception {
        String queue = awaitQueue();
        // every publishing channel open (the proxy cut before closed them), the broker marked up again
        publisherConnected();
        awaitEmptySpool(20_000);
        broker.drain(queue, Duration.ofMillis(200));
        proxy.holdReplies();
        List<String> answers = Collections.synchronizedList(new ArrayList<>());
        ExecutorService senders = Executors.newFixedThreadPool(20);
        try {
            long start = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                running.add(senders.submit(() -> {
                    answers.add(post(push()).statusCode() + "");
                    return null;
                }));
            }
            // all 20 reach the broker before the first confirm could time out (1 s): none waits for a thread
            long deadline = System.currentTimeMillis() + 900;
            while (broker.messageCount(queue) < 20 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(broker.messageCount(queue)).as("published while no confirm came back").isEqualTo(20);
            assertThat(answers).as("answered before the confirm timeout").isEmpty();
            for (Future<?> f : running) {
                f.get();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            // no confirm: each is spooled after the 1 s timeout, and answered 200
            assertThat(answers).hasSize(20).containsOnly("200");
            assertThat(millis).as("all 20 answered within").isLessThan(3000);
        } finally {
            senders.shutdown();
            proxy.releaseReplies();
        }
        awaitEmptySpool(20_000);
    }
}
