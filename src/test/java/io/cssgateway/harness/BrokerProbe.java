package io.cssgateway.harness;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads what the gateway published, from the real RabbitMQ at 127.0.0.1:5672, through queues of its own. */
public final class BrokerProbe implements AutoCloseable {

    private final Connection connection;
    private final Channel channel;
    private final List<String> queues = new ArrayList<>();

    public BrokerProbe() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(5672);
        factory.setUsername("guest");
        factory.setPassword("guest");
        connection = factory.newConnection("css-gateway-test-probe");
        channel = connection.createChannel();
    }

    /** A new exclusive queue bound to {@code exchange} with {@code pattern}. */
    public String bindQueue(String exchange, String... patterns) throws IOException {
        String queue = channel.queueDeclare("", false, true, true, null).getQueue();
        for (String pattern : patterns) {
            channel.queueBind(queue, exchange, pattern);
        }
        queues.add(queue);
        return queue;
    }

    /** The next message on {@code queue}, waiting up to {@code timeout}; null when none came. */
    public GetResponse next(String queue, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            GetResponse response = channel.basicGet(queue, true);
            if (response != null) {
                return response;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        return null;
    }

    /** Every message now on {@code queue}, after waiting {@code settle} for stragglers. */
    public List<GetResponse> drain(String queue, Duration settle) throws Exception {
        Thread.sleep(settle.toMillis());
        List<GetResponse> all = new ArrayList<>();
        GetResponse response;
        while ((response = channel.basicGet(queue, true)) != null) {
            all.add(response);
        }
        return all;
    }

    /** How many messages wait on {@code queue}. */
    public long messageCount(String queue) throws IOException {
        return channel.messageCount(queue);
    }

    /** Deletes the queues this probe made, so that they take no more messages. */
    public void deleteQueues() throws IOException {
        for (String queue : queues) {
            channel.queueDelete(queue);
        }
        queues.clear();
    }

    public boolean exchangeExists(String exchange) throws Exception {
        try (Channel probe = connection.createChannel()) {
            probe.exchangeDeclarePassive(exchange);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Messages ready on {@code queue} (not counting those delivered and not yet acknowledged). */
    public int queueDepth(String queue) throws Exception {
        try (Channel probe = connection.createChannel()) {
            return probe.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /** Whether declaring {@code queue} durable with {@code arguments} matches how it exists. */
    public boolean queueDeclaredWith(String queue, Map<String, Object> arguments) throws Exception {
        try (Channel probe = connection.createChannel()) {
            probe.queueDeclare(queue, true, false, false, arguments);
            return true;
        } catch (IOException precondition) {
            return false;
        }
    }

    public void deleteExchange(String exchange) throws IOException {
        channel.exchangeDelete(exchange);
    }

    /** A gateway's exchange with what it declares by default beside it: {@code <exchange>.unrouted}, exchange and queue. */
    /**
     * Deletes what a gateway on {@code exchange} declares with the default names: the exchange, its alternate
     * exchange and queue, its stream, alert and heartbeat queues.
     */
    public void deleteGatewayTopology(String exchange) throws IOException {
        channel.exchangeDelete(exchange);
        channel.exchangeDelete(exchange + ".unrouted");
        channel.queueDelete(exchange + ".unrouted");
        channel.queueDelete(exchange + ".streams");
        channel.queueDelete(exchange + ".alerts");
        channel.queueDelete(exchange + ".heartbeats");
    }

    public void declareTopicExchange(String exchange, String alternateExchange) throws IOException {
        channel.exchangeDeclare(exchange, "topic", true, false, Map.of("alternate-exchange", alternateExchange));
    }

    public void deleteQueue(String queue) throws IOException {
        channel.queueDelete(queue);
    }

    @Override
    public void close() throws Exception {
        connection.close();
    }
}
