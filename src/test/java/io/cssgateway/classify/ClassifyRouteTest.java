package io.cssgateway.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.harness.RouteHarness;
import io.cssgateway.harness.RouteTestSupport;
import io.cssgateway.harness.TestCallbacks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** routes/classify.camel.yaml's classify, through the real routes with RabbitMQ advised out. */
class ClassifyRouteTest extends RouteTestSupport {

    private final ObjectMapper json = new ObjectMapper();

    private OutgoingEvent publishedOf(TestCallbacks callback) {
        assertThat(RouteHarness.status(routes.post(callback.asString()))).isEqualTo(200);
        assertThat(routes.published()).hasSize(1);
        return routes.published().get(0);
    }

    @ParameterizedTest(name = "errcode {0} -> stream.interrupt.{1}")
    @CsvSource({
        "1, client-stop", "2, client-stop", "35, client-stop", "5, internal", "24, internal", "6, protocol",
        "7, protocol", "33, protocol", "8, no-data", "20, no-data", "12, network", "17, network",
        "18, access-policy", "19, third-party-auth", "21, operator-action", "0, unknown", "22, unknown",
        "999, unknown", "-1, unknown",
    })
    void anInterruptionIsRoutedByItsErrcodeCategory(int errcode, String category) throws Exception {
        TestCallbacks interruption = TestCallbacks.sample("0-interrupt.doc.json").withUniqueSequence()
                .with("errcode", errcode).freshlySignedWith(RouteHarness.KEY);

        OutgoingEvent event = publishedOf(interruption);

        assertThat(event.routingKey()).isEqualTo("stream.interrupt." + category);
        assertThat(event.messageId()).isEqualTo("0:" + interruption.text("sequence"));
        assertThat(event.headers()).containsEntry("css_errcode", errcode).containsEntry("css_event_type", 0);
        JsonNode body = json.readTree(event.body());
        assertThat(body.get("event").asText()).isEqualTo("interrupt");
        assertThat(body.get("category").asText()).isEqualTo(category);
        assertThat(routes.lastAuditLine().get("routing_key").asText()).isEqualTo("stream.interrupt." + category);
    }

    @Test
    void anInterruptionWithoutAnIntegerErrcodeIsUnknown() {
        OutgoingEvent event = publishedOf(TestCallbacks.sample("0-interrupt.doc.json").withUniqueSequence()
                .with("errcode", "n/a").freshlySignedWith(RouteHarness.KEY));
        assertThat(event.routingKey()).isEqualTo("stream.interrupt.unknown");
        assertThat(event.headers()).doesNotContainKey("css_errcode");
    }

    @Test
    void aPushIsRoutedAsStreamPushWithItsHeadersAndTimestamp() throws Exception {
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .freshlySignedWith(RouteHarness.KEY);

        OutgoingEvent event = publishedOf(push);

        assertThat(event.routingKey()).isEqualTo("stream.push");
        assertThat(event.messageId()).isEqualTo("1:" + push.text("sequence"));
        assertThat(event.timestamp()).isEqualTo(1703731478000L);
        assertThat(event.headers()).containsOnlyKeys("css_event_type", "css_sequence", "css_stream_id", "css_app",
                "css_errcode", "css_signed");
        JsonNode body = json.readTree(event.body());
        assertThat(body.get("event").asText()).isEqualTo("push");
        assertThat(body.has("category")).isFalse();
        assertThat(body.has("sign")).isFalse();
    }

    @ParameterizedTest(name = "event_type {0}")
    @ValueSource(ints = {2, 330, 999})
    void aTypeTheTableDoesNotListIsPublishedAsUnknownWithItsBodyAndNoName(int type) throws Exception {
        TestCallbacks other = TestCallbacks.sample("100-record-file.doc-2022.json").with("event_type", type)
                .with("file_id", "f-" + TestCallbacks.uniqueSequence()).freshlySignedWith(RouteHarness.KEY);

        OutgoingEvent event = publishedOf(other);

        assertThat(event.routingKey()).isEqualTo("unknown." + type);
        assertThat(event.messageId()).startsWith(type + ":sha256:");
        JsonNode body = json.readTree(event.body());
        assertThat(body.has("event")).isFalse();
        assertThat(body.get("file_id").asText()).isEqualTo(other.text("file_id"));
    }
}
