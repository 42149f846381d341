package io.cssgateway.publish;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.nio.NioParams;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.support.Integers;
import io.cssgateway.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.Exchange;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@link OutgoingEvent}s to the events exchange with the RabbitMQ Java client, persistent and mandatory, and
 * completes each one's future once the broker confirmed it; a nack, a return (no queue and no alternate exchange
 * took it), a lost channel or no confirm in time fails the future. Messages are spread over a few channels on a few
 * connections, each with many confirms in flight. Its callers: the publish step of the routes ({@link ConfirmedPublish},
 * a thin Camel adapter), and whatever publishes without an exchange.
 * <p>
 * No thread waits for a confirm (measured in bench/: threads parked on confirms cost more CPU than the publish
 * itself). The futures complete in this publisher's own threads ({@code after-publish}), one task per confirm frame
 * (which often confirms many messages), never in a connection's reader thread: a caller that publishes again, or
 * opens a channel, there would wait for the very thread that runs it.
 * <p>
 * A returned message is matched to its own publish by a token in its {@code correlation_id} (the publish's sequence
 * number on its channel), not by {@code message_id}, which two copies of one event share.
 * <p>
 * A connection on which a publish goes unconfirmed past the timeout is closed, and the next publish opens another:
 * a broker that stopped answering, a half-open TCP connection, or the client's own I/O thread gone (amqp-client 5.22's
 * NIO loop ends on a {@code CancelledKeyException} when a key is cancelled while it writes, and its connections then
 * look open forever) would otherwise hold the connection until heartbeats notice, or never.
 */
public final class ConfirmedPublisher extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ConfirmedPublisher.class);
    /**
     * The name the broker shows for every connection of the gateway's (in the management UI's list), with the host,
     * so that the messaging team can tell the instances apart.
     */
    public static final String CONNECTION_NAME = "css-callback-gateway@" + hostName();
    private static final int AFTER_PUBLISH_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

    /** Abandoning a stalled connection waits at most this long for the broker to answer its close. */
    private static final int ABANDON_TIMEOUT_MS = 1000;

    private final ConnectionFactory template;
    private final List<Address> addresses;
    private final String exchange;
    private final long confirmTimeoutNanos;
    private final BrokerTopology topology;
    /** the open connections, by index; written under this publisher's lock, read by the lanes without it */
    private final AtomicReferenceArray<Connection> connections;
    private final Lane[] lanes;
    private final AtomicInteger next = new AtomicInteger();
    private volatile Tracing tracing = Tracing.off();
    /** completes the futures after a confirm or a failure: the callers go on there */
    private ExecutorService afterPublish;
    /** fails the publishes whose confirm is late */
    private ScheduledExecutorService lateConfirms;

    /**
     * @param topology declared on every connection this publisher opens, so that a broker that lost it (or was
     *     down at start) gets it back before the first publish
     */
    public ConfirmedPublisher(ConnectionFactory factory, List<Address> addresses, String exchange,
            Duration confirmTimeout, int connectionCount, int channelCount, BrokerTopology topology) {
        // a copy, so that the connections the rest of the gateway opens with the factory stay as they were
        this.template = factory.clone();
        // this publisher opens its connections and channels anew when they are lost; the client's own recovery would
        // bring back closed ones behind its back. And no RPC (a channel opened, the topology declared) waits longer
        // than a confirm would: a broker that does not answer is a failure, not a thread held for minutes.
        this.template.setAutomaticRecoveryEnabled(false);
        this.template.setChannelRpcTimeout((int) Math.max(1000, confirmTimeout.toMillis()));
        this.addresses = List.copyOf(addresses);
        this.exchange = exchange;
        this.confirmTimeoutNanos = confirmTimeout.toNanos();
        this.topology = topology;
        this.connections = new AtomicReferenceArray<>(connectionCount);
        this.lanes = new Lane[channelCount];
        for (int i = 0; i < channelCount; i++) {
            lanes[i] = new Lane(i % connectionCount);
        }
    }

    /** With tracing on, each publish is a producer span, and its trace context goes in the message's headers. */
    public void trace(Tracing tracing) {
        this.tracing = tracing;
    }

    /** Publishes the event; the future completes once RabbitMQ confirmed it, or fails with the reason it did not. */
    public CompletableFuture<Void> publish(OutgoingEvent event) {
        return publish(event, null);
    }

    /**
     * Publishes the event for this exchange: with tracing on, as a producer span within its callback's span (or
     * linked to the trace context of the event, or of the message the exchange took), ended at the confirm; the
     * message carries that span's trace context ({@code traceparent}).
     */
    public CompletableFuture<Void> publish(OutgoingEvent event, Exchange cause) {
        Span span = tracing.startPublish(cause, event, exchange);
        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        Lane lane = lanes[Math.floorMod(next.getAndIncrement(), lanes.length)];
        lane.publish(new Outgoing(tracing.carrying(event, span),
                new Pending(confirmed, System.nanoTime() + confirmTimeoutNanos)));
        // the span ends before the caller goes on
        return span == null ? confirmed : confirmed.whenComplete((ok, failure) -> Tracing.end(span, failure));
    }

    /**
     * Returns when a publishing connection is open, opening one if none is (as the next publish would); throws when
     * RabbitMQ cannot be reached. The broker watch (watch-broker) calls it while no callback comes.
     */
    public void requireReachable() throws IOException, TimeoutException {
        for (int i = 0; i < connections.length(); i++) {
            Connection open = connections.get(i);
            if (open != null && open.isOpen()) {
                return;
            }
        }
        connection(0);
    }

    private synchronized Connection connection(int index) throws IOException, TimeoutException {
        Connection connection = connections.get(index);
        if (connection == null || !connection.isOpen()) {
            connection = factoryOfItsOwn().newConnection(addresses, CONNECTION_NAME + " publish-" + index);
            try {
                topology.ensure(connection::createChannel);
            } catch (IOException | RuntimeException e) {
                connection.abort(1000);
                throw e;
            }
            connections.set(index, connection);
            LOG.info("Publishing connection {} open to {}", index, connection.getAddress());
        }
        return connection;
    }

    /**
     * A factory for one connection, in the client's NIO mode: its I/O thread writes the frames the publishing threads
     * queued, many per socket write (a blocking socket is flushed once per message). Each connection gets a factory,
     * and so an I/O thread, of its own: a factory whose NIO loop ended never starts another, so a connection opened
     * in place of a stalled one must not come from it. With TLS the connection uses blocking sockets: the client's
     * NIO TLS path (amqp-client 5.22) garbled frames here against a TLS 1.3 endpoint (MalformedFrameException: Bad
     * frame end marker, BrokerTlsIT), while its blocking TLS sockets work.
     */
    private ConnectionFactory factoryOfItsOwn() {
        ConnectionFactory factory = template.clone();
        if (factory.isSSL()) {
            return factory;
        }
        factory.useNio();
        factory.setNioParams(new NioParams(template.getNioParams()));
        return factory;
    }

    /**
     * Closes a connection on which a publish went unconfirmed past the timeout: the publishes waiting on its channels
     * fail now, and the next publish opens a new connection. Closing waits for the broker in a thread of its own.
     */
    private void abandon(int index, Connection stalled) {
        synchronized (this) {
            if (!connections.compareAndSet(index, stalled, null)) {
                return;
            }
        }
        LOG.warn("Publishing connection {} to {} confirmed nothing for {} ms: closing it, the next publish opens"
                + " another", index, stalled.getAddress(), TimeUnit.NANOSECONDS.toMillis(confirmTimeoutNanos));
        Thread closing = new Thread(() -> stalled.abort(ABANDON_TIMEOUT_MS),
                "css-callback-gateway-abandon-publish-" + index);
        closing.setDaemon(true);
        closing.start();
    }

    @Override
    protected void doStart() {
        afterPublish = Executors.newFixedThreadPool(AFTER_PUBLISH_THREADS, daemonThreads("after-publish"));
        lateConfirms = Executors.newSingleThreadScheduledExecutor(daemonThreads("late-confirms"));
        long every = Math.max(1, TimeUnit.NANOSECONDS.toMillis(confirmTimeoutNanos) / 10);
        lateConfirms.scheduleWithFixedDelay(() -> {
            for (Lane lane : lanes) {
                lane.failLate(System.nanoTime());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "css-callback-gateway-" + name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    protected void doStop() {
        if (lateConfirms != null) {
            lateConfirms.shutdownNow();
        }
        if (afterPublish != null) {
            afterPublish.shutdown();
        }
        for (int i = 0; i < connections.length(); i++) {
            Connection connection = connections.getAndSet(i, null);
            if (connection != null && connection.isOpen()) {
                try {
                    connection.close(5000);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("Publishing connection {} did not close cleanly: {}", i, e.toString());
                }
            }
        }
    }

    /** An event on its way to a lane. */
    private record Outgoing(OutgoingEvent event, Pending pending) {}

    /** A published message waiting for its confirm; a return marks it, and its confirm then fails it. */
    private static final class Pending {
        final CompletableFuture<Void> confirmed;
        final long deadline;
        volatile boolean returned;
        private final AtomicBoolean settled = new AtomicBoolean();

        Pending(CompletableFuture<Void> confirmed, long deadline) {
            this.confirmed = confirmed;
            this.deadline = deadline;
        }

        /** Whether this caller decides its outcome: a confirm, a failure and the late-confirm timer race for it. */
        boolean settle() {
            return settled.compareAndSet(false, true);
        }

        boolean isSettled() {
            return settled.get();
        }

        void confirmed() {
            confirmed.complete(null);
        }

        void failed(Exception cause) {
            confirmed.completeExceptionally(cause);
        }
    }

    /** The properties of one publish: the event's, and the token a return is matched by. */
    private static AMQP.BasicProperties properties(OutgoingEvent event, long sequence) {
        return new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(2)
                .messageId(event.messageId())
                .timestamp(new Date(event.timestamp()))
                .headers(event.headers())
                .correlationId(Long.toString(sequence))
                .build();
    }

    /** The callers go on in an after-publish thread (or in this one, before start or once stopped). */
    private void resume(List<Runnable> continuations) {
        if (continuations.isEmpty()) {
            return;
        }
        Runnable all = () -> continuations.forEach(Runnable::run);
        try {
            afterPublish.execute(all);
        } catch (RuntimeException notRunning) {
            all.run();
        }
    }

    private void fail(Pending publish, Exception cause) {
        if (publish.settle()) {
            resume(List.of(() -> publish.failed(cause)));
        }
    }

    /** One channel in confirm mode and the publishes it waits confirms for, in publish order. */
    private final class Lane implements ConfirmListener, ReturnListener {

        private final int connectionIndex;
        private final ConcurrentNavigableMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
        private final Queue<Outgoing> waiting = new ConcurrentLinkedQueue<>();
        private final ReentrantLock publishing = new ReentrantLock();
        /** written under {@code publishing}; read by the late-confirm timer too */
        private volatile Channel channel;

        Lane(int connectionIndex) {
            this.connectionIndex = connectionIndex;
        }

        /**
         * Queues the message, and publishes it unless another thread is publishing on this lane: that thread then
         * publishes it, with everything else queued meanwhile.
         */
        void publish(Outgoing message) {
            waiting.add(message);
            while (!waiting.isEmpty() && publishing.tryLock()) {
                try {
                    Channel open = channelOrFailWaiting();
                    if (open != null) {
                        publishWaiting(open);
                    }
                } finally {
                    publishing.unlock();
                }
            }
        }

        private Channel channelOrFailWaiting() {
            try {
                return channel();
            } catch (IOException | TimeoutException | RuntimeException e) {
                // no connection: every message queued fails now
                for (Outgoing failed = waiting.poll(); failed != null; failed = waiting.poll()) {
                    fail(failed.pending(), e);
                }
                return null;
            }
        }

        private void publishWaiting(Channel open) {
            for (Outgoing message = waiting.poll(); message != null; message = waiting.poll()) {
                if (message.pending().isSettled()) {
                    // it waited past its deadline, and was failed (and spooled) meanwhile
                    continue;
                }
                long sequence = open.getNextPublishSeqNo();
                pending.put(sequence, message.pending());
                try {
                    OutgoingEvent event = message.event();
                    open.basicPublish(exchange, event.routingKey(), true, properties(event, sequence), event.body());
                } catch (IOException | RuntimeException e) {
                    if (pending.remove(sequence, message.pending())) {
                        fail(message.pending(), e);
                    }
                }
            }
        }

        private Channel channel() throws IOException, TimeoutException {
            if (channel == null || !channel.isOpen() || connections.get(connectionIndex) != channel.getConnection()) {
                if (channel != null) {
                    // published on the channel after its close was handled, or on an abandoned connection: no
                    // confirm will come
                    failAllPending(new IOException("the channel closed before RabbitMQ confirmed the message"));
                }
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
            Long sequence = Integers.isInteger(properties.getCorrelationId())
                    ? Long.valueOf(properties.getCorrelationId()) : null;
            Pending publish = sequence == null ? null : pending.get(sequence);
            if (publish != null) {
                publish.returned = true;
            }
        }

        private void complete(long deliveryTag, boolean multiple, Exception failure) {
            Map<Long, Pending> done = multiple ? pending.headMap(deliveryTag, true)
                    : pending.subMap(deliveryTag, true, deliveryTag, true);
            List<Runnable> continuations = new ArrayList<>();
            for (Long sequence : List.copyOf(done.keySet())) {
                // removed by whoever completes it: a confirm and the late-confirm timer never both do
                Pending publish = pending.remove(sequence);
                if (publish == null || !publish.settle()) {
                    continue;
                }
                if (failure != null) {
                    continuations.add(() -> publish.failed(failure));
                } else if (publish.returned) {
                    continuations.add(() -> publish.failed(new IOException(
                            "no queue took the message and the exchange has no alternate exchange (mandatory return)")));
                } else {
                    continuations.add(publish::confirmed);
                }
            }
            resume(continuations);
        }

        /**
         * Fails the publishes whose confirm is overdue (the oldest, at the head of the map), and abandons their
         * connection; and fails the messages that waited past their deadline for a channel (the thread opening it can
         * be held up, by a broker that answers slowly or not at all): no caller waits longer than the confirm timeout.
         */
        void failLate(long now) {
            List<Runnable> continuations = new ArrayList<>();
            TimeoutException late = new TimeoutException("RabbitMQ did not confirm the publish within "
                    + TimeUnit.NANOSECONDS.toMillis(confirmTimeoutNanos) + " ms");
            boolean stalled = false;
            for (Map.Entry<Long, Pending> oldest = pending.firstEntry();
                    oldest != null && oldest.getValue().deadline - now < 0; oldest = pending.firstEntry()) {
                Pending publish = oldest.getValue();
                stalled = true;
                if (pending.remove(oldest.getKey(), publish) && publish.settle()) {
                    continuations.add(() -> publish.failed(late));
                }
            }
            Channel current = channel;
            if (stalled && current != null) {
                abandon(connectionIndex, current.getConnection());
            }
            for (Iterator<Outgoing> it = waiting.iterator(); it.hasNext(); ) {
                Pending publish = it.next().pending();
                if (publish.deadline - now < 0) {
                    it.remove();
                    if (publish.settle()) {
                        continuations.add(() -> publish.failed(late));
                    }
                }
            }
            resume(continuations);
        }

        private void lost(ShutdownSignalException cause) {
            // every publish waiting on this channel fails at once: it is spooled, not left to time out
            failAllPending(cause);
        }

        private void failAllPending(Exception cause) {
            List<Runnable> continuations = new ArrayList<>();
            for (Long sequence : List.copyOf(pending.keySet())) {
                Pending publish = pending.remove(sequence);
                if (publish != null && publish.settle()) {
                    continuations.add(() -> publish.failed(cause));
                }
            }
            resume(continuations);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "unknown-host");
        }
    }
}
