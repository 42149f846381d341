package io.cssgateway.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.harness.TestCallbacks;
import io.cssgateway.trace.Tracing;
import io.cssgateway.intake.CallbackReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** docs/asyncapi.yaml says what the gateway publishes: a channel and a message per event type, the headers it sets. */
class AsyncApiDocTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node, String... path) {
        Object at = node;
        for (String key : path) {
            at = ((Map<String, Object>) at).get(key);
            assertThat(at).as("%s in docs/asyncapi.yaml", String.join("/", path)).isNotNull();
        }
        return (Map<String, Object>) at;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> document() throws IOException {
        return (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of("docs/asyncapi.yaml")));
    }

    private static EventTypes shipped() throws IOException {
        try (var in = AsyncApiDocTest.class.getResourceAsStream("/event-types.txt")) {
            return EventTypes.parse(new InputStreamReader(in, StandardCharsets.UTF_8), "event-types.txt");
        }
    }

    private static List<String> errcodeCategories() throws IOException {
        List<String> categories = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("src/main/resources/errcode-categories.txt"))) {
            if (!line.isBlank() && !line.startsWith("#") && line.contains("=")) {
                categories.add(line.substring(0, line.indexOf('=')).strip());
            }
        }
        categories.add("unknown");
        return categories;
    }

    @Test
    void everyEventTypeHasItsChannelMessageAndOperation() throws IOException {
        Map<String, Object> doc = document();
        EventTypes types = shipped();
        for (EventTypes.EventType type : types.all()) {
            Map<String, Object> channel = map(doc, "channels", type.name());
            assertThat(channel.get("address")).as(type.name())
                    .isEqualTo(type.code() == 0 ? type.routingKey() + ".{category}" : type.routingKey());
            Map<String, Object> payload = map(doc, "components", "schemas", type.name(), "properties");
            assertThat(map(payload, "event").get("const")).isEqualTo(type.name());
            assertThat(map(payload, "event_type").get("const")).isEqualTo(type.code());
            Map<String, Object> operation = map(doc, "operations", "receive-" + type.name());
            assertThat(operation.get("action")).isEqualTo("receive");
            assertThat(map(operation, "channel").get("$ref")).isEqualTo("#/channels/" + type.name());
            assertThat(map(doc, "components", "messages", type.name()).get("summary").toString())
                    .contains("signed by the provider: " + type.signed());
        }
        // and three of the gateway's own: unknown types, the stream state, the instances' heartbeats
        assertThat(map(doc, "channels")).hasSize(types.size() + 3);
        assertThat(map(doc, "channels", "unknown").get("address")).isEqualTo("unknown.{event_type}");
        assertThat(map(doc, "channels", "gateway-heartbeat").get("address")).isEqualTo("gateway.heartbeat");
    }

    @Test
    void theInterruptionCategoriesAreTheErrcodeTables() throws IOException {
        assertThat(map(document(), "channels", "interrupt", "parameters", "category").get("enum"))
                .isEqualTo(errcodeCategories());
    }

    @Test
    void theHeadersAreTheOnesTheGatewaySets() throws IOException {
        Callback push = new CallbackReader().parse(TestCallbacks.sample("1-push.doc.json").bytes());
        // a tenant's event: every header the gateway sets
        OutgoingEvent event = new EventMessage(List.of()).build(push, "1:x", "push", null, "stream.push", 0, true,
                "tenant-a", 0);

        // and, with tracing on, the publish span's trace context (Tracing.carrying)
        List<String> headers = new java.util.ArrayList<>(event.headers().keySet());
        headers.addAll(List.of(Tracing.TRACEPARENT, Tracing.TRACESTATE));

        assertThat(map(document(), "components", "schemas", "headers", "properties"))
                .containsOnlyKeys(headers.toArray(String[]::new));
    }
}
