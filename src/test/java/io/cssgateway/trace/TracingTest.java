package io.cssgateway.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.support.ExchangeProperties;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The spans and the trace context in messages, with spans kept in memory; the exporter's setup and its drops. */
class TracingTest {

    private static final String INCOMING = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported)).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
    private final CamelContext camel = new DefaultCamelContext();

    @AfterEach
    void close() {
        sdk.close();
    }

    private Exchange request(Map<String, Object> headers) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        exchange.getMessage().getHeaders().putAll(headers);
        return exchange;
    }

    /** What the route's unit of work does once the answer is made: runs the exchange's completions. */
    private static void answered(Exchange exchange) {
        exchange.getExchangeExtension().handoverCompletions().forEach(done -> done.onComplete(exchange));
    }

    private static OutgoingEvent event(Map<String, Object> headers) {
        return new OutgoingEvent("stream.push", "1:42", 0, headers, "{}".getBytes(StandardCharsets.UTF_8));
    }

    private SpanData only(String name) {
        List<SpanData> named = exported.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).as("spans named " + name).hasSize(1);
        return named.get(0);
    }

    @Test
    void offMakesNoSpanAndAddsNoHeader() {
        Tracing off = Tracing.off();
        Exchange exchange = request(Map.of());
        off.process(exchange);
        assertThat(exchange.getProperties()).doesNotContainKeys(ExchangeProperties.TRACE_SPAN,
                ExchangeProperties.TRACE_CONTEXT);
        OutgoingEvent event = event(Map.of("css_event_type", 1));
        assertThat(off.carrying(event, off.startPublish(exchange, event, "css.events"))).isSameAs(event);
        assertThat(off.start(exchange, "dedup", SpanKind.INTERNAL)).isNull();
        assertThat(off.droppedSpans()).isZero();
    }

    @Test
    void theCallbacksSpanEndsWithItsAnswerAndWhatTheIntakeFound() {
        Tracing tracing = Tracing.on(sdk, false, "/callbacks/tencent/css");
        Exchange exchange = request(Map.of(Tracing.TRACEPARENT, INCOMING));
        tracing.process(exchange);
        @SuppressWarnings("unchecked")
        Map<String, Object> context = exchange.getProperty(ExchangeProperties.TRACE_CONTEXT, Map.class);
        assertThat(context.get(Tracing.TRACEPARENT).toString()).startsWith("00-");
        exchange.setProperty(ExchangeProperties.EVENT_TYPE, 1);
        exchange.setProperty(ExchangeProperties.VERDICT, "rejected");
        exchange.setProperty(ExchangeProperties.REASON, "bad-signature");
        exchange.setProperty(ExchangeProperties.EVENT_ID, "1:42");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 401);
        answered(exchange);

        SpanData span = only("POST /callbacks/tencent/css");
        assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
        // not trusted: the caller's traceparent starts nothing
        assertThat(span.getParentSpanContext().isValid()).isFalse();
        assertThat(span.getTraceId()).isNotEqualTo(INCOMING.split("-")[1]);
        assertThat(span.getAttributes().asMap().toString()).contains("http.response.status_code=401",
                "css.event_type=1", "css.verdict=rejected", "css.reason=bad-signature", "css.message_id=1:42",
                "http.request.method=POST");
        // a refusal is not the gateway's error
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(context.get(Tracing.TRACEPARENT).toString()).contains(span.getSpanId());
    }

    @Test
    void aTrustedCallerContinuesItsTrace() {
        Tracing tracing = Tracing.on(sdk, true, "/cb");
        Exchange exchange = request(Map.of(Tracing.TRACEPARENT, INCOMING));
        tracing.process(exchange);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 503);
        answered(exchange);
        SpanData span = only("POST /cb");
        assertThat(span.getTraceId()).isEqualTo(INCOMING.split("-")[1]);
        assertThat(span.getParentSpanId()).isEqualTo(INCOMING.split("-")[2]);
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    }

    @Test
    void aPublishWithinACallbackIsItsChildAndTheMessageCarriesThePublishSpan() {
        Tracing tracing = Tracing.on(sdk, false, "/cb");
        Exchange exchange = request(Map.of());
        tracing.process(exchange);
        OutgoingEvent event = event(Map.of("css_event_type", 1, Tracing.TRACEPARENT, INCOMING));
        Span publish = tracing.startPublish(exchange, event, "css.events");
        OutgoingEvent carried = tracing.carrying(event, publish);
        Tracing.end(publish, null);

        SpanData span = only("publish css.events");
        assertThat(span.getKind()).isEqualTo(SpanKind.PRODUCER);
        Span callback = (Span) exchange.getProperty(ExchangeProperties.TRACE_SPAN);
        assertThat(span.getParentSpanId()).isEqualTo(callback.getSpanContext().getSpanId());
        assertThat(span.getLinks()).isEmpty();
        assertThat(span.getAttributes().asMap().toString()).contains("messaging.system=rabbitmq",
                "messaging.destination.name=css.events", "messaging.rabbitmq.destination.routing_key=stream.push",
                "messaging.message.id=1:42");
        // the event's own context replaced by the publish span's; the other headers kept, in order
        assertThat(carried.headers().get(Tracing.TRACEPARENT).toString()).startsWith("00-" + span.getTraceId() + "-"
                + span.getSpanId() + "-");
        assertThat(carried.headers().keySet()).startsWith("css_event_type");
        assertThat(carried.body()).isEqualTo(event.body());
    }

    @Test
    void aPublishWithoutACallbackLinksToTheEventsContextElseToTheMessageThatCausedIt() {
        Tracing tracing = Tracing.on(sdk, false, "/cb");
        // a spooled event drained: the context it was kept with
        Exchange drain = new DefaultExchange(camel);
        Tracing.end(tracing.startPublish(drain, event(Map.of(Tracing.TRACEPARENT, INCOMING)), "drained"), null);
        SpanData drained = only("publish drained");
        assertThat(drained.getParentSpanContext().isValid()).isFalse();
        assertThat(drained.getLinks()).singleElement().satisfies(link ->
                assertThat(link.getSpanContext().getSpanId()).isEqualTo(INCOMING.split("-")[2]));

        // a stream-state change: the event it follows, in the headers of the message taken
        Exchange consumed = new DefaultExchange(camel);
        consumed.getMessage().setHeader(Tracing.TRACEPARENT, INCOMING);
        Tracing.end(tracing.startPublish(consumed, event(Map.of()), "state"), null);
        assertThat(only("publish state").getLinks()).singleElement().satisfies(link ->
                assertThat(link.getSpanContext().getTraceId()).isEqualTo(INCOMING.split("-")[1]));

        // a malformed context links to nothing, and fails nothing
        Map<String, Object> malformed = new LinkedHashMap<>();
        malformed.put(Tracing.TRACEPARENT, "00-not-a-trace-01");
        Tracing.end(tracing.startPublish(null, event(malformed), "malformed"), null);
        assertThat(only("publish malformed").getLinks()).isEmpty();
    }

    @Test
    void aFailedSpanSaysWhy() {
        Tracing tracing = Tracing.on(sdk, false, "/cb");
        Span span = tracing.start(new DefaultExchange(camel), "spool", SpanKind.INTERNAL);
        Tracing.end(span, new IllegalStateException("disk full"));
        SpanData failed = only("spool");
        assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(failed.getStatus().getDescription()).isEqualTo("disk full");
        assertThat(failed.getEvents()).anyMatch(e -> e.getName().equals("exception"));
    }

    @Test
    void anAlertMailLinksToEachEventItTellsOf() {
        Tracing tracing = Tracing.on(sdk, false, "/cb");
        String other = "00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-00";
        Tracing.end(tracing.startLinked(new DefaultExchange(camel), "alert-mail", List.of(INCOMING, other, "junk")),
                null);
        assertThat(only("alert-mail").getLinks()).hasSize(2);
    }

    @Test
    void anExporterOtherThanHttpProtobufIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> TraceExport.start(Map.of("otel.exporter.otlp.protocol", "grpc")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("otel.exporter.otlp.protocol (OTEL_EXPORTER_OTLP_PROTOCOL) is grpc")
                .hasMessageContaining("http/protobuf");
    }

    @Test
    void spansBeyondTheExportQueueAreDroppedAndCounted() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (TraceExport export = TraceExport.start(Map.of("otel.exporter.otlp.endpoint", "http://127.0.0.1:" + closed,
                "otel.bsp.max.queue.size", "4", "otel.bsp.max.export.batch.size", "4",
                "otel.bsp.schedule.delay", "60000", "otel.exporter.otlp.timeout", "1000"))) {
            Tracing tracing = Tracing.on(export, false, "/cb");
            assertThat(export.dropped()).isZero();
            for (int i = 0; i < 100; i++) {
                Tracing.end(tracing.start(new DefaultExchange(camel), "span-" + i, SpanKind.INTERNAL), null);
            }
            assertThat(tracing.droppedSpans()).isGreaterThan(0);
        }
    }
}
