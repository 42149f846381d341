package io.cssgateway.classify;

import io.cssgateway.event.EventTypes;
import io.cssgateway.support.ExchangeProperties;
import io.cssgateway.support.RouteStep;
import io.cssgateway.support.Settings;
import io.cssgateway.support.TableLines;
import java.io.IOException;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables of routes/classify.camel.yaml, read once at start: the event-type table
 * ({@code gateway.classify.event-types}, behind {@code eventClassifier}) and the errcode table
 * ({@code gateway.classify.errcode-table}, {@code errcodeTable}).
 */
public final class ClassifyBeans {

    private static final Logger LOG = LoggerFactory.getLogger(ClassifyBeans.class);

    private ClassifyBeans() {}

    /** Binds the classification's beans; returns the event-type table, which the other stages read too. */
    public static EventTypes bind(CamelContext camelContext, Settings settings) throws IOException {
        Registry registry = camelContext.getRegistry();
        EventTypes eventTypes = eventTypes(camelContext, settings);
        EventClassifier eventClassifier = new EventClassifier(eventTypes);
        registry.bind("eventClassifier", eventClassifier);
        String location = settings.text("gateway.classify.errcode-table");
        ErrcodeTable errcodes = TableLines.load(camelContext, location, ErrcodeTable::parse);
        LOG.info("Errcode table {}: {} errcodes in categories, any other is unknown", location, errcodes.size());
        registry.bind("errcodeTable", errcodes);
        // classify's steps, bound by name (support.RouteStep says why)
        registry.bind("classifyEvent", (Processor) eventClassifier::classify);
        registry.bind("errcodeCategory", RouteStep.expression("errcodeCategory",
                exchange -> errcodes.categoryOf(exchange.getProperty(ExchangeProperties.ERRCODE, Integer.class))));
        return eventTypes;
    }

    /** The event-type table of {@code gateway.classify.event-types}; refused with the line at fault. */
    public static EventTypes eventTypes(CamelContext camelContext, Settings settings) throws IOException {
        String location = settings.text("gateway.classify.event-types");
        EventTypes table = TableLines.load(camelContext, location, EventTypes::parse);
        LOG.info("Event-type table {}: {} event types, any other is published as unknown.<event_type>", location,
                table.size());
        return table;
    }
}
