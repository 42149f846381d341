package io.cssgateway.replay;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Moves the messages parked on the unrouted queue back to the exchange, now that a binding takes them: each is
 * published (same routing key, properties and body, plus {@code css_replayed=true}) and confirmed before it is
 * acknowledged, so a crash in the middle loses nothing (at worst one message is published twice). Only the messages
 * there at the start are moved: one that is still unroutable comes back to the queue and is not taken again.
 */
public final class UnroutedRedrive {

    /** How many were moved, and how many were there at the start. */
    public record Moved(long moved, long parked) {
    }

    private final Channel channel;
    private final String queue;
    private final String exchange;
    private final Duration confirmTimeout;

    /** @param channel a channel of its own: it is put in confirm mode */
    public UnroutedRedrive(Channel channel, String queue, String exchange, Duration confirmTimeout) {
        this.channel = channel;
        this.queue = queue;
        this.exchange = exchange;
        this.confirmTimeout = confirmTimeout;
    }

    /** A message parked on the unrouted queue, as {@link #look} shows it. */
    public record Parked(String routingKey, String messageId, Long timestamp, String eventType, boolean replayed) {
    }

    /** How many are parked, and the first of them. */
    public record Look(long count, List<Parked> first) {
    }

    /**
     * How many messages are parked, and the first {@code limit} of them, left where they are: each is taken without
     * acknowledging it and all are given back at once (RabbitMQ puts them back in their places; their redelivered
     * flag is set).
     */
    public Look look(int limit) throws IOException {
        long count = channel.queueDeclarePassive(queue).getMessageCount();
        List<Parked> first = new ArrayList<>();
        long lastTag = -1;
        try {
            while (first.size() < Math.min(limit, count)) {
                GetResponse message = channel.basicGet(queue, false);
                if (message == null) {
                    break;
                }
                lastTag = message.getEnvelope().getDeliveryTag();
                AMQP.BasicProperties properties = message.getProps();
                Map<String, Object> headers = properties.getHeaders() == null ? Map.of() : properties.getHeaders();
                Object eventType = headers.get("css_event_type");
                first.add(new Parked(message.getEnvelope().getRoutingKey(), properties.getMessageId(),
                        properties.getTimestamp() == null ? null : properties.getTimestamp().getTime(),
                        eventType == null ? null : eventType.toString(),
                        Boolean.TRUE.equals(headers.get(ReplayedEvents.REPLAYED_HEADER))));
            }
        } finally {
            if (lastTag >= 0) {
                channel.basicNack(lastTag, true, true);
            }
        }
        return new Look(count, first);
    }

    public Moved moveAll(Runnable eachMoved) throws IOException, InterruptedException, TimeoutException {
        long parked = channel.queueDeclarePassive(queue).getMessageCount();
        channel.confirmSelect();
        long moved = 0;
        while (moved < parked) {
            GetResponse message = channel.basicGet(queue, false);
            if (message == null) {
                break;
            }
            Map<String, Object> headers = new HashMap<>();
            AMQP.BasicProperties properties = message.getProps();
            if (properties.getHeaders() != null) {
                headers.putAll(properties.getHeaders());
            }
            headers.put(ReplayedEvents.REPLAYED_HEADER, true);
            channel.basicPublish(exchange, message.getEnvelope().getRoutingKey(), false,
                    properties.builder().headers(headers).build(), message.getBody());
            channel.waitForConfirmsOrDie(confirmTimeout.toMillis());
            channel.basicAck(message.getEnvelope().getDeliveryTag(), false);
            moved++;
            eachMoved.run();
        }
        return new Moved(moved, parked);
    }
}
