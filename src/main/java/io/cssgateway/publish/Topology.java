package io.cssgateway.publish;

import io.cssgateway.support.Settings;
import java.util.List;
import java.util.Map;

/**
 * The gateway's RabbitMQ topology, as its configuration says: the topic exchange the events go to, the alternate
 * exchange and queue that take what no binding takes, the arguments of every durable queue, and the gateway's own
 * queues with their bindings. Built once; {@link BrokerTopology} declares (or checks) it, {@link BrokerDefinitions}
 * writes it for the messaging team.
 *
 * @param queueArguments what every durable queue the gateway declares gets ({@code x-queue-type: quorum}), beside
 *     its own arguments; empty for classic queues
 * @param alternateArgument whether the exchange is declared with the {@code alternate-exchange} argument; brokers that
 *     refuse it (Qpid) or sites that set it by policy configure it there instead
 * @param queues the gateway's own queues: the alert queue, the dev profile's tap
 */
public record Topology(String exchange, String alternateExchange, String unroutedQueue,
        Map<String, Object> queueArguments, boolean alternateArgument, List<BoundQueue> queues) {

    /** A queue of the gateway's own (alerts, the dev tap), bound to the exchange with these routing keys. */
    public record BoundQueue(String name, boolean durable, Map<String, Object> arguments, List<String> routingKeys) {}

    public Topology {
        queueArguments = Map.copyOf(queueArguments);
        queues = List.copyOf(queues);
    }

    /** The topology of {@code gateway.rabbitmq.*}, with the gateway's own queues. */
    public static Topology read(Settings settings, List<BoundQueue> queues) {
        return new Topology(settings.text("gateway.rabbitmq.exchange"),
                settings.text("gateway.rabbitmq.alternate-exchange"), settings.text("gateway.rabbitmq.unrouted-queue"),
                queueArguments(settings), settings.bool("gateway.rabbitmq.declare-alternate-exchange"), queues);
    }

    /** The gateway's durable queues: those the messaging team declares when it owns the topology. */
    public List<BoundQueue> durableQueues() {
        return queues.stream().filter(BoundQueue::durable).toList();
    }

    /**
     * gateway.rabbitmq.queue-type: classic queues are declared without the argument (as before the key existed), so
     * that the queues of an earlier version still match; quorum queues with x-queue-type.
     */
    private static Map<String, Object> queueArguments(Settings settings) {
        String type = settings.text("gateway.rabbitmq.queue-type");
        return switch (type) {
            case "classic" -> Map.of();
            case "quorum" -> Map.of("x-queue-type", "quorum");
            default -> throw new IllegalStateException("gateway.rabbitmq.queue-type must be classic (one node) or quorum "
                    + "(a cluster: the queues survive a node), got '" + type + "'");
        };
    }
}
