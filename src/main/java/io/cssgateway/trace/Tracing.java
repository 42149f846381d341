package io.cssgateway.trace;

import io.cssgateway.event.Callback;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.support.ExchangeProperties;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.spi.Synchronization;

/**
 * The gateway's spans (docs/tracing.md): a server span per callback, its children (the signature, the
 * de-duplication and its database query, the publish until the confirm, the spool write), and the trace context every
 * published message carries in its AMQP headers ({@code traceparent}, {@code tracestate}). A publish with no callback
 * behind it (a spooled event drained, a stream-state change, a replay) starts a trace of its own, linked to the trace
 * context its event or the message that caused it carries.
 *
 * <p>Off ({@link #off()}, {@code gateway.tracing.enabled=false}) every method returns at its first line: no span, no
 * header, nothing allocated.
 */
public final class Tracing implements Processor {

    /** The W3C trace context headers, in a message and in an HTTP request. */
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    private static final Set<String> HTTP_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
            "OPTIONS", "TRACE", "PATCH");
    private static final Tracing OFF = new Tracing(null, false, "", () -> 0);

    private static final TextMapGetter<Map<String, Object>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, Object> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, Object> carrier, String key) {
            Object value = carrier == null ? null : carrier.get(key);
            return value == null ? null : value.toString();
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final boolean trustIncoming;
    private final String route;
    private final LongSupplier droppedSpans;

    private Tracing(OpenTelemetry openTelemetry, boolean trustIncoming, String route, LongSupplier droppedSpans) {
        this.tracer = openTelemetry == null ? null : openTelemetry.getTracer("io.cssgateway");
        this.propagator = openTelemetry == null ? null : openTelemetry.getPropagators().getTextMapPropagator();
        this.trustIncoming = trustIncoming;
        this.route = route;
        this.droppedSpans = droppedSpans;
    }

    /** Tracing off: no span is made and no message carries a trace context. */
    public static Tracing off() {
        return OFF;
    }

    /**
     * @param trustIncoming whether a callback's own {@code traceparent} header makes its span a child of the caller's
     *     ({@code gateway.tracing.trust-incoming}); otherwise every callback starts a trace
     * @param route the callbacks' path ({@code gateway.http.path}), the server span's {@code http.route}
     */
    public static Tracing on(TraceExport export, boolean trustIncoming, String route) {
        return new Tracing(export.sdk(), trustIncoming, route, export::dropped);
    }

    /** With spans made by this OpenTelemetry (a test's, or an application's that embeds the gateway), none dropped. */
    public static Tracing on(OpenTelemetry openTelemetry, boolean trustIncoming, String route) {
        return new Tracing(openTelemetry, trustIncoming, route, () -> 0);
    }

    public boolean enabled() {
        return tracer != null;
    }

    /** Spans dropped because the export queue was full, since the start (0 with tracing off). */
    public long droppedSpans() {
        return droppedSpans.getAsLong();
    }

    // ---------------------------------------------------------------- the callback's span

    /**
     * The callback's server span starts as its request comes in (ReceiveCallbackRoute), and ends when its answer is
     * made, with the answer's status and what the intake found: {@code css.event_type}, {@code css.verdict},
     * {@code css.reason}, {@code css.stream_id}, {@code css.message_id}.
     */
    @Override
    public void process(Exchange exchange) {
        if (tracer == null) {
            return;
        }
        Message request = exchange.getMessage();
        Context parent = trustIncoming ? propagator.extract(Context.root(), request.getHeaders(), HEADERS)
                : Context.root();
        // a method HTTP does not define is "_OTHER", and the span's name says HTTP (semantic conventions)
        String method = request.getHeader(Exchange.HTTP_METHOD, String.class);
        boolean known = method != null && HTTP_METHODS.contains(method);
        Span span = tracer.spanBuilder((known ? method : "HTTP") + " " + route).setSpanKind(SpanKind.SERVER)
                .setParent(parent)
                .setAttribute("http.request.method", known ? method : "_OTHER")
                .setAttribute("http.route", route)
                .setAttribute("url.path", route)
                .startSpan();
        exchange.setProperty(ExchangeProperties.TRACE_SPAN, span);
        Map<String, Object> context = new LinkedHashMap<>(4);
        propagator.inject(Context.root().with(span), context, (carrier, key, value) -> carrier.put(key, value));
        exchange.setProperty(ExchangeProperties.TRACE_CONTEXT, context);
        exchange.getExchangeExtension().addOnCompletion(new Synchronization() {
            @Override
            public void onComplete(Exchange done) {
                answered(done, span);
            }

            @Override
            public void onFailure(Exchange done) {
                answered(done, span);
            }
        });
    }

    private static void answered(Exchange exchange, Span span) {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status == null && exchange.getException() != null) {
            status = 500;
        }
        if (status != null) {
            span.setAttribute("http.response.status_code", status);
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
                span.setAttribute("error.type", Integer.toString(status));
            }
        }
        Object eventType = exchange.getProperty(ExchangeProperties.EVENT_TYPE);
        if (eventType instanceof Number number) {
            span.setAttribute("css.event_type", number.longValue());
        }
        setIfPresent(span, "client.address", exchange.getProperty(ExchangeProperties.SOURCE_ADDRESS, String.class));
        setIfPresent(span, "css.verdict", exchange.getProperty(ExchangeProperties.VERDICT, String.class));
        setIfPresent(span, "css.reason", exchange.getProperty(ExchangeProperties.REASON, String.class));
        setIfPresent(span, "css.message_id", exchange.getProperty(ExchangeProperties.EVENT_ID, String.class));
        Callback callback = exchange.getProperty(ExchangeProperties.CALLBACK, Callback.class);
        if (callback != null) {
            setIfPresent(span, "css.stream_id", callback.streamId());
        }
        span.end();
    }

    private static void setIfPresent(Span span, String name, String value) {
        if (value != null) {
            span.setAttribute(name, value);
        }
    }

    /** The callback's span of this exchange, or null (tracing off, or no callback behind it). */
    static Span callbackSpan(Exchange exchange) {
        Object span = exchange.getProperty(ExchangeProperties.TRACE_SPAN);
        return span instanceof Span callback ? callback : null;
    }

    // ---------------------------------------------------------------- spans within

    /**
     * A span within the exchange's callback (its child), or, for an exchange no callback started, a span of its own;
     * null with tracing off. The caller ends it ({@link #end(Span, Throwable)}).
     */
    public Span start(Exchange exchange, String name, SpanKind kind) {
        return tracer == null ? null : within(exchange, name, kind).startSpan();
    }

    /** A span of this name and kind, within the exchange's callback if it has one (else a trace of its own). */
    private SpanBuilder within(Exchange exchange, String name, SpanKind kind) {
        Span callback = exchange == null ? null : callbackSpan(exchange);
        SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(kind);
        return callback != null ? builder.setParent(Context.root().with(callback)) : builder.setNoParent();
    }

    /**
     * A span within the one current on this thread (a database query within the de-duplication), or null with
     * tracing off or none current. The caller ends it.
     */
    public Span startWithinCurrent(String name, SpanKind kind) {
        if (tracer == null || !Span.current().getSpanContext().isValid()) {
            return null;
        }
        return tracer.spanBuilder(name).setSpanKind(kind).startSpan();
    }

    /**
     * A span of its own for a step of a route, within the exchange's callback if one started it, linked to each
     * trace context given ({@code traceparent} values: the events an alert tells of); null with tracing off.
     */
    public Span startLinked(Exchange exchange, String name, Collection<String> traceparents) {
        if (tracer == null) {
            return null;
        }
        SpanBuilder builder = within(exchange, name, SpanKind.INTERNAL);
        if (traceparents != null) {
            for (String traceparent : traceparents) {
                SpanContext linked = contextOf(traceparent == null ? Map.of() : Map.of(TRACEPARENT, traceparent));
                if (linked != null) {
                    builder.addLink(linked);
                }
            }
        }
        return builder.startSpan();
    }

    /** Ends a span this class started (null: none was); a failure marks it as failed, with its type and message. */
    public static void end(Span span, Throwable failure) {
        if (span == null) {
            return;
        }
        if (failure != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
            span.setAttribute("error.type", failure.getClass().getName());
        }
        span.end();
    }

    // ---------------------------------------------------------------- the publish, and the context in the message

    /**
     * The producer span of one publish (messaging semantic conventions: {@code messaging.system=rabbitmq}, the
     * exchange, the routing key, the message id): within the exchange's callback when it has one; otherwise a trace
     * of its own, linked to the trace context found in the event's own headers (a spooled event keeps its
     * callback's) or else in the headers of the message the exchange took (the event a stream-state change follows).
     * Null with tracing off.
     *
     * @param exchange the exchange publishing, or null (a replay)
     */
    public Span startPublish(Exchange exchange, OutgoingEvent event, String destination) {
        if (tracer == null) {
            return null;
        }
        SpanBuilder builder = within(exchange, "publish " + destination, SpanKind.PRODUCER)
                .setAttribute("messaging.system", "rabbitmq")
                .setAttribute("messaging.operation.type", "send")
                .setAttribute("messaging.operation.name", "publish")
                .setAttribute("messaging.destination.name", destination)
                .setAttribute("messaging.rabbitmq.destination.routing_key", event.routingKey())
                .setAttribute("messaging.message.id", event.messageId())
                .setAttribute("messaging.message.body.size", (long) event.body().length);
        if (exchange == null || callbackSpan(exchange) == null) {
            SpanContext linked = contextOf(event.headers());
            if (linked == null && exchange != null) {
                linked = contextOf(exchange.getMessage().getHeaders());
            }
            if (linked != null) {
                builder.addLink(linked);
            }
        }
        return builder.startSpan();
    }

    /**
     * The event with the span's trace context in its headers ({@code traceparent}, {@code tracestate} when there is
     * one), replacing any it had; the event itself when span is null.
     */
    public OutgoingEvent carrying(OutgoingEvent event, Span span) {
        if (span == null) {
            return event;
        }
        Map<String, Object> headers = new LinkedHashMap<>(event.headers());
        headers.remove(TRACEPARENT);
        headers.remove(TRACESTATE);
        propagator.inject(Context.root().with(span), headers, (carrier, key, value) -> carrier.put(key, value));
        return new OutgoingEvent(event.routingKey(), event.messageId(), event.timestamp(), headers, event.body());
    }

    /** The trace context in these headers ({@code traceparent}), or null when there is none or it is malformed. */
    SpanContext contextOf(Map<String, Object> headers) {
        if (headers == null || !headers.containsKey(TRACEPARENT)) {
            return null;
        }
        SpanContext context = Span.fromContext(propagator.extract(Context.root(), headers, HEADERS)).getSpanContext();
        return context.isValid() ? context : null;
    }
}
