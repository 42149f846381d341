package io.cssgateway.alert;

import io.cssgateway.support.ExchangeProperties;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether each chat channel takes alerts, said in the log once per change, its URL's token and secret masked: a line
 * when a channel first fails, a line when it takes one again. Camel's retry (alert-webhook-retries) calls it before
 * each new try ({@code onRedeliveryRef}); Camel's own lines for those tries are off, as they could show the URL.
 */
public final class WebhookState implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookState.class);

    private final Map<String, String> failing = new ConcurrentHashMap<>();

    /** A try failed and is tried again. */
    @Override
    public void process(Exchange exchange) {
        AlertDelivery delivery = exchange.getProperty(ExchangeProperties.DELIVERY, AlertDelivery.class);
        String why = delivery.describe(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        if (failing.putIfAbsent(delivery.getChannel(), why) == null) {
            LOG.warn("Chat channel {} does not take alerts ({}): each is tried again with back-off, then audited as "
                    + "undelivered", delivery.getChannel(), why);
        }
    }

    /** An alert went through: a line if the channel was failing until now. */
    public void sent(@ExchangeProperty(ExchangeProperties.DELIVERY) AlertDelivery delivery) {
        if (failing.remove(delivery.getChannel()) != null) {
            LOG.info("Chat channel {} takes alerts again", delivery.getChannel());
        }
    }
}
