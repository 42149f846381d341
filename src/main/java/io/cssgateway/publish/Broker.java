package io.cssgateway.publish;

import com.rabbitmq.client.Address;
import io.cssgateway.support.Settings;
import io.cssgateway.trace.Tracing;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * RabbitMQ as {@code gateway.rabbitmq.*} says, not started: Spring's connection factory (the alert consumer, the dev
 * tap and the audit publisher use it through camel-spring-rabbitmq), the topology kept in place on it, and the
 * confirmed publisher of events. The gateway's and the command line's (replay) alike.
 */
public record Broker(CachingConnectionFactory connectionFactory, BrokerTopology topology,
        ConfirmedPublisher publisher) {

    /** The pieces for {@code topology}, each checked against the settings it needs (TLS, the login mechanism). */
    public static Broker of(Settings settings, Topology topology, Tracing tracing) {
        CachingConnectionFactory connectionFactory = connectionFactory(settings);
        String addresses = settings.text("gateway.rabbitmq.addresses");
        BrokerTopology kept = new BrokerTopology(connectionFactory, addresses, topology, verifyOnly(settings));
        ConfirmedPublisher publisher = new ConfirmedPublisher(connectionFactory.getRabbitConnectionFactory(),
                List.of(Address.parseAddresses(addresses)), topology.exchange(),
                Duration.ofMillis(settings.integer("gateway.rabbitmq.confirm-timeout-ms")),
                (int) settings.integer("gateway.rabbitmq.publish-connections"),
                (int) settings.integer("gateway.rabbitmq.publish-channels"), kept);
        publisher.trace(tracing);
        return new Broker(connectionFactory, kept, publisher);
    }

    /** Stops the publisher and closes every connection: for a command that used the broker and is done. */
    public void close() {
        publisher.stop();
        connectionFactory.destroy();
    }

    /** gateway.rabbitmq.topology: declare (the gateway declares its exchanges and queues) or verify (it checks them). */
    private static boolean verifyOnly(Settings settings) {
        String topology = settings.text("gateway.rabbitmq.topology");
        return switch (topology) {
            case "declare" -> false;
            case "verify" -> true;
            default -> throw new IllegalStateException("gateway.rabbitmq.topology must be declare (the gateway declares "
                    + "its exchanges and queues) or verify (they exist; the gateway checks them), got '" + topology + "'");
        };
    }

    private static CachingConnectionFactory connectionFactory(Settings settings) {
        CachingConnectionFactory factory = new CachingConnectionFactory();
        factory.setAddresses(settings.text("gateway.rabbitmq.addresses"));
        factory.setUsername(settings.text("gateway.rabbitmq.username"));
        factory.setPassword(settings.text("gateway.rabbitmq.password"));
        factory.setVirtualHost(settings.text("gateway.rabbitmq.virtual-host"));
        factory.setConnectionNameStrategy(f -> ConfirmedPublisher.CONNECTION_NAME);
        // the provider gives up on a request after 20 s: an unreachable broker must fail well before that
        factory.setConnectionTimeout((int) settings.integer("gateway.rabbitmq.connect-timeout-ms"));
        BrokerTls tls = tls(settings);
        if (tls != null) {
            // on the client's factory under Spring's: every connection is made from it, or from a clone of it
            tls.applyTo(factory.getRabbitConnectionFactory());
        } else if ("EXTERNAL".equals(settings.text("gateway.rabbitmq.auth-mechanism"))) {
            throw new IllegalStateException("gateway.rabbitmq.auth-mechanism=EXTERNAL needs TLS with a client "
                    + "certificate: gateway.rabbitmq.tls.enabled=true and gateway.rabbitmq.tls.key-store");
        }
        return factory;
    }

    /** TLS to RabbitMQ when gateway.rabbitmq.tls.enabled, else null. */
    private static BrokerTls tls(Settings settings) {
        if (!settings.bool("gateway.rabbitmq.tls.enabled")) {
            return null;
        }
        String mechanism = settings.text("gateway.rabbitmq.auth-mechanism");
        if (!mechanism.equals("PLAIN") && !mechanism.equals("EXTERNAL")) {
            throw new IllegalStateException("gateway.rabbitmq.auth-mechanism must be PLAIN (user name and password) or "
                    + "EXTERNAL (the client certificate), got '" + mechanism + "'");
        }
        return new BrokerTls(store(settings, "gateway.rabbitmq.tls.trust-store"),
                store(settings, "gateway.rabbitmq.tls.key-store"),
                settings.bool("gateway.rabbitmq.tls.verify-hostname"), mechanism.equals("EXTERNAL"));
    }

    /** A key or trust store: {@code key} its file, {@code key}-type, {@code key}-password; null when no file is set. */
    private static BrokerTls.Store store(Settings settings, String key) {
        String path = settings.optional(key);
        return path.isEmpty() ? null : new BrokerTls.Store(Path.of(path), settings.text(key + "-type"),
                settings.optional(key + "-password"));
    }
}
