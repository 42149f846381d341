package io.cssgateway.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/** The publish step against the real RabbitMQ: confirmed, persistent, and mandatory. */
class ConfirmedPublisherIT {

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String exchange = "css.events.cp-" + run;
    private final String unrouted = "css.unrouted.cp-" + run;
    private BrokerProbe broker;
    private ConfirmedPublisher publisher;

    /** declareAlternate=false: no alternate exchange, so an unroutable message is returned (mandatory). */
    private ConfirmedPublisher publisher(boolean declareAlternate) {
        return publisher(declareAlternate, 5672, Duration.ofSeconds(5));
    }

    private ConfirmedPublisher publisher(boolean declareAlternate, int port, Duration confirmTimeout) {
        return publisher(declareAlternate, port, confirmTimeout, 2, 4);
    }

    private ConfirmedPublisher publisher(boolean declareAlternate, int port, Duration confirmTimeout, int connections,
            int channels) {
        BrokerTopology topology = new BrokerTopology(new CachingConnectionFactory(), "127.0.0.1:5672",
                new Topology(exchange, unrouted, unrouted, Map.of(), declareAlternate, List.of()), false);
        ConfirmedPublisher created = new ConfirmedPublisher(new ConnectionFactory(),
                List.of(new Address("127.0.0.1", port)), exchange, confirmTimeout, connections, channels, topology);
        created.start();
        return created;
    }

    /** Publishes and waits for the confirm; a failure is thrown as it was raised. */
    private void publish(OutgoingEvent event) throws Exception {
        try {
            publisher.publish(event).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private static OutgoingEvent event(String routingKey, String id) {
        return new OutgoingEvent(routingKey, id, 1703731478000L, Map.of("css_event_type", 1, "css_stream_id", "s1"),
                "{\"event_type\":1}".getBytes(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void probe() throws Exception {
        broker = new BrokerProbe();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (publisher != null) {
            publisher.stop();
        }
        broker.deleteExchange(exchange);
        broker.deleteExchange(unrouted);
        broker.deleteQueue(unrouted);
        broker.close();
    }

    @Test
    void aConfirmedMessageCarriesItsPropertiesAndOnlyTheCssHeaders() throws Exception {
        publisher = publisher(true);
        publish(event("stream.push", "warm-up"));
        String queue = broker.bindQueue(exchange, "#");

        for (int i = 0; i < 20; i++) {
            publish(event("stream.push", "1:" + i));
        }

        List<GetResponse> messages = broker.drain(queue, Duration.ofMillis(300));
        assertThat(messages).hasSize(20);
        GetResponse first = messages.get(0);
        assertThat(first.getEnvelope().getRoutingKey()).isEqualTo("stream.push");
        assertThat(first.getProps().getDeliveryMode()).isEqualTo(2);
        assertThat(first.getProps().getContentType()).isEqualTo("application/json");
        assertThat(first.getProps().getTimestamp()).isEqualTo(new Date(1703731478000L));
        assertThat(first.getProps().getHeaders()).containsOnlyKeys("css_event_type", "css_stream_id");
        assertThat(messages).extracting(m -> m.getProps().getMessageId()).contains("1:0", "1:19");
    }

    @Test
    void aMessageNoQueueTakesIsAnErrorWithoutAnAlternateExchange() throws Exception {
        publisher = publisher(false);
        assertThatThrownBy(() -> publish(event("nobody.listens", "1:x")))
                .hasMessageContaining("mandatory return");
    }

    @Test
    void aReturnFailsOnlyItsOwnPublishNotAnotherWithTheSameMessageId() throws Exception {
        // two copies of one event (a replay beside a live retry) share a message_id; only one can be routed
        publisher = publisher(false);
        // the first publish declares the exchange; no queue takes it yet
        assertThatThrownBy(() -> publish(event("stream.push", "warm-up"))).hasMessageContaining("mandatory return");
        broker.bindQueue(exchange, "stream.push");
        for (int round = 0; round < 20; round++) {
            CompletableFuture<Void> routed = publisher.publish(event("stream.push", "1:same-" + round));
            CompletableFuture<Void> returned = publisher.publish(event("nobody.listens", "1:same-" + round));

            assertThat(routed).as("round %d", round).succeedsWithin(Duration.ofSeconds(10));
            assertThat(returned).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                    .withMessageContaining("mandatory return");
        }
    }

    @Test
    void withTheAlternateExchangeItGoesToTheUnroutedQueue() throws Exception {
        publisher = publisher(true);
        publish(event("nobody.listens", "1:y"));
        GetResponse parked = broker.next(unrouted, Duration.ofSeconds(5));
        assertThat(parked.getProps().getMessageId()).isEqualTo("1:y");
    }

    @Test
    void aPublishToAMissingExchangeFails() throws Exception {
        publisher = publisher(true);
        // every channel opened first: a connection opened later declares the exchange again
        for (int i = 0; i < 8; i++) {
            publish(event("stream.push", "warm-up-" + i));
        }
        broker.deleteExchange(exchange);
        assertThatThrownBy(() -> publish(event("stream.push", "1:z"))).isInstanceOf(Exception.class);
    }

    @Test
    void manyPublishesAtOnceAreEachConfirmedAndEachArrives() throws Exception {
        publisher = publisher(true);
        publish(event("stream.push", "warm-up"));
        String queue = broker.bindQueue(exchange, "#");

        // no thread waits: 16 threads hand over 2,000 publishes, which share channels and socket writes
        List<CompletableFuture<Void>> confirms = new ArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(16);
        try {
            List<Future<CompletableFuture<Void>>> handed = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                OutgoingEvent event = event("stream.push", "1:" + i);
                handed.add(senders.submit(() -> publisher.publish(event)));
            }
            for (Future<CompletableFuture<Void>> f : handed) {
                confirms.add(f.get());
            }
        } finally {
            senders.shutdown();
        }
        for (CompletableFuture<Void> confirm : confirms) {
            assertThat(confirm).succeedsWithin(Duration.ofSeconds(10));
        }

        List<GetResponse> messages = broker.drain(queue, Duration.ofMillis(500));
        assertThat(messages).extracting(m -> m.getProps().getMessageId()).doesNotHaveDuplicates().hasSize(2000);
    }

    @Test
    void aPublishWaitingBehindAChannelThatDoesNotOpenFailsInTime() throws Exception {
        try (TcpProxy proxy = new TcpProxy(5672)) {
            // the broker accepts the connection and never answers: the first caller is held opening it
            proxy.holdReplies();
            BrokerTopology topology = new BrokerTopology(new CachingConnectionFactory(), "127.0.0.1:" + proxy.port(),
                    new Topology(exchange, unrouted, unrouted, Map.of(), true, List.of()), false);
            publisher = new ConfirmedPublisher(new ConnectionFactory(), List.of(new Address("127.0.0.1", proxy.port())),
                    exchange, Duration.ofMillis(500), 1, 1, topology);
            publisher.start();
            CompletableFuture<CompletableFuture<Void>> held = CompletableFuture.supplyAsync(
                    () -> publisher.publish(event("stream.push", "1:held")));
            Thread.sleep(200);

            long start = System.nanoTime();
            CompletableFuture<Void> waiting = publisher.publish(event("stream.push", "1:waiting"));

            assertThat(waiting).failsWithin(Duration.ofSeconds(3)).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(TimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            proxy.releaseReplies();
            assertThat(held.get(30, TimeUnit.SECONDS)).failsWithin(Duration.ofSeconds(1));
        }
    }

    @Test
    void aConfirmThatDoesNotComeInTimeIsAnError() throws Exception {
        try (TcpProxy proxy = new TcpProxy(5672)) {
            publisher = publisher(true, proxy.port(), Duration.ofMillis(500));
            for (int i = 0; i < 4; i++) {
                publish(event("stream.push", "warm-up-" + i));
            }
            proxy.holdReplies();
            long start = System.nanoTime();
            assertThatThrownBy(() -> publish(event("stream.push", "1:late")))
                    .isInstanceOf(TimeoutException.class)
                    .hasMessage("RabbitMQ did not confirm the publish within 500 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(450), Duration.ofSeconds(2));
            proxy.releaseReplies();
        }
    }

    @Test
    void aConnectionThatStopsConfirmingIsClosedAndTheNextPublishOpensAnother() throws Exception {
        try (TcpProxy proxy = new TcpProxy(5672)) {
            publisher = publisher(true, proxy.port(), Duration.ofMillis(500), 1, 1);
            publish(event("stream.push", "1:before"));
            // the broker takes what comes on this connection and answers nothing more, while a new one works
            proxy.freezeOpenConnections();
            assertThatThrownBy(() -> publish(event("stream.push", "1:late"))).isInstanceOf(TimeoutException.class);

            publish(event("stream.push", "1:after"));

            assertThat(broker.drain(unrouted, Duration.ofMillis(500)))
                    .extracting(m -> m.getProps().getMessageId()).contains("1:before", "1:after");
        }
    }

    @Test
    void aConnectionWhoseClientIoThreadEndedIsReplacedByOneWithAThreadOfItsOwn() throws Exception {
        Set<Thread> before = ioThreads();
        publisher = publisher(true, 5672, Duration.ofMillis(500), 1, 1);
        publish(event("stream.push", "1:before"));
        // what amqp-client 5.22's NIO loop does on a CancelledKeyException: it ends, and its factory never restarts it
        Set<Thread> ours = ioThreads();
        ours.removeAll(before);
        assertThat(ours).hasSize(1);
        for (Thread thread : ours) {
            thread.interrupt();
            thread.join(5000);
            assertThat(thread.isAlive()).isFalse();
        }
        assertThatThrownBy(() -> publish(event("stream.push", "1:unwritten"))).isInstanceOf(TimeoutException.class);

        publish(event("stream.push", "1:after"));

        assertThat(broker.drain(unrouted, Duration.ofMillis(500)))
                .extracting(m -> m.getProps().getMessageId()).contains("1:before", "1:after");
    }

    private static Set<Thread> ioThreads() {
        Set<Thread> threads = new HashSet<>(Thread.getAllStackTraces().keySet());
        threads.removeIf(thread -> !thread.getName().equals("rabbitmq-nio"));
        return threads;
    }
}
