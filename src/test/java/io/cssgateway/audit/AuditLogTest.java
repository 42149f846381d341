package io.cssgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.harness.TestCallbacks;
import io.cssgateway.intake.CallbackReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuditLogTest {

    private static final String KEY = "audit-test-key-0123456789";
    private static final String SIGN = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private final ObjectMapper json = new ObjectMapper();

    private AuditLog auditLog(Path auditDir) {
        return new AuditLog(new AuditFiles(auditDir, 1 << 20, 30, Clock.systemUTC()), List.of(KEY), 200, "gw-test");
    }

    private Exchange rejected(String rawBody) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty("rawBody", rawBody.getBytes(StandardCharsets.UTF_8));
        exchange.setProperty("verdict", "rejected");
        exchange.setProperty("reason", "malformed");
        exchange.setProperty("httpStatus", 400);
        exchange.setProperty("remoteAddress", "203.0.113.7");
        return exchange;
    }

    private String writtenLines() throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                all.append(Files.readString(file));
            }
        }
        return all.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // a sign nested in objects and arrays
        "{\"event_type\":1,\"t\":1,\"data\":{\"sign\":\"" + SIGN + "\",\"list\":[{\"sign\":\"" + SIGN + "\"}]}}",
        // a sign of odd type
        "{\"event_type\":1,\"t\":1,\"sign\":{\"value\":\"" + SIGN + "\"}}",
        "{\"event_type\":1,\"t\":1,\"sign\":[\"" + SIGN + "\"]}",
        "{\"event_type\":1,\"t\":1,\"SIGN\":\"" + SIGN + "\"}",
        // two signs: the strict reader refuses the body, the audit must drop both
        "{\"event_type\":1,\"t\":1,\"sign\":\"" + SIGN + "\",\"sign\":\"fedcba9876543210fedcba9876543210\"}",
        // not JSON, but the sign is in it
        "{\"event_type\":1,\"t\":1,\"sign\":\"" + SIGN + "\"",
        "event_type=1&t=1&sign=" + SIGN,
        "sign: '" + SIGN + "'",
        "garbage " + SIGN + " garbage",
        "{\"event_type\":1,\"note\":\"" + KEY + "\"",
        "{\"event_type\":1,\"note\":\"" + KEY + "\"}",
    })
    void hostileBodiesLeaveNoSignAndNoKeyInTheLine(String body) throws IOException {
        auditLog(dir).write(rejected(body));

        String written = writtenLines();
        assertThat(written).isNotEmpty().doesNotContain(SIGN).doesNotContain(KEY)
                .doesNotContain("fedcba9876543210fedcba9876543210");
        JsonNode line = json.readTree(written);
        assertThat(line.get("verdict").asText()).isEqualTo("rejected");
        assertThat(line.get("reason").asText()).isEqualTo("malformed");
        assertThat(line.get("remote_addr").asText()).isEqualTo("203.0.113.7");
        assertThat(line.has("body")).isTrue();
    }

    @Test
    void aBodyThatIsNotJsonIsKeptAsTextCutAtTheBound() throws IOException {
        auditLog(dir).write(rejected("not json " + "y".repeat(500)));

        JsonNode line = json.readTree(writtenLines());
        assertThat(line.get("body").isTextual()).isTrue();
        assertThat(line.get("body").asText()).startsWith("not json yyy").hasSize(200);
    }

    @Test
    void aJsonBodyThatWasRefusedIsKeptAsJson() throws IOException {
        auditLog(dir).write(rejected("[1,{\"a\":\"b\"}]"));
        assertThat(json.readTree(writtenLines()).get("body").toString()).isEqualTo("[1,{\"a\":\"b\"}]");
    }

    @Test
    void anAcceptedEventHasItsIdentityAndBodyWithoutSign() throws Exception {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(
                TestCallbacks.sample("0-interrupt.doc.json").with("errcode", 13).signedWith("k").bytes());
        // as the intake does: the reader sets callback, eventType and errcode
        new CallbackReader().read(exchange);
        exchange.setProperty("verdict", "accepted");
        exchange.setProperty("eventId", "0:2210464508206756938");
        exchange.setProperty("event", "interrupt");
        exchange.setProperty("category", "network");
        exchange.setProperty("routingKey", "stream.interrupt.network");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);

        auditLog(dir).write(exchange);

        JsonNode line = json.readTree(writtenLines());
        assertThat(line.get("http_status").asInt()).isEqualTo(200);
        assertThat(line.get("verdict").asText()).isEqualTo("accepted");
        assertThat(line.get("reason").isNull()).isTrue();
        assertThat(line.get("event_id").asText()).isEqualTo("0:2210464508206756938");
        assertThat(line.get("event_type").asInt()).isZero();
        assertThat(line.get("stream_id").asText()).isEqualTo("test_stream");
        assertThat(line.get("app").asText()).isEqualTo("test.domain.com");
        assertThat(line.get("sequence").asText()).isEqualTo("2210464508206756938");
        assertThat(line.get("errcode").asInt()).isEqualTo(13);
        assertThat(line.get("category").asText()).isEqualTo("network");
        assertThat(line.get("routing_key").asText()).isEqualTo("stream.interrupt.network");
        assertThat(line.get("body").get("push_duration").asText()).isEqualTo("128581");
        assertThat(line.get("body").has("sign")).isFalse();
        assertThat(line.get("received_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        // which instance wrote it, second, as operating.md shows the line
        assertThat(line.get("instance").asText()).isEqualTo("gw-test");
        assertThat(line.fieldNames()).toIterable().element(1).isEqualTo("instance");
    }

    @Test
    void theRequestsSignUnderAnotherFieldNameIsMaskedInAnyCase() throws Exception {
        Exchange exchange = new DefaultExchange(camel);
        String sign = TestCallbacks.md5Hex("k" + 1_703_732_206L);
        exchange.getMessage().setBody(TestCallbacks.sample("1-push.doc.json").with("t", 1_703_732_206L)
                .with("sign", sign).with("note", "copied " + sign.toUpperCase()).with("list", java.util.List.of(sign))
                .bytes());
        new CallbackReader().read(exchange);
        exchange.setProperty("verdict", "rejected");
        exchange.setProperty("reason", "expired");

        auditLog(dir).write(exchange);

        String written = writtenLines();
        assertThat(written.toLowerCase()).doesNotContain(sign);
        JsonNode body = json.readTree(written).get("body");
        assertThat(body.get("note").asText()).isEqualTo("copied ***");
        assertThat(body.get("list").get(0).asText()).isEqualTo("***");
    }

    @Test
    void aRefusedBodyNestedBeyondTheReadersBoundIsKeptAsTextInExactlyOneLine() throws IOException {
        String deep = "{\"event_type\":1,\"sign\":\"" + SIGN + "\",\"x\":" + "[".repeat(999) + "]".repeat(999) + "}";
        auditLog(dir).write(rejected(deep));

        String written = writtenLines();
        assertThat(written.lines()).hasSize(1);
        JsonNode line = json.readTree(written);
        assertThat(line.get("body").isTextual()).isTrue();
        assertThat(line.get("body").asText()).startsWith("{\"event_type\":1,\"sign\":\"***\"").hasSize(200);
    }

    @Test
    void aCallbackNestedToTheReadersBoundIsWrittenAsJson() throws Exception {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(("{\"event_type\":1,\"t\":1,\"sign\":\"" + SIGN + "\",\"x\":"
                + "[".repeat(99) + "]".repeat(99) + "}").getBytes(StandardCharsets.UTF_8));
        new CallbackReader().read(exchange);
        exchange.setProperty("verdict", "accepted");

        auditLog(dir).write(exchange);

        JsonNode body = json.readTree(writtenLines()).get("body");
        assertThat(body.get("x").isArray()).isTrue();
    }

    @Test
    void aLineThatCannotBeWrittenIsCountedNotThrown() throws IOException {
        Path blocked = dir.resolve("blocked");
        Files.writeString(blocked, "a file where the folder should be");
        AuditLog auditLog = auditLog(blocked);

        auditLog.write(rejected("{}"));
        auditLog.write(rejected("{}"));

        assertThat(auditLog.failures()).isEqualTo(2);
    }
}
