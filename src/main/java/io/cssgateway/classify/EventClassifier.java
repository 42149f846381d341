package io.cssgateway.classify;

import io.cssgateway.event.EventTypes;
import io.cssgateway.support.ExchangeProperties;
import org.apache.camel.Exchange;

/**
 * The first step of {@code classify}: the event's name and routing key from the event-type table, by the callback's
 * {@code event_type}; a type the table does not list gets {@code unknown.<event_type>} and no name.
 */
public final class EventClassifier {

    private final EventTypes eventTypes;

    public EventClassifier(EventTypes eventTypes) {
        this.eventTypes = eventTypes;
    }

    /** Sets {@link ExchangeProperties#EVENT} (when the type has a name) and {@link ExchangeProperties#ROUTING_KEY}. */
    public void classify(Exchange exchange) {
        EventTypes.EventType type = eventTypes.of(exchange.getProperty(ExchangeProperties.EVENT_TYPE, Integer.class));
        if (type.name() != null) {
            exchange.setProperty(ExchangeProperties.EVENT, type.name());
        }
        exchange.setProperty(ExchangeProperties.ROUTING_KEY, type.routingKey());
    }
}
