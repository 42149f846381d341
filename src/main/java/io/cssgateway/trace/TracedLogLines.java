package io.cssgateway.trace;

import io.cssgateway.support.ExchangeProperties;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelLogger;
import org.apache.camel.spi.LogListener;
import org.slf4j.MDC;

/**
 * The log lines a route writes ({@code log:} steps) for a traced callback carry its trace and span ids, as the MDC
 * keys {@code trace.id} and {@code span.id} (Elastic Common Schema's names: fields of the JSON log line,
 * {@code gateway.log.format=json}). Added only with tracing on.
 */
public final class TracedLogLines implements LogListener {

    static final String TRACE_ID = "trace.id";
    static final String SPAN_ID = "span.id";

    @Override
    public String onLog(Exchange exchange, CamelLogger camelLogger, String message) {
        Object span = exchange.getProperty(ExchangeProperties.TRACE_SPAN);
        if (span instanceof Span callback) {
            SpanContext context = callback.getSpanContext();
            MDC.put(TRACE_ID, context.getTraceId());
            MDC.put(SPAN_ID, context.getSpanId());
        }
        return message;
    }

    @Override
    public void afterLog(Exchange exchange, CamelLogger camelLogger, String message) {
        MDC.remove(TRACE_ID);
        MDC.remove(SPAN_ID);
    }
}
