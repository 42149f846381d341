package io.cssgateway.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.harness.EventFamily;
import io.cssgateway.harness.RouteHarness;
import io.cssgateway.harness.RouteTestSupport;
import io.cssgateway.harness.TestCallbacks;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every event type of the CSS family through the real routes, with RabbitMQ advised out: each of the provider's
 * samples is accepted, published once with its type's routing key, event name and headers, and its retry is a
 * duplicate. The types the provider sends unsigned are listed in gateway.signature.unsigned-event-types here.
 */
class EventFamilyRouteTest extends RouteTestSupport {

    private final ObjectMapper json = new ObjectMapper();

    @Override
    protected Properties configuration() {
        Properties configuration = new Properties();
        configuration.setProperty("gateway.signature.unsigned-event-types", EventFamily.UNSIGNED);
        return configuration;
    }

    static Stream<String> samples() {
        return TestCallbacks.samples().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everySampleIsPublishedOnceWithItsRoutingKeyEventAndHeaders(String file) throws Exception {
        TestCallbacks callback = EventFamily.prepared(file, RouteHarness.KEY);
        JsonNode sent = callback.json();
        int type = sent.get("event_type").asInt();
        List<String> family = EventFamily.FAMILY.get(type);

        Exchange answered = routes.post(callback.asString());
        assertThat(RouteHarness.status(answered)).as(RouteHarness.answer(answered)).isEqualTo(200);
        assertThat(RouteHarness.status(routes.post(callback.asString()))).isEqualTo(200);

        assertThat(routes.published()).hasSize(1);
        OutgoingEvent event = routes.published().get(0);
        assertThat(event.routingKey()).startsWith(family.get(0));
        JsonNode body = json.readTree(event.body());
        assertThat(body.get("event").asText()).isEqualTo(family.get(1));
        assertThat(event.headers()).containsEntry("css_event_type", type).containsEntry("css_signed", sent.has("sign"));
        String stream = sent.has("stream_id") ? sent.get("stream_id").asText()
                : sent.has("streamId") ? sent.get("streamId").asText() : null;
        String app = sent.has("app") ? sent.get("app").asText() : sent.has("domain") ? sent.get("domain").asText() : null;
        if (stream != null) {
            assertThat(event.headers()).containsEntry("css_stream_id", stream);
        }
        if (app != null) {
            assertThat(event.headers()).containsEntry("css_app", app);
        }
        assertThat(routes.lastAuditLine().get("verdict").asText()).isEqualTo("duplicate");
        assertThat(routes.lastAuditLine().get("signed").asBoolean()).isEqualTo(sent.has("sign"));
        // every field of the sample passes, as sent
        sent.fieldNames().forEachRemaining(field -> {
            if (!field.equals("sign")) {
                assertThat(body.get(field).toString()).as(field).isEqualTo(sent.get(field).toString());
            }
        });
    }

    @Test
    void aRecordingIsIdentifiedByItsFileIdWhateverItsSignature() {
        String fileId = "1500000000_" + TestCallbacks.uniqueSequence();
        TestCallbacks signed = TestCallbacks.sample("100-record-file.doc-2022.json").with("file_id", fileId)
                .freshlySignedWith(RouteHarness.KEY);
        TestCallbacks unsignedCopy = TestCallbacks.sample("100-record-file.capture-2025.json").with("file_id", fileId);

        routes.post(signed.asString());
        routes.post(unsignedCopy.asString());

        assertThat(routes.published()).extracting(OutgoingEvent::messageId).containsExactly("100:" + fileId);
    }

    @Test
    void jsonInAStringIsAddedDecodedAndABrokenOneIsKeptAsItCame() throws Exception {
        TestCallbacks recording = EventFamily.prepared("100-record-file.capture-2025.json", RouteHarness.KEY);
        TestCallbacks broken = EventFamily.prepared("100-record-file.capture-2026.json", RouteHarness.KEY).with("callback_ext", "{\"video_codec\":");

        routes.post(recording.asString());
        routes.post(broken.asString());

        assertThat(routes.published()).hasSize(2);
        JsonNode decoded = json.readTree(routes.published().get(0).body());
        assertThat(decoded.get("callback_ext").asText()).isEqualTo(recording.text("callback_ext"));
        assertThat(decoded.get("decoded").get("callback_ext")).isEqualTo(json.readTree(recording.text("callback_ext")));
        JsonNode kept = json.readTree(routes.published().get(1).body());
        assertThat(kept.get("callback_ext").asText()).isEqualTo("{\"video_codec\":");
        assertThat(kept.has("decoded")).isFalse();
    }

    @Test
    void anUnknownTypeIsPublishedAsUnknownNeverRefused() throws Exception {
        TestCallbacks unknown = TestCallbacks.sample("1-push.doc.json").with("event_type", 999)
                .withUniqueSequence().freshlySignedWith(RouteHarness.KEY);

        assertThat(RouteHarness.status(routes.post(unknown.asString()))).isEqualTo(200);

        OutgoingEvent event = routes.published().get(0);
        assertThat(event.routingKey()).isEqualTo("unknown.999");
        assertThat(json.readTree(event.body()).has("event")).isFalse();
        assertThat(event.messageId()).startsWith("999:sha256:");
    }

    @Test
    void anUnsignedTypeNotListedIsRefused401NamingTheSetting() {
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().without("t").without("sign");

        Exchange answered = routes.post(push.asString());

        assertThat(RouteHarness.status(answered)).isEqualTo(401);
        assertThat(RouteHarness.answer(answered)).isEqualTo("{\"code\":401,\"message\":\"event_type 1 callbacks must "
                + "carry t and sign: list 1 in gateway.signature.unsigned-event-types to accept them unsigned\"}");
        assertThat(routes.lastAuditLine().get("reason").asText()).isEqualTo("unsigned");
        assertThat(routes.published()).isEmpty();
    }

    @Test
    void aListedTypeThatCarriesASignIsVerifiedAllTheSame() {
        TestCallbacks relay = TestCallbacks.sample("314-relay.doc-task-start.json").with("t", 2_000_000_000L)
                .signedWith("not-the-key");

        assertThat(RouteHarness.status(routes.post(relay.asString()))).isEqualTo(401);
        assertThat(routes.lastAuditLine().get("reason").asText()).isEqualTo("bad-signature");
    }

    @Test
    void theSamplesCoverEveryTypeOfTheFamily() {
        assertThat(samples().map(file -> Integer.parseInt(file.substring(0, file.indexOf('-')))).distinct())
                .containsExactlyInAnyOrderElementsOf(EventFamily.FAMILY.keySet().stream().filter(t -> t != 315).toList());
    }
}
