package io.cssgateway.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.Mailbox;
import io.cssgateway.harness.OtlpReceiver;
import io.cssgateway.harness.OtlpReceiver.Received;
import io.cssgateway.harness.SharedDatabase;
import io.cssgateway.harness.TcpProxy;
import io.cssgateway.harness.TestCallbacks;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracing in the packaged gateway, standalone, with the real RabbitMQ and PostgreSQL (the shared de-duplication) and
 * a local OTLP/HTTP collector ({@link OtlpReceiver}, decoding protobuf): the spans of a callback published, a
 * duplicate, one refused, one spooled then drained (the drain's publish linked to the callback's span); the message
 * on RabbitMQ carries a traceparent of the callback's trace, which a consumer continues; the trace ids in the JSON
 * log line of a refusal; a collector that is down costs the callbacks nothing, and spans beyond the export queue are
 * dropped and counted.
 */
class TracingIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "tracing-key-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String PATH = "POST /callbacks/tencent/css";
    private static final TextMapGetter<Map<String, Object>> AMQP_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, Object> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, Object> carrier, String key) {
            Object value = carrier.get(key);
            return value == null ? null : value.toString();
        }
    };

    @TempDir
    Path dir;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String exchange = "css.events.tracing-" + run;
    private final String seenTable = SharedDatabase.uniqueTable("seen_tracing");
    private final String alerts = "css.alerts.tracing-" + run;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        try (BrokerProbe broker = new BrokerProbe()) {
            broker.deleteGatewayTopology(exchange);
            broker.deleteQueue(alerts);
        }
        SharedDatabase.drop(seenTable);
    }

    private <T extends AutoCloseable> T opened(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    private GatewayProcess gateway(int port, String rabbitmq, Map<String, String> otel, String... more)
            throws Exception {
        Map<String, String> environment = new HashMap<>(otel);
        environment.put("CSS_CALLBACK_KEYS", KEY);
        List<String> options = new ArrayList<>(List.of("-Dcamel.server.port=" + port, "-Dgateway.rabbitmq.exchange=" + exchange,
                "-Dgateway.rabbitmq.addresses=" + rabbitmq, "-Dgateway.rabbitmq.confirm-timeout-ms=1000",
                "-Dgateway.rabbitmq.watch-interval-ms=500", "-Dgateway.spool.drain-interval-ms=300",
                "-Dgateway.spool.dir=" + dir.resolve("spool-" + port),
                "-Dgateway.dedup.store=jdbc", "-Dgateway.dedup.jdbc.url=" + SharedDatabase.URL,
                "-Dgateway.dedup.jdbc.username=" + SharedDatabase.USER, "-Dgateway.dedup.jdbc.table=" + seenTable,
                // every new identity asked of PostgreSQL, as when memory cannot answer: its query is a span
                "-Dgateway.dedup.jdbc.memory-window-seconds=0",
                "-Dgateway.log.format=json", "-Dgateway.tracing.enabled=true"));
        options.addAll(List.of(more));
        return opened(GatewayProcess.start(Files.createDirectories(dir.resolve("gateway-" + port)), environment,
                options.toArray(String[]::new))).awaitStarted();
    }

    private static Map<String, String> exportingTo(String endpoint, String... more) {
        Map<String, String> otel = new HashMap<>(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint,
                "OTEL_BSP_SCHEDULE_DELAY", "100", "OTEL_SERVICE_NAME", "css-gateway-tracing-it"));
        for (int i = 0; i < more.length; i += 2) {
            otel.put(more[i], more[i + 1]);
        }
        return otel;
    }

    private static String push(String stream) {
        return TestCallbacks.sample("1-push.doc.json").withUniqueSequence().with("stream_id", stream)
                .freshlySignedWith(KEY).asString();
    }

    private static String serverSpanOf(OtlpReceiver collector, String stream) throws InterruptedException {
        return collector.await(s -> s.name().equals(PATH) && stream.equals(s.attribute("css.stream_id")),
                Duration.ofSeconds(10), "for the callback of " + stream).traceId();
    }

    private static Received child(OtlpReceiver collector, Received parent, String name) throws InterruptedException {
        return collector.await(s -> s.parentSpanId().equals(parent.spanId()) && s.name().startsWith(name),
                Duration.ofSeconds(10), name + " within " + parent.name());
    }

    @Test
    void aCallbacksTraceGoesFromItsRequestToTheConsumerAndTheSpoolsDrainLinksToIt() throws Exception {
        OtlpReceiver collector = opened(new OtlpReceiver());
        TcpProxy proxy = opened(new TcpProxy(5672));
        BrokerProbe broker = opened(new BrokerProbe());
        int port = GatewayProcess.freePort();
        GatewayProcess gateway = gateway(port, "127.0.0.1:" + proxy.port(), exportingTo(collector.endpoint()));
        String queue = broker.bindQueue(exchange, "stream.#");

        // published: the request's span and its children; the message carries the publish span's context
        String stream = "trace-" + run;
        String body = push(stream);
        assertThat(gateway.post(port, body).statusCode()).isEqualTo(200);
        GetResponse message = broker.next(queue, Duration.ofSeconds(5));
        assertThat(message).isNotNull();
        Map<String, Object> headers = message.getProps().getHeaders();
        assertThat(headers).containsKey("traceparent");
        String[] traceparent = headers.get("traceparent").toString().split("-");

        Received request = collector.await(s -> s.name().equals(PATH) && stream.equals(s.attribute("css.stream_id"))
                && "accepted".equals(s.attribute("css.verdict")), Duration.ofSeconds(10), "of the accepted callback");
        assertThat(request.kind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);
        assertThat(request.traceId()).isEqualTo(traceparent[1]);
        assertThat(request.attributes()).containsEntry("http.request.method", "POST")
                .containsEntry("http.response.status_code", "200").containsEntry("css.event_type", "1")
                .containsEntry("css.message_id", message.getProps().getMessageId());
        assertThat(request.resource()).containsEntry("service.name", "css-gateway-tracing-it");
        assertThat(child(collector, request, "signature").failed()).isFalse();
        Received dedup = child(collector, request, "dedup");
        assertThat(dedup.attributes()).containsEntry("css.duplicate", "false");
        Received query = child(collector, dedup, "SELECT " + seenTable);
        assertThat(query.kind()).isEqualTo(SpanKind.SPAN_KIND_CLIENT);
        assertThat(query.attributes()).containsEntry("db.system.name", "postgresql")
                .containsEntry("db.collection.name", seenTable).containsEntry("db.operation.name", "SELECT")
                .containsEntry("server.address", "127.0.0.1").containsEntry("server.port", "5432");
        Received publish = child(collector, request, "publish " + exchange);
        assertThat(publish.kind()).isEqualTo(SpanKind.SPAN_KIND_PRODUCER);
        assertThat(publish.spanId()).isEqualTo(traceparent[2]);
        assertThat(publish.attributes()).containsEntry("messaging.system", "rabbitmq")
                .containsEntry("messaging.destination.name", exchange)
                .containsEntry("messaging.rabbitmq.destination.routing_key", "stream.push")
                .containsEntry("messaging.message.id", message.getProps().getMessageId());

        // a consumer continues the trace from the message's headers
        InMemorySpanExporter consumed = InMemorySpanExporter.create();
        try (OpenTelemetrySdk consumer = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(consumed)).build()).build()) {
            Context context = W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, AMQP_HEADERS);
            Span process = consumer.getTracer("consumer").spanBuilder("process stream.push").setParent(context)
                    .setSpanKind(io.opentelemetry.api.trace.SpanKind.CONSUMER).startSpan();
            process.end();
            SpanData span = consumed.getFinishedSpanItems().get(0);
            assertThat(span.getTraceId()).isEqualTo(request.traceId());
            assertThat(span.getParentSpanId()).isEqualTo(publish.spanId());
        }

        // a duplicate: its own trace, the de-duplication found it, nothing published
        assertThat(gateway.post(port, body).statusCode()).isEqualTo(200);
        Received duplicate = collector.await(s -> s.name().equals(PATH) && "duplicate".equals(s.attribute("css.verdict")),
                Duration.ofSeconds(10), "of the duplicate");
        assertThat(duplicate.traceId()).isNotEqualTo(request.traceId());
        assertThat(child(collector, duplicate, "dedup").attributes()).containsEntry("css.duplicate", "true");
        Thread.sleep(500);
        assertThat(collector.ofTrace(duplicate.traceId())).noneMatch(s -> s.name().startsWith("publish"));

        // refused: the signature's span failed, the answer 401, the log line carries the trace ids
        String forged = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().with("stream_id", stream + "-forged")
                .freshlySignedWith("not-the-key-0123456789").asString();
        assertThat(gateway.post(port, forged).statusCode()).isEqualTo(401);
        Received refused = collector.await(s -> s.name().equals(PATH) && "rejected".equals(s.attribute("css.verdict")),
                Duration.ofSeconds(10), "of the refusal");
        assertThat(refused.attributes()).containsEntry("http.response.status_code", "401")
                .containsEntry("css.reason", "bad-signature");
        assertThat(child(collector, refused, "signature").failed()).isTrue();
        JsonNode logLine = null;
        for (String line : gateway.output().split("\n")) {
            if (line.startsWith("{") && line.contains("refused with 401")) {
                logLine = JSON.readTree(line);
            }
        }
        assertThat(logLine).as("the refusal's JSON log line").isNotNull();
        assertThat(logLine.path("trace.id").asText()).isEqualTo(refused.traceId());
        assertThat(logLine.path("span.id").asText()).isEqualTo(refused.spanId());

        // spooled while RabbitMQ is cut off, then drained: the drain's publish is a trace of its own linked to the
        // callback's span, and the message carries the drain's context
        proxy.cut();
        String spooledStream = stream + "-spooled";
        assertThat(gateway.post(port, push(spooledStream)).statusCode()).isEqualTo(200);
        Received spooled = collector.await(s -> s.name().equals(PATH) && spooledStream.equals(s.attribute("css.stream_id")),
                Duration.ofSeconds(10), "of the spooled callback");
        assertThat(child(collector, spooled, "spool").failed()).isFalse();
        proxy.restore();
        GetResponse drained = broker.next(queue, Duration.ofSeconds(15));
        assertThat(drained).as("the drained event").isNotNull();
        assertThat(drained.getProps().getHeaders().get("css_stream_id")).hasToString(spooledStream);
        String[] drainParent = drained.getProps().getHeaders().get("traceparent").toString().split("-");
        Received drain = collector.await(s -> s.spanId().equals(drainParent[2]), Duration.ofSeconds(10),
                "of the drain's publish");
        assertThat(drain.name()).isEqualTo("publish " + exchange);
        assertThat(drain.parentSpanId()).isEmpty();
        assertThat(drain.traceId()).isNotEqualTo(spooled.traceId());
        assertThat(drain.linkedSpanIds()).containsExactly(spooled.spanId());
        assertThat(drain.linkedTraceIds()).containsExactly(spooled.traceId());
        assertThat(collector.badRequests()).isEmpty();
    }

    @Test
    void aCollectorThatIsDownCostsTheCallbacksNothingAndSpansBeyondTheQueueAreDroppedAndCounted() throws Exception {
        BrokerProbe broker = opened(new BrokerProbe());
        // a closed port: nothing listens there
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        int port = GatewayProcess.freePort();
        GatewayProcess gateway = gateway(port, "127.0.0.1:5672", exportingTo("http://127.0.0.1:" + closed,
                "OTEL_BSP_MAX_QUEUE_SIZE", "16", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "16"));
        String queue = broker.bindQueue(exchange, "stream.#");
        long[] micros = new long[300];
        for (int i = 0; i < micros.length; i++) {
            long start = System.nanoTime();
            HttpResponse<String> answer = gateway.post(port, push("down-" + run + "-" + i));
            micros[i] = (System.nanoTime() - start) / 1000;
            assertThat(answer.statusCode()).isEqualTo(200);
        }
        Arrays.sort(micros);
        long p50 = micros[micros.length / 2];
        long p99 = micros[micros.length * 99 / 100];
        System.out.printf("collector down: 300 callbacks, p50 %d us, p99 %d us%n", p50, p99);
        assertThat(p99).as("p99 of the answers, in microseconds").isLessThan(250_000);
        assertThat(broker.drain(queue, Duration.ofMillis(500))).hasSize(300);
        // 300 callbacks make about 1,500 spans; the queue holds 16 while each export fails: most are dropped
        assertThat(gateway.metric("css_gateway_trace_spans_dropped_total")).isGreaterThan(0.0);
    }

    @Test
    void anAlertMailIsASpanLinkedToEachInterruptionItTellsOf() throws Exception {
        OtlpReceiver collector = opened(new OtlpReceiver());
        Mailbox mailbox = opened(new Mailbox());
        int port = GatewayProcess.freePort();
        GatewayProcess gateway = gateway(port, "127.0.0.1:5672", exportingTo(collector.endpoint()),
                "-Dgateway.alert.enabled=true", "-Dgateway.alert.from=css-gateway@example.com",
                "-Dgateway.alert.to=oncall@example.com", "-Dgateway.alert.window-seconds=3",
                "-Dgateway.alert.mail.kinds=interruptions", "-Dgateway.alert.queue=" + alerts,
                "-Dgateway.alert.smtp.host=127.0.0.1", "-Dgateway.alert.smtp.port=" + mailbox.port());
        List<String> publishes = new ArrayList<>();
        for (String stream : List.of("abnormal-1-" + run, "abnormal-2-" + run)) {
            TestCallbacks interruption = TestCallbacks.sample("0-interrupt.doc.json").withUniqueSequence()
                    .with("errcode", 12).with("stream_id", stream).freshlySignedWith(KEY);
            assertThat(gateway.post(port, interruption.asString()).statusCode()).isEqualTo(200);
            String messageId = "0:" + interruption.text("sequence");
            publishes.add(collector.await(s -> s.name().equals("publish " + exchange)
                    && messageId.equals(s.attribute("messaging.message.id")), Duration.ofSeconds(10),
                    "of the interruption " + messageId).spanId());
        }

        assertThat(mailbox.await(1, 15_000)).hasSize(1);
        Received mail = collector.await(s -> s.name().equals("alert-mail"), Duration.ofSeconds(10), "of the mail");
        assertThat(mail.parentSpanId()).isEmpty();
        assertThat(mail.failed()).isFalse();
        assertThat(mail.linkedSpanIds()).containsExactlyInAnyOrderElementsOf(publishes);
    }
}
