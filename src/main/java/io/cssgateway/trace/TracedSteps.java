package io.cssgateway.trace;

import io.cssgateway.support.ExchangeProperties;
import io.opentelemetry.api.trace.Span;
import java.util.Collection;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.StepEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * A {@code step} of a route file is a span (with tracing on): named by the step's id, within the callback's span when
 * the exchange has one, linked to the trace contexts of {@code traceLinks} when the route set them, failed when the
 * step failed. Camel tells of steps through its events; this notifier is added only with tracing on, and hears no
 * other event.
 */
public final class TracedSteps extends EventNotifierSupport {

    private static final String SPAN_OF_STEP = "traceStep.";

    private final Tracing tracing;

    public TracedSteps(Tracing tracing) {
        this.tracing = tracing;
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreExchangeEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof StepEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        StepEvent step = (StepEvent) event;
        Exchange exchange = step.getExchange();
        String key = SPAN_OF_STEP + step.getStepId();
        switch (event.getType()) {
            case StepStarted -> {
                Object links = exchange.getProperty(ExchangeProperties.TRACE_LINKS);
                @SuppressWarnings("unchecked")
                Collection<String> traceparents = links instanceof Collection<?> ? (Collection<String>) links : null;
                exchange.setProperty(key, new Started(tracing.startLinked(exchange, step.getStepId(), traceparents),
                        exchange.getProperty(Exchange.EXCEPTION_CAUGHT)));
            }
            case StepCompleted, StepFailed -> {
                Started started = (Started) exchange.removeProperty(key);
                if (started != null) {
                    Tracing.end(started.span(), failure(exchange, started.caughtBefore()));
                }
            }
            default -> {
                // not a step's event
            }
        }
    }

    /**
     * What failed the step: its exception, or the one the route's error handling caught within it (a refusal is
     * handled, and the step then completes); null when it did its work.
     */
    private static Throwable failure(Exchange exchange, Object caughtBefore) {
        if (exchange.getException() != null) {
            return exchange.getException();
        }
        Object caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT);
        return caught instanceof Throwable failure && caught != caughtBefore ? failure : null;
    }

    /** A step's span, and the failure the route had caught before it (not the step's). */
    private record Started(Span span, Object caughtBefore) {}
}
