package io.cssgateway.publish;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/**
 * How many messages are parked on the unrouted queue (events no consumer's binding takes: a consumer lost its
 * queue), counted by watch-broker every few seconds with a passive declare; the metric and the alert read the last
 * count, so that neither waits for RabbitMQ.
 */
public final class UnroutedQueue {

    private final RabbitAdmin admin;
    private final String queue;
    private final AtomicLong last = new AtomicLong(-1);

    public UnroutedQueue(ConnectionFactory connectionFactory, String queue) {
        this.admin = new RabbitAdmin(connectionFactory);
        this.queue = queue;
    }

    /** Counts them now; -1 when RabbitMQ cannot say (unreachable, the queue missing, no permission). */
    public long count() {
        long count;
        try {
            Properties properties = admin.getQueueProperties(queue);
            count = properties == null ? -1
                    : ((Number) properties.get(RabbitAdmin.QUEUE_MESSAGE_COUNT)).longValue();
        } catch (AmqpException e) {
            count = -1;
        }
        last.set(count);
        return count;
    }

    /** The last count; -1 before the first, or when RabbitMQ could not say. */
    public long lastCount() {
        return last.get();
    }
}
