package io.cssgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/** The publish step against the real RabbitMQ: confirmed, persistent, and mandatory. */
class ConfirmedPublisherTest {

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String exchange = "css.events.cp-" + run;
    private final String unrouted = "css.unrouted.cp-" + run;
    private final DefaultCamelContext camel = new DefaultCamelContext();
    private BrokerProbe broker;
    private ConfirmedPublisher publisher;

    /** declareAlternate=false: no alternate exchange, so an unroutable message is returned (mandatory). */
    private ConfirmedPublisher publisher(boolean declareAlternate) {
        return publisher(declareAlternate, 5672, Duration.ofSeconds(5));
    }

    private ConfirmedPublisher publisher(boolean declareAlternate, int port, Duration confirmTimeout) {
        BrokerTopology topology = new BrokerTopology(new CachingConnectionFactory(), "127.0.0.1:5672", exchange, unrouted, unrouted,
                declareAlternate, List.of());
        ConfirmedPublisher created = new ConfirmedPublisher(new ConnectionFactory(),
                List.of(new Address("127.0.0.1", port)), exchange, confirmTimeout, 2, 4, topology);
        created.start();
        return created;
    }

    /** Publishes as the spool drain does (the calling thread waits); a failure is thrown. */
    private void publish(Exchange event) throws Exception {
        publisher.process(event);
        if (event.getException() != null) {
            throw event.getException();
        }
    }

    private Exchange event(String routingKey, String id) {
        Exchange event = new DefaultExchange(camel);
        event.getMessage().setBody("{\"event_type\":1}".getBytes(StandardCharsets.UTF_8));
        event.getMessage().setHeader("css_event_type", 1);
        event.getMessage().setHeader("css_stream_id", "s1");
        event.getMessage().setHeader("Host", "not for the broker");
        event.setProperty("routingKey", routingKey);
        event.setProperty("eventId", id);
        event.setProperty("eventTime", new Date(1703731478000L));
        return event;
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
        List<CompletableFuture<Exchange>> confirms = new ArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(16);
        try {
            List<Future<CompletableFuture<Exchange>>> handed = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                Exchange event = event("stream.push", "1:" + i);
                handed.add(senders.submit(() -> publisher.processAsync(event)));
            }
            for (Future<CompletableFuture<Exchange>> f : handed) {
                confirms.add(f.get());
            }
        } finally {
            senders.shutdown();
        }
        for (CompletableFuture<Exchange> confirm : confirms) {
            assertThat(confirm.get(10, TimeUnit.SECONDS).getException()).isNull();
        }

        List<GetResponse> messages = broker.drain(queue, Duration.ofMillis(500));
        assertThat(messages).extracting(m -> m.getProps().getMessageId()).doesNotHaveDuplicates().hasSize(2000);
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
}
