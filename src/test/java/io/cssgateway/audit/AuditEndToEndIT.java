package io.cssgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.GatewayTestSupport;
import io.cssgateway.harness.TestCallbacks;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The audit log of the running gateway: one line per request, whatever its answer, and nothing secret in it. */
class AuditEndToEndIT extends GatewayTestSupport {

    @Override
    protected boolean brokerThroughProxy() {
        return true;
    }

    @Override
    protected Properties moreProperties() {
        Properties properties = new Properties();
        properties.setProperty("gateway.audit.rabbitmq.enabled", "true");
        return properties;
    }

    private Path auditDir() {
        return dataDir.resolve("audit");
    }

    private List<String> auditLines() throws IOException {
        if (!Files.isDirectory(auditDir())) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(auditDir())) {
            for (Path file : files.sorted().toList()) {
                lines.addAll(Files.readAllLines(file));
            }
        }
        return lines;
    }

    /** Sends one request and returns the one audit line it added, checking it added exactly one. */
    private JsonNode lineOf(RequestSender request, int expectedStatus) throws Exception {
        int before = auditLines().size();
        HttpResponse<String> answer = request.send();
        assertThat(answer.statusCode()).isEqualTo(expectedStatus);
        // the line is written before the answer is sent: no waiting
        List<String> after = auditLines();
        assertThat(after).hasSize(before + 1);
        JsonNode line = json.readTree(after.get(after.size() - 1));
        assertThat(line.get("http_status").asInt()).isEqualTo(expectedStatus);
        assertThat(line.get("remote_addr").asText()).isEqualTo("127.0.0.1");
        assertThat(Instant.parse(line.get("received_at").asText())).isBetween(
                Instant.now().minusSeconds(10), Instant.now());
        return line;
    }

    interface RequestSender {
        HttpResponse<String> send() throws Exception;
    }

    @Test
    void oneCorrectLinePerRequestForEveryRowOfTheAnswerTable() throws Exception {
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY);
        JsonNode accepted = lineOf(() -> post(push.asString()), 200);
        assertThat(accepted.get("verdict").asText()).isEqualTo("accepted");
        assertThat(accepted.get("reason").isNull()).isTrue();
        assertThat(accepted.get("event_id").asText()).isEqualTo("1:" + push.text("sequence"));
        assertThat(accepted.get("event_type").asInt()).isEqualTo(1);
        assertThat(accepted.get("event").asText()).isEqualTo("push");
        assertThat(accepted.get("stream_id").asText()).isEqualTo("test_stream");
        assertThat(accepted.get("app").asText()).isEqualTo("test.domain.com");
        assertThat(accepted.get("sequence").asText()).isEqualTo(push.text("sequence"));
        assertThat(accepted.get("errcode").asInt()).isZero();
        assertThat(accepted.get("routing_key").asText()).isEqualTo("stream.push");
        assertThat(accepted.get("body").get("idc_id").asInt()).isEqualTo(34);
        assertThat(accepted.get("body").has("sign")).isFalse();

        JsonNode duplicate = lineOf(() -> post(push.asString()), 200);
        assertThat(duplicate.get("verdict").asText()).isEqualTo("duplicate");
        assertThat(duplicate.get("event_id").asText()).isEqualTo("1:" + push.text("sequence"));

        TestCallbacks interruption = TestCallbacks.sample("0-interrupt.doc.json").withUniqueSequence()
                .with("errcode", 19).freshlySignedWith(KEY);
        JsonNode interrupted = lineOf(() -> post(interruption.asString()), 200);
        assertThat(interrupted.get("category").asText()).isEqualTo("third-party-auth");
        assertThat(interrupted.get("routing_key").asText()).isEqualTo("stream.interrupt.third-party-auth");
        assertThat(interrupted.get("errcode").asInt()).isEqualTo(19);

        assertRejected(lineOf(() -> post("{\"event_type\":1"), 400), "malformed");
        assertRejected(lineOf(() -> post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .freshlySignedWith("wrong-key").asString()), 401), "bad-signature");
        assertRejected(lineOf(() -> post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .signedAt(Instant.now().getEpochSecond() - 100).signedWith(KEY).asString()), 401), "expired");
        assertRejected(lineOf(() -> http.send(HttpRequest.newBuilder(endpoint()).GET().build(),
                HttpResponse.BodyHandlers.ofString()), 405), "method-not-allowed");
        assertRejected(lineOf(() -> post("{\"event_type\":1,\"pad\":\"" + "x".repeat(70_000) + "\"}"), 413),
                "too-large");
        assertRejected(lineOf(() -> post(push.asString(), "text/plain"), 415), "unsupported-media-type");

        proxy.cut();
        try {
            JsonNode spooled = lineOf(() -> post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                    .freshlySignedWith(KEY).asString()), 200);
            assertThat(spooled.get("verdict").asText()).isEqualTo("accepted");
            try (AutoCloseable restore = spoolMadeUnwritable()) {
                JsonNode unavailable = lineOf(() -> post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                        .freshlySignedWith(KEY).asString()), 503);
                assertRejected(unavailable, "unavailable");
                assertThat(unavailable.get("routing_key").asText()).isEqualTo("stream.push");
            }
        } finally {
            proxy.restore();
        }
        awaitEmptySpool(10_000);
    }

    private static void assertRejected(JsonNode line, String reason) {
        assertThat(line.get("verdict").asText()).isEqualTo("rejected");
        assertThat(line.get("reason").asText()).isEqualTo(reason);
    }

    @Test
    void manyParallelRequestsGiveExactlyAsManyValidLines() throws Exception {
        int before = auditLines().size();
        int threads = 32;
        int perThread = 60;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            statuses.add(pool.submit(() -> {
                int ok = 0;
                for (int i = 0; i < perThread; i++) {
                    // a mix of accepted events and refusals, with bodies of different lengths
                    String body = (i + thread) % 3 == 0
                            ? TestCallbacks.sample("1-push.doc.json").withUniqueSequence().with("pad", "p".repeat(i * 37))
                                    .freshlySignedWith("wrong-key").asString()
                            : TestCallbacks.sample("0-interrupt.doc.json").withUniqueSequence()
                                    .with("pad", "q".repeat(i * 53)).freshlySignedWith(KEY).asString();
                    ok += post(body).statusCode() == 200 ? 1 : 0;
                }
                return ok;
            }));
        }
        int accepted = 0;
        for (Future<Integer> f : statuses) {
            accepted += f.get();
        }
        pool.shutdown();

        List<String> lines = auditLines();
        assertThat(lines).hasSize(before + threads * perThread);
        int acceptedLines = 0;
        for (String line : lines.subList(before, lines.size())) {
            JsonNode parsed = json.readTree(line);
            acceptedLines += parsed.get("verdict").asText().equals("accepted") ? 1 : 0;
        }
        assertThat(acceptedLines).isEqualTo(accepted).isGreaterThan(0);
    }

    @Test
    void hostileInputsLeaveNoSignInTheFiles() throws Exception {
        String sign = TestCallbacks.md5Hex("anything");
        TestCallbacks valid = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY);
        List<String> bodies = List.of(
                valid.asString(),
                "{\"event_type\":1,\"t\":1,\"sign\":{\"nested\":\"" + sign + "\"}}",
                "{\"event_type\":1,\"t\":1,\"sign\":[\"" + sign + "\"]}",
                "{\"event_type\":1,\"t\":1,\"sign\":\"" + sign + "\",\"sign\":\"" + sign + "\"}",
                "{\"event_type\":1,\"t\":1,\"inner\":{\"sign\":\"" + sign + "\"},\"sign\":\"" + sign + "\"}",
                "{\"event_type\":1,\"t\":1,\"sign\":\"" + sign + "\"",
                "not json at all, sign=" + sign,
                "{\"event_type\":1,\"note\":\"" + KEY + "\",\"t\":1,\"sign\":\"" + sign + "\"}");
        for (String body : bodies) {
            post(body);
        }
        String all = String.join("\n", auditLines());
        assertThat(all).doesNotContain(sign).doesNotContain(valid.text("sign")).doesNotContain(KEY);
        assertThat(all).contains(valid.text("sequence"));
    }

    @Test
    void anAuditThatCannotBeWrittenLosesNoEvent() throws Exception {
        AuditLog auditLog = context.getRegistry().lookupByNameAndType("auditLog", AuditLog.class);
        String queue = broker.bindQueue(exchange, "stream.#");
        Path moved = dataDir.resolve("audit-moved");
        Files.move(auditDir(), moved);
        Files.writeString(auditDir(), "a file where the audit folder should be");
        long failuresBefore = auditLog.failures();
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY);
        try {
            HttpResponse<String> answer = post(push.asString());

            assertThat(answer.statusCode()).isEqualTo(200);
            GetResponse message = broker.next(queue, Duration.ofSeconds(5));
            assertThat(message).isNotNull();
            assertThat(message.getProps().getMessageId()).isEqualTo("1:" + push.text("sequence"));
            assertThat(auditLog.failures()).isEqualTo(failuresBefore + 1);
            assertThat(Files.readString(testLog())).contains("Audit line not written");
        } finally {
            Files.delete(auditDir());
            Files.move(moved, auditDir());
        }
        int before = auditLines().size();
        assertThat(post(push.asString()).statusCode()).isEqualTo(200);
        assertThat(auditLines()).hasSize(before + 1);
    }

    @Test
    void auditLinesAreAlsoPublishedUnderAuditVerdict() throws Exception {
        String queue = broker.bindQueue(exchange, "audit.#");
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY);
        String rejectedMarker = "not-an-object-" + UUID.randomUUID();
        post(push.asString());
        post(push.asString());
        post("[\"" + rejectedMarker + "\"]");

        // lines of earlier tests may still be on their way to the exchange: keep this test's own
        List<String> keys = new ArrayList<>();
        for (int read = 0; keys.size() < 3 && read < 50; read++) {
            GetResponse message = broker.next(queue, Duration.ofSeconds(5));
            assertThat(message).as("audit lines published so far: %s", keys).isNotNull();
            JsonNode line = json.readTree(message.getBody());
            assertThat("audit." + line.get("verdict").asText()).isEqualTo(message.getEnvelope().getRoutingKey());
            boolean ours = push.text("sequence").equals(line.path("sequence").asText())
                    || line.path("body").toString().contains(rejectedMarker);
            if (ours) {
                keys.add(message.getEnvelope().getRoutingKey());
            }
        }
        // one line per verdict; their order on the queue is not promised (each is its own publish, off the request
        // path, and the lines carry their time)
        assertThat(keys).containsExactlyInAnyOrder("audit.accepted", "audit.duplicate", "audit.rejected");
    }
}
