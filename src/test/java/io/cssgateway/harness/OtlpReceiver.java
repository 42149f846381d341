package io.cssgateway.harness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A local OTLP/HTTP collector, as the OTLP specification says one answers: {@code POST /v1/traces} with an
 * {@code application/x-protobuf} body (an ExportTraceServiceRequest, decoded with the opentelemetry-proto classes),
 * answered 200 with an ExportTraceServiceResponse. Anything else is a 4xx and counted as a bad request. Keeps every
 * span with its resource's attributes.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** One span as received, its ids in hex and its attributes as text. */
    public record Received(String traceId, String spanId, String parentSpanId, String name, Span.SpanKind kind,
            Map<String, String> attributes, List<String> linkedSpanIds, List<String> linkedTraceIds,
            boolean failed, Map<String, String> resource) {

        public String attribute(String name) {
            return attributes.get(name);
        }
    }

    private final HttpServer server;
    private final List<Received> spans = new CopyOnWriteArrayList<>();
    private final List<String> badRequests = new CopyOnWriteArrayList<>();

    public OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The endpoint to give as OTEL_EXPORTER_OTLP_ENDPOINT. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().equals("/v1/traces")
                    || !"application/x-protobuf".equals(type)) {
                badRequests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + type);
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            ExportTraceServiceRequest request;
            try {
                request = ExportTraceServiceRequest.parseFrom(body);
            } catch (IOException notProtobuf) {
                badRequests.add("undecodable: " + notProtobuf);
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
                Map<String, String> resource = text(resourceSpans.getResource().getAttributesList());
                for (ScopeSpans scope : resourceSpans.getScopeSpansList()) {
                    for (Span span : scope.getSpansList()) {
                        spans.add(new Received(hex(span.getTraceId().toByteArray()),
                                hex(span.getSpanId().toByteArray()), hex(span.getParentSpanId().toByteArray()),
                                span.getName(), span.getKind(), text(span.getAttributesList()),
                                span.getLinksList().stream().map(l -> hex(l.getSpanId().toByteArray())).toList(),
                                span.getLinksList().stream().map(l -> hex(l.getTraceId().toByteArray())).toList(),
                                span.getStatus().getCode() == io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR,
                                resource));
                    }
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static Map<String, String> text(List<KeyValue> attributes) {
        Map<String, String> text = new java.util.LinkedHashMap<>();
        for (KeyValue attribute : attributes) {
            AnyValue value = attribute.getValue();
            text.put(attribute.getKey(), switch (value.getValueCase()) {
                case STRING_VALUE -> value.getStringValue();
                case INT_VALUE -> Long.toString(value.getIntValue());
                case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
                case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
                default -> value.toString();
            });
        }
        return text;
    }

    public List<Received> spans() {
        return new ArrayList<>(spans);
    }

    public List<String> badRequests() {
        return new ArrayList<>(badRequests);
    }

    /** The first span received that matches, waiting for it up to {@code timeout}; fails the test otherwise. */
    public Received await(Predicate<Received> wanted, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Received span : spans) {
                if (wanted.test(span)) {
                    return span;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no span " + what + " within " + timeout + "; received: " + spans.stream()
                .map(s -> s.name() + " " + s.attributes()).toList());
    }

    /** The spans of one trace received so far. */
    public List<Received> ofTrace(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
