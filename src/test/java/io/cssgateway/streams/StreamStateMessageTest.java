package io.cssgateway.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.event.OutgoingEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The state message of a change, as the gateway builds it, and as docs/asyncapi.yaml describes it. */
class StreamStateMessageTest {

    private static final StreamKey STREAM = new StreamKey("live.example.com", "live", "room 1");
    private static final Instant AT = Instant.parse("2026-12-04T10:00:00Z");

    private static OutgoingEvent online() {
        StreamState.Transition t = StreamState.unseen(STREAM, 6).apply(new StreamEvent(STREAM, true, "100", "1:100",
                AT), false, Instant.EPOCH);
        return StreamStates.message(t, "live.css.stream.state.online");
    }

    @Test
    void aChangeIsOneMessageWithItsStreamStateVersionAndCause() throws Exception {
        OutgoingEvent message = online();

        assertThat(message.routingKey()).isEqualTo("live.css.stream.state.online");
        assertThat(message.messageId()).isEqualTo("stream-state:live.example.com/live/room%201:7");
        assertThat(message.timestamp()).isEqualTo(AT.toEpochMilli());
        assertThat(message.headers()).containsExactly(Map.entry("css_stream_id", "room 1"),
                Map.entry("css_app", "live.example.com"), Map.entry("css_appname", "live"),
                Map.entry("css_state", "online"), Map.entry("css_version", 7L));
        assertThat(new ObjectMapper().readTree(message.body())).isEqualTo(new ObjectMapper().readTree(
                "{\"app\":\"live.example.com\",\"appname\":\"live\",\"stream_id\":\"room 1\",\"state\":\"online\","
                        + "\"open_sequences\":[\"100\"],\"since\":\"2026-12-04T10:00:00.000Z\",\"version\":7,"
                        + "\"cause\":{\"event_type\":1,\"event\":\"push\",\"sequence\":\"100\",\"message_id\":\"1:100\","
                        + "\"effect\":\"opened\"}}"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theAsyncApiDocumentDescribesEveryFieldAndHeaderOfIt() throws Exception {
        Map<String, Object> doc = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of("docs/asyncapi.yaml")));
        Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("schemas");
        Map<String, Object> body = (Map<String, Object>) schemas.get("stream-state");
        Map<String, Object> properties = (Map<String, Object>) body.get("properties");
        Map<String, Object> cause = (Map<String, Object>) ((Map<String, Object>) properties.get("cause")).get("properties");
        Map<String, Object> headers = (Map<String, Object>) ((Map<String, Object>) schemas.get("stream-state-headers"))
                .get("properties");
        OutgoingEvent message = online();
        JsonNode json = new ObjectMapper().readTree(message.body());

        assertThat(properties.keySet()).containsExactlyInAnyOrderElementsOf(names(json));
        assertThat((List<String>) body.get("required")).containsExactlyInAnyOrderElementsOf(names(json));
        assertThat(cause.keySet()).containsExactlyInAnyOrderElementsOf(names(json.get("cause")));
        assertThat(headers.keySet()).containsExactlyInAnyOrderElementsOf(message.headers().keySet());
        Map<String, Object> channel = (Map<String, Object>) ((Map<String, Object>) doc.get("channels")).get("stream-state");
        assertThat(channel.get("address")).isEqualTo("stream.state.{state}");
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
