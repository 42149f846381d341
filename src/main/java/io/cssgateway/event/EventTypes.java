package io.cssgateway.event;

import io.cssgateway.support.ExchangeProperties;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;

/**
 * The CSS event types the gateway knows: for each {@code event_type}, the event's name in the message body, its
 * routing key (for interruptions, the start of it: the errcode's category follows, in routes/dispatch.camel.yaml),
 * and the fields that identify one event for de-duplication. A type not in the table is published as
 * {@code unknown.<event_type>}, without a name, identified by a digest of its body. The one place in Java that names
 * event types.
 */
public final class EventTypes {

    /** One event type. An empty {@code identityFields} means: identified by a digest of the body. */
    public record EventType(int code, String name, String routingKey, List<String> identityFields) {}

    /** The types of the CSS callbacks the gateway classifies today. */
    public static final EventTypes CSS = new EventTypes(List.of(
            new EventType(1, "push", "stream.push", List.of("sequence")),
            new EventType(0, "interrupt", "stream.interrupt", List.of("sequence"))));

    private final Map<Integer, EventType> types;

    public EventTypes(List<EventType> types) {
        this.types = types.stream().collect(Collectors.toUnmodifiableMap(EventType::code, Function.identity()));
    }

    /** The type of {@code code}, or the unknown type for a code the table does not list. */
    public EventType of(int code) {
        EventType known = types.get(code);
        return known != null ? known : new EventType(code, null, "unknown." + code, List.of());
    }

    /** Sets the exchange's event name and routing key from the table, by its {@code event_type}. */
    public void classify(Exchange exchange) {
        EventType type = of(exchange.getProperty(ExchangeProperties.EVENT_TYPE, Integer.class));
        if (type.name() != null) {
            exchange.setProperty(ExchangeProperties.EVENT, type.name());
        }
        exchange.setProperty(ExchangeProperties.ROUTING_KEY, type.routingKey());
    }
}
