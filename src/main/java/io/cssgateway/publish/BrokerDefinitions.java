package io.cssgateway.publish;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The RabbitMQ definitions of the gateway's topology, as the messaging team applies them
 * ({@code rabbitmqctl import_definitions}, or the management UI's import) when they own it
 * ({@code gateway.rabbitmq.topology=verify}): the same exchanges, queues and bindings that {@link BrokerTopology}
 * declares otherwise, and the least permissions the gateway's user needs in each mode.
 */
public final class BrokerDefinitions {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REGEX_META = Pattern.compile("[\\\\.\\[\\]{}()*+?^$|-]");

    private final String virtualHost;
    private final String exchange;
    private final String alternateExchange;
    private final String unroutedQueue;
    private final boolean alternateArgument;
    private final Map<String, Object> queueArguments;
    private final List<Topology.BoundQueue> queues;

    /** The definitions of {@code topology}'s durable part (a non-durable queue, the dev tap, is the gateway's alone). */
    public BrokerDefinitions(String virtualHost, Topology topology) {
        this.virtualHost = virtualHost;
        this.exchange = topology.exchange();
        this.alternateExchange = topology.alternateExchange();
        this.unroutedQueue = topology.unroutedQueue();
        this.alternateArgument = topology.alternateArgument();
        this.queueArguments = topology.queueArguments();
        this.queues = topology.durableQueues();
    }

    /** The definitions document: exchanges, queues, bindings. */
    public ObjectNode json() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ArrayNode exchanges = root.putArray("exchanges");
        ObjectNode events = exchange(exchanges, exchange, "topic");
        if (alternateArgument) {
            events.putObject("arguments").put("alternate-exchange", alternateExchange);
        }
        exchange(exchanges, alternateExchange, "fanout");
        ArrayNode queueList = root.putArray("queues");
        queue(queueList, unroutedQueue, Map.of());
        for (Topology.BoundQueue q : queues) {
            queue(queueList, q.name(), q.arguments());
        }
        ArrayNode bindings = root.putArray("bindings");
        binding(bindings, alternateExchange, unroutedQueue, "");
        for (Topology.BoundQueue q : queues) {
            for (String key : q.routingKeys()) {
                binding(bindings, exchange, q.name(), key);
            }
        }
        return root;
    }

    /** The permissions (configure, write, read patterns) the gateway's user needs with {@code verify}. */
    public List<String> verifyPermissions() {
        String read = queues.isEmpty() ? "^$" : "^(" + String.join("|", queues.stream().map(q -> quote(q.name())).toList()) + ")$";
        return List.of("^$", "^" + quote(exchange) + "$", read);
    }

    /** The permissions (configure, write, read patterns) the gateway's user needs with {@code declare}. */
    public List<String> declarePermissions() {
        List<String> names = new ArrayList<>(List.of(quote(exchange), quote(alternateExchange),
                quote(unroutedQueue)));
        queues.forEach(q -> names.add(quote(q.name())));
        String all = "^(" + String.join("|", names.stream().distinct().toList()) + ")$";
        // declaring binds: write on the queues bound and on the unrouted queue, read on the exchanges bound from
        return List.of(all, all, all);
    }

    private ObjectNode exchange(ArrayNode list, String name, String type) {
        ObjectNode node = list.addObject().put("name", name).put("vhost", virtualHost).put("type", type)
                .put("durable", true).put("auto_delete", false).put("internal", false);
        node.putObject("arguments");
        return node;
    }

    private void queue(ArrayNode list, String name, Map<String, Object> arguments) {
        ObjectNode node = list.addObject().put("name", name).put("vhost", virtualHost).put("durable", true)
                .put("auto_delete", false);
        Map<String, Object> all = new TreeMap<>(arguments);
        all.putAll(queueArguments);
        node.set("arguments", JSON.valueToTree(all));
    }

    private void binding(ArrayNode list, String source, String queue, String routingKey) {
        list.addObject().put("source", source).put("vhost", virtualHost).put("destination", queue)
                .put("destination_type", "queue").put("routing_key", routingKey).putObject("arguments");
    }

    /** A name as a regular expression that matches it alone (RabbitMQ's permissions are regular expressions). */
    static String quote(String name) {
        return REGEX_META.matcher(name).replaceAll("\\\\$0");
    }
}
