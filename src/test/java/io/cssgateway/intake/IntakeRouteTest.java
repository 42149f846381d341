package io.cssgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cssgateway.harness.RouteHarness;
import io.cssgateway.harness.RouteTestSupport;
import io.cssgateway.harness.TestCallbacks;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * routes/intake.camel.yaml and the one refusal rule of error-handling.camel.yaml, with RabbitMQ advised out: each
 * answer, its audit line, and that nothing refused reaches the broker.
 */
class IntakeRouteTest extends RouteTestSupport {

    private void assertRefused(Exchange answered, int status, String message, String reason) {
        assertThat(RouteHarness.status(answered)).isEqualTo(status);
        assertThat(answered.getMessage().getHeader(Exchange.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(RouteHarness.answer(answered))
                .isEqualTo("{\"code\":" + status + ",\"message\":\"" + message + "\"}");
        JsonNode line = routes.lastAuditLine();
        assertThat(line.get("verdict").asText()).isEqualTo("rejected");
        assertThat(line.get("reason").asText()).isEqualTo(reason);
        assertThat(line.get("http_status").asInt()).isEqualTo(status);
        assertThat(routes.publishAttempts()).isZero();
    }

    @Test
    void anAcceptedCallbackIsAnswered0AndAudited() {
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .freshlySignedWith(RouteHarness.KEY);

        Exchange answered = routes.post(push.asString());

        assertThat(RouteHarness.status(answered)).isEqualTo(200);
        assertThat(RouteHarness.answer(answered)).isEqualTo("{\"code\":0}");
        JsonNode line = routes.lastAuditLine();
        assertThat(line.get("verdict").asText()).isEqualTo("accepted");
        assertThat(line.get("event_id").asText()).isEqualTo("1:" + push.text("sequence"));
        assertThat(line.get("routing_key").asText()).isEqualTo("stream.push");
        assertThat(routes.published()).hasSize(1);
    }

    @Test
    void anotherMethodIs405WithAllow() {
        Exchange answered = routes.send("{}", "GET", "application/json", null);
        assertRefused(answered, 405, "method not allowed: callbacks are POSTed", "method-not-allowed");
        assertThat(answered.getMessage().getHeader("Allow")).isEqualTo("POST");
    }

    @Test
    void anotherContentTypeIs415() {
        assertRefused(routes.send("{}", "POST", "text/plain", null), 415, "content type must be application/json",
                "unsupported-media-type");
    }

    @Test
    void aContentCodingIs415() {
        String push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(RouteHarness.KEY)
                .asString();
        assertRefused(routes.send(push, "POST", "application/json", "gzip"), 415,
                "content encoding is not supported: send the body uncompressed", "unsupported-media-type");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "''                                      | body is empty",
        "not json                                | body is not valid JSON (line 1, column 5)",
        "'[1]'                                   | body must be a JSON object",
        "'{\"t\":1,\"sign\":\"x\"}'              | field event_type is required",
        "'{\"event_type\":1,\"sign\":\"x\"}'     | field t is required",
    })
    void aMalformedBodyIs400SayingWhatIsWrong(String body, String message) {
        assertRefused(routes.post(body), 400, message, "malformed");
    }

    @Test
    void aWrongSignIs401() {
        assertRefused(routes.post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .freshlySignedWith("another-key").asString()), 401, "invalid signature", "bad-signature");
    }

    @Test
    void aPastExpiryIs401() {
        assertRefused(routes.post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .signedAt(Instant.now().getEpochSecond() - 3600).signedWith(RouteHarness.KEY).asString()),
                401, "signature expired", "expired");
    }

    @Test
    void anExpiryTooFarAheadIs401() {
        assertRefused(routes.post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .signedAt(Instant.now().getEpochSecond() + 2 * 86_400).signedWith(RouteHarness.KEY).asString()),
                401, "signature expiry t is more than 86400 s ahead", "expiry-too-far");
    }
}
