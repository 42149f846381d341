package io.cssgateway;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publish step: publishes the exchange's message to the events exchange with the RabbitMQ Java client,
 * persistent and mandatory, and returns once the broker confirmed it; a nack, a return (no queue and no
 * alternate exchange took it), a lost channel or no confirm in time is an exception. Messages are spread over
 * a few channels on a few connections, each with many confirms in flight: measured in bench/, this carries
 * several times the throughput of one publish-and-wait per channel on one connection.
 * <p>
 * The message: body = the exchange's body (bytes); routing key, message_id and timestamp from the exchange
 * properties {@code routingKey}, {@code eventId}, {@code eventTime}; the {@code css_*} headers as AMQP headers;
 * content type application/json.
 */
public final class ConfirmedPublisher extends ServiceSupport implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(ConfirmedPublisher.class);

    private final ConnectionFactory factory;
    private final List<Address> addresses;
    private final String exchange;
    private final long confirmTimeoutMillis;
    private final BrokerTopology topology;
    private final Connection[] connections;
    private final Lane[] lanes;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param topology declared on every connection this publisher opens, so that a broker that lost it (or was
     *     down at start) gets it back before the first publish
     */
    public ConfirmedPublisher(ConnectionFactory factory, List<Address> addresses, String exchange,
            Duration confirmTimeout, int connectionCount, int channelCount, BrokerTopology topology) {
        this.factory = factory;
        this.addresses = List.copyOf(addresses);
        this.exchange = exchange;
        this.confirmTimeoutMillis = confirmTimeout.toMillis();
        this.topology = topology;
        this.connections = new Connection[connectionCount];
        this.lanes = new Lane[channelCount];
        for (int i = 0; i < channelCount; i++) {
            lanes[i] = new Lane(i % connectionCount);
        }
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        Map<String, Object> headers = new HashMap<>();
        message.getHeaders().forEach((name, value) -> {
            if (name.startsWith("css_")) {
                headers.put(name, value);
            }
        });
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(2)
                .messageId(exchange.getProperty("eventId", String.class))
                .timestamp(exchange.getProperty("eventTime", Date.class))
                .headers(headers)
                .build();
        Lane lane = lanes[Math.floorMod(next.getAndIncrement(), lanes.length)];
        CompletableFuture<Void> confirmed = lane.publish(exchange.getProperty("routingKey", String.class), properties,
                message.getMandatoryBody(byte[].class));
        try {
            confirmed.get(confirmTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException("RabbitMQ did not confirm the publish within " + confirmTimeoutMillis + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private synchronized Connection connection(int index) throws IOException, TimeoutException {
        Connection connection = connections[index];
        if (connection == null || !connection.isOpen()) {
            connection = factory.newConnection(addresses, "css-callback-gateway-publish-" + index);
            try (Channel declare = connection.createChannel()) {
                topology.declare(declare);
            }
            connections[index] = connection;
            LOG.info("Publishing connection {} open to {}", index, connection.getAddress());
        }
        return connection;
    }

    @Override
    protected void doStop() {
        for (int i = 0; i < connections.length; i++) {
            Connection connection = connections[i];
            if (connection != null && connection.isOpen()) {
                try {
                    connection.close(5000);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("Publishing connection {} did not close cleanly: {}", i, e.toString());
                }
            }
            connections[i] = null;
        }
    }

    /** One channel in confirm mode and the publishes it waits confirms for. */
    private final class Lane implements ConfirmListener, ReturnListener {

        private final int connectionIndex;
        private final ConcurrentNavigableMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
        private final Set<String> returned = ConcurrentHashMap.newKeySet();
        private Channel channel;

        private record Pending(String messageId, CompletableFuture<Void> confirmed) {}

        Lane(int connectionIndex) {
            this.connectionIndex = connectionIndex;
        }

        synchronized CompletableFuture<Void> publish(String routingKey, AMQP.BasicProperties properties, byte[] body)
                throws IOException, TimeoutException {
            Channel open = channel();
            long sequence = open.getNextPublishSeqNo();
            Pending publish = new Pending(properties.getMessageId(), new CompletableFuture<>());
            pending.put(sequence, publish);
            try {
                open.basicPublish(exchange, routingKey, true, properties, body);
            } catch (IOException | RuntimeException e) {
                pending.remove(sequence);
                throw e;
            }
            // a confirm that never comes must not leave its entry behind
            publish.confirmed().whenComplete((ok, failed) -> pending.remove(sequence, publish));
            return publish.confirmed();
        }

        private Channel channel() throws IOException, TimeoutException {
            if (channel == null || !channel.isOpen()) {
                Channel created = connection(connectionIndex).createChannel();
                created.confirmSelect();
                created.addConfirmListener(this);
                created.addReturnListener(this);
                created.addShutdownListener(this::lost);
                channel = created;
            }
            return channel;
        }

        @Override
        public void handleAck(long deliveryTag, boolean multiple) {
            complete(deliveryTag, multiple, null);
        }

        @Override
        public void handleNack(long deliveryTag, boolean multiple) {
            complete(deliveryTag, multiple, new IOException("RabbitMQ refused the message (nack)"));
        }

        @Override
        public void handleReturn(int replyCode, String replyText, String exchangeName, String routingKey,
                AMQP.BasicProperties properties, byte[] body) {
            // the return comes before the message's confirm: the confirm then fails it
            if (properties.getMessageId() != null) {
                returned.add(properties.getMessageId());
            }
        }

        private void complete(long deliveryTag, boolean multiple, Exception failure) {
            Map<Long, Pending> done = multiple ? pending.headMap(deliveryTag, true) : pending.subMap(deliveryTag, true, deliveryTag, true);
            for (Pending publish : List.copyOf(done.values())) {
                if (failure != null) {
                    publish.confirmed().completeExceptionally(failure);
                } else if (publish.messageId() != null && returned.remove(publish.messageId())) {
                    publish.confirmed().completeExceptionally(new IOException(
                            "no queue took the message and the exchange has no alternate exchange (mandatory return)"));
                } else {
                    publish.confirmed().complete(null);
                }
            }
            done.clear();
        }

        private void lost(ShutdownSignalException cause) {
            // every publish waiting on this channel fails at once: it is spooled, not left to time out
            for (Pending publish : List.copyOf(pending.values())) {
                publish.confirmed().completeExceptionally(cause);
            }
            pending.clear();
        }
    }
}
