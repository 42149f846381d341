package io.cssgateway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cssgateway.event.Callback;
import io.cssgateway.harness.LogCapture;
import io.cssgateway.harness.MovingClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An instance's last accepted callbacks, per push domain: in its heartbeat, and kept across a restart. */
class AcceptedCallbacksTest {

    @TempDir
    Path data;

    private final MovingClock clock = new MovingClock("2026-12-04T10:00:00Z");

    private static Callback push(String app, String stream) {
        var fields = JsonNodeFactory.instance.objectNode().put("event_type", 1).put("app", app).put("stream_id", stream);
        return new Callback(fields, 1, null, null);
    }

    private AcceptedCallbacks instance() {
        return new AcceptedCallbacks("gw-1", Duration.ofHours(24), data.resolve("alerts/last-callbacks.json"), clock);
    }

    @Test
    void aRestartForgetsNoDomainItsLastHeartbeatNamed() throws Exception {
        AcceptedCallbacks before = instance();
        before.accepted(push("a.example.com", "s1"), "1:a");
        clock.move(Duration.ofMinutes(1));
        before.accepted(push("b.example.com", "s2"), "1:b");
        String beat = before.heartbeat();

        clock.move(Duration.ofMinutes(10));
        JsonNode after = ChatFormat.JSON.readTree(instance().heartbeat());

        assertThat(ChatFormat.JSON.readTree(beat).get("apps")).isEqualTo(after.get("apps"));
        assertThat(after.get("apps").get("a.example.com").get("message_id").asText()).isEqualTo("1:a");
        assertThat(after.get("apps").get("b.example.com").get("at").asLong())
                .isEqualTo(clock.millis() - Duration.ofMinutes(10).toMillis());
    }

    @Test
    void aDomainKeptLongerAgoThanTheForgettingIsNotReadBack() throws Exception {
        AcceptedCallbacks before = instance();
        before.accepted(push("old.example.com", "s1"), "1:a");
        before.heartbeat();

        clock.move(Duration.ofHours(25));

        assertThat(instance().heartbeat()).doesNotContain("old.example.com");
    }

    @Test
    void aFileThatCannotBeReadIsSaidAndTheDomainsAreLearnedAgain() throws Exception {
        Path file = data.resolve("alerts/last-callbacks.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"apps\": {\"a.exam");
        try (LogCapture log = new LogCapture(AcceptedCallbacks.class)) {
            AcceptedCallbacks after = instance();
            after.accepted(push("c.example.com", "s3"), "1:c");

            assertThat(after.heartbeat()).contains("c.example.com");
            assertThat(log.lines()).singleElement().asString().startsWith("WARN Silence: " + file + " cannot be read");
        }
        // and the next heartbeat wrote a whole file again
        assertThat(ChatFormat.JSON.readTree(Files.readString(file)).get("apps").has("c.example.com")).isTrue();
    }
}
