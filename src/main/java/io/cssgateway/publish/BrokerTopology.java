package io.cssgateway.publish;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionListener;

/**
 * The gateway's side of RabbitMQ: the durable topic exchange the events go to, with the alternate exchange that takes
 * what no queue binds (fanout, durable) and its durable queue, so that no event is ever routed nowhere, and the
 * gateway's own queues (alerts). With {@code gateway.rabbitmq.topology=declare} (the default) they are declared on
 * every new connection, so a broker that lost them (or was down when the gateway started) gets them back. With
 * {@code verify} the messaging team owns them: the gateway declares nothing, checks that its exchange and its durable
 * queues exist (passive declares, which need no configure permission), and says exactly what is missing. The
 * connection is closed when Camel stops.
 */
public final class BrokerTopology extends ServiceSupport implements ConnectionListener {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerTopology.class);

    private final CachingConnectionFactory connectionFactory;
    private final String addresses;
    private final Topology topology;
    private final boolean verifyOnly;

    /** Opens a channel for the topology's work, on whichever connection is being set up. */
    @FunctionalInterface
    public interface Channels {
        Channel open() throws IOException;
    }

    /**
     * @param addresses the broker addresses as configured, for the log
     * @param verifyOnly whether the topology is the messaging team's: checked, never declared
     */
    public BrokerTopology(CachingConnectionFactory connectionFactory, String addresses, Topology topology,
            boolean verifyOnly) {
        this.connectionFactory = connectionFactory;
        this.addresses = addresses;
        this.topology = topology;
        this.verifyOnly = verifyOnly;
    }

    @Override
    protected void doStart() {
        connectionFactory.addConnectionListener(this);
        try {
            // opening the connection now declares the topology (onCreate) and shows a wrong address at once
            connectionFactory.createConnection().close();
        } catch (RuntimeException e) {
            LOG.warn("RabbitMQ at {} is not reachable yet ({}); the exchanges are declared once it is", addresses,
                    BrokerFailures.describe(e));
        }
    }

    @Override
    protected void doStop() {
        connectionFactory.destroy();
    }

    @Override
    public void onCreate(Connection connection) {
        try {
            ensure(() -> connection.createChannel(false));
            if (verifyOnly) {
                LOG.info("RabbitMQ topology verified (gateway.rabbitmq.topology=verify): exchange '{}'{} exist",
                        topology.exchange(), topology.durableQueues().isEmpty() ? "" : " and queue(s) "
                                + topology.durableQueues().stream()
                                .map(q -> "'" + q.name() + "'").toList());
            } else {
                LOG.info("RabbitMQ topology declared: topic exchange '{}' -> alternate exchange '{}' -> queue '{}'",
                        topology.exchange(), topology.alternateExchange(), topology.unroutedQueue());
            }
        } catch (Exception e) {
            LOG.error("RabbitMQ topology {}: {}{}", verifyOnly ? "not as the gateway needs it" : "not declared",
                    BrokerFailures.describe(e), verifyOnly || !e.toString().contains("PRECONDITION_FAILED") ? ""
                            : e.toString().contains("x-queue-type")
                                    ? ". The queue exists as another type: set gateway.rabbitmq.queue-type to its type, "
                                            + "or move to the new type as docs/scaling-out.md shows"
                                    : ". The exchange exists with other arguments: delete it, or set "
                                            + "gateway.rabbitmq.declare-alternate-exchange=false and set its alternate "
                                            + "exchange by policy");
        }
    }

    /**
     * Declares the exchanges and queues (declare), or checks that the exchange and the durable queues exist (verify,
     * a channel per check, since a missing one closes its channel); also used by the publisher on its own connections.
     */
    public void ensure(Channels channels) throws IOException {
        if (verifyOnly) {
            List<String> missing = new ArrayList<>();
            IOException first = null;
            List<String> names = new ArrayList<>(List.of("exchange:" + topology.exchange()));
            topology.durableQueues().forEach(q -> names.add("queue:" + q.name()));
            for (String name : names) {
                Channel channel = channels.open();
                try {
                    String resource = name.substring(name.indexOf(':') + 1);
                    if (name.startsWith("exchange:")) {
                        channel.exchangeDeclarePassive(resource);
                    } else {
                        channel.queueDeclarePassive(resource);
                    }
                } catch (IOException e) {
                    missing.add(BrokerFailures.describe(e));
                    first = first == null ? e : first;
                } finally {
                    closeQuietly(channel);
                }
            }
            if (!missing.isEmpty()) {
                throw new IOException(String.join("; ", missing), first);
            }
            return;
        }
        Channel channel = channels.open();
        try {
            declare(channel);
        } finally {
            closeQuietly(channel);
        }
    }

    private Map<String, Object> withQueueArguments(Map<String, Object> own) {
        Map<String, Object> all = new HashMap<>(own);
        all.putAll(topology.queueArguments());
        return all;
    }

    private void declare(Channel channel) throws IOException {
        channel.exchangeDeclare(topology.alternateExchange(), "fanout", true);
        channel.queueDeclare(topology.unroutedQueue(), true, false, false, topology.queueArguments());
        channel.queueBind(topology.unroutedQueue(), topology.alternateExchange(), "");
        Map<String, Object> arguments = topology.alternateArgument()
                ? Map.of("alternate-exchange", topology.alternateExchange()) : null;
        channel.exchangeDeclare(topology.exchange(), "topic", true, false, arguments);
        for (Topology.BoundQueue queue : topology.queues()) {
            // a queue that is not durable goes when its consumer does (the dev tap)
            channel.queueDeclare(queue.name(), queue.durable(), false, !queue.durable(),
                    queue.durable() ? withQueueArguments(queue.arguments()) : queue.arguments());
            for (String routingKey : queue.routingKeys()) {
                channel.queueBind(queue.name(), topology.exchange(), routingKey);
            }
        }
    }

    private static void closeQuietly(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException alreadyClosing) {
            // closed by the broker, or the connection went
        }
    }
}
