package io.cssgateway.publish;

import com.rabbitmq.client.Channel;
import java.util.List;
import java.util.Map;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionListener;

/**
 * Keeps the gateway's side of RabbitMQ in place: the durable topic exchange the events go to, with the
 * alternate exchange that takes what no queue binds (fanout, durable) and its durable queue, so that no event
 * is ever routed nowhere. Declared on every new connection, so a broker that lost them (or was down when the
 * gateway started) gets them back; the connection is closed when Camel stops.
 */
public final class BrokerTopology extends ServiceSupport implements ConnectionListener {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerTopology.class);

    private final CachingConnectionFactory connectionFactory;
    private final String addresses;
    private final String exchange;
    private final String alternateExchange;
    private final String unroutedQueue;
    private final boolean declareAlternateArgument;
    private final List<BoundQueue> queues;

    /** A queue of the gateway's own (alerts, the dev tap), bound to the exchange with these routing keys. */
    public record BoundQueue(String name, boolean durable, Map<String, Object> arguments, List<String> routingKeys) {}

    /**
     * @param addresses the broker addresses as configured, for the log
     * @param declareAlternateArgument whether the exchange is declared with the {@code alternate-exchange}
     *     argument; brokers that refuse it (Qpid) or sites that set it by policy configure it there instead
     * @param queues the gateway's own queues: the alert queue, the dev profile's tap
     */
    public BrokerTopology(CachingConnectionFactory connectionFactory, String addresses, String exchange,
            String alternateExchange, String unroutedQueue, boolean declareAlternateArgument, List<BoundQueue> queues) {
        this.connectionFactory = connectionFactory;
        this.addresses = addresses;
        this.exchange = exchange;
        this.alternateExchange = alternateExchange;
        this.unroutedQueue = unroutedQueue;
        this.declareAlternateArgument = declareAlternateArgument;
        this.queues = List.copyOf(queues);
    }

    @Override
    protected void doStart() {
        connectionFactory.addConnectionListener(this);
        try {
            // opening the connection now declares the topology (onCreate) and shows a wrong address at once
            connectionFactory.createConnection().close();
        } catch (RuntimeException e) {
            LOG.warn("RabbitMQ at {} is not reachable yet ({}); the exchanges are declared once it is", addresses,
                    e.getMessage());
        }
    }

    @Override
    protected void doStop() {
        connectionFactory.destroy();
    }

    @Override
    public void onCreate(Connection connection) {
        try (Channel channel = connection.createChannel(false)) {
            declare(channel);
            LOG.info("RabbitMQ topology declared: topic exchange '{}' -> alternate exchange '{}' -> queue '{}'",
                    exchange, alternateExchange, unroutedQueue);
        } catch (Exception e) {
            LOG.error("Could not declare the RabbitMQ topology (exchange '{}', alternate exchange '{}'): {}. "
                    + "If the exchange exists with other arguments, delete it or set "
                    + "gateway.rabbitmq.declare-alternate-exchange=false and configure its alternate exchange "
                    + "by policy.", exchange, alternateExchange, e.getMessage());
        }
    }

    /** Declares the exchanges and queues on {@code channel}; also used by the publisher on its own connections. */
    public void declare(Channel channel) throws java.io.IOException {
        channel.exchangeDeclare(alternateExchange, "fanout", true);
        channel.queueDeclare(unroutedQueue, true, false, false, null);
        channel.queueBind(unroutedQueue, alternateExchange, "");
        Map<String, Object> arguments = declareAlternateArgument ? Map.of("alternate-exchange", alternateExchange) : null;
        channel.exchangeDeclare(exchange, "topic", true, false, arguments);
        for (BoundQueue queue : queues) {
            // a queue that is not durable goes when its consumer does (the dev tap)
            channel.queueDeclare(queue.name(), queue.durable(), false, !queue.durable(), queue.arguments());
            for (String routingKey : queue.routingKeys()) {
                channel.queueBind(queue.name(), exchange, routingKey);
            }
        }
    }
}
