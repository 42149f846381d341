package io.cssgateway.publish;

import io.cssgateway.event.EventMessage;
import io.cssgateway.support.Settings;
import io.cssgateway.trace.Tracing;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.function.IntSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.spi.Registry;

/** The beans of routes/publish.camel.yaml, from {@code gateway.rabbitmq.*} and {@code gateway.classify.decoded-fields}. */
public final class PublishBeans {

    private PublishBeans() {}

    /**
     * What publish-event needs besides RabbitMQ itself: the outgoing event ({@code eventMessage}) and whether RabbitMQ
     * takes events now ({@code brokerState}).
     *
     * @param spoolDepth how many events wait in the spool: RabbitMQ counts as up again only once none does
     */
    public static BrokerState bindEventMessage(CamelContext camelContext, Settings settings, IntSupplier spoolDepth) {
        Registry registry = camelContext.getRegistry();
        EventMessage eventMessage = new EventMessage(settings.list("gateway.classify.decoded-fields"));
        registry.bind("eventMessage", eventMessage);
        BrokerState brokerState = new BrokerState(Clock.systemUTC(), spoolDepth);
        registry.bind("brokerState", brokerState);
        // publish-event's steps, bound by name (support.RouteStep says why)
        registry.bind("prepareEventMessage", (Processor) eventMessage::prepare);
        registry.bind("requireBrokerUp", (Processor) exchange -> brokerState.requireUp());
        return brokerState;
    }

    /**
     * RabbitMQ: Spring's connection factory ({@code rabbitConnectionFactory}, for camel-spring-rabbitmq's endpoints),
     * the topology kept in place, the confirmed publisher ({@code confirmedPublisher}) and its Camel step
     * ({@code confirmedPublish}).
     *
     * @param confirmLatency times each publish until it is confirmed or fails
     * @param tracing makes each publish a span, and puts its trace context in the message
     */
    public static void bindBroker(CamelContext camelContext, Settings settings, Topology topology,
            Timer confirmLatency, Tracing tracing) throws Exception {
        Registry registry = camelContext.getRegistry();
        Broker broker = Broker.of(settings, topology, tracing);
        registry.bind("rabbitConnectionFactory", broker.connectionFactory());
        camelContext.addService(broker.topology());
        camelContext.addService(broker.publisher());
        registry.bind("confirmedPublisher", broker.publisher());
        registry.bind("confirmedPublish", new ConfirmedPublish(broker.publisher(), confirmLatency));
        registry.bind("unroutedQueue", new UnroutedQueue(broker.connectionFactory(), topology.unroutedQueue()));
    }
}
