package io.cssgateway.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventTypesTest {

    static EventTypes shipped() throws IOException {
        try (var in = EventTypesTest.class.getResourceAsStream("/event-types.txt")) {
            return EventTypes.parse(new InputStreamReader(in, StandardCharsets.UTF_8), "event-types.txt");
        }
    }

    private static EventTypes table(String text) throws IOException {
        return EventTypes.parse(new StringReader(text), "test-table");
    }

    @ParameterizedTest(name = "{0} -> {1}, {2}")
    @CsvSource({
        // DESIGN.md, "RabbitMQ": the routing keys; the names are the gateway's
        "1, push, stream.push", "0, interrupt, stream.interrupt", "100, record-file, record.file",
        "332, record-status, record.status", "341, record-error, record.error", "200, snapshot, snapshot",
        "317, moderation-image, moderation.image", "315, moderation-audio, moderation.audio",
        "321, push-error, push.error", "314, relay, relay", "348, summary, summary", "338, subtitle, subtitle",
        "343, quality-control, quality.control", "344, quality-evaluation, quality.evaluation",
        "345, quality-average, quality.average", "347, erasing, erasing", "349, highlight, highlight",
    })
    void theShippedTableGivesEachTypeItsNameAndRoutingKey(int code, String name, String routingKey) throws IOException {
        EventTypes.EventType type = shipped().of(code);
        assertThat(type.name()).isEqualTo(name);
        assertThat(type.routingKey()).isEqualTo(routingKey);
        assertThat(shipped().size()).isEqualTo(17);
    }

    @Test
    void theShippedIdentitiesAreTheDocumentedOnes() throws IOException {
        EventTypes types = shipped();
        assertThat(types.of(1).identity()).containsExactly(List.of("sequence"));
        assertThat(types.of(0).identity()).containsExactly(List.of("sequence"));
        assertThat(types.of(100).identity()).containsExactly(List.of("file_id"), List.of("record_file_id"));
        assertThat(types.of(332).identity()).containsExactly(List.of("seq"));
        assertThat(types.of(200).identity()).isEmpty();
        assertThat(types.of(314).signed()).isEqualTo("no");
    }

    @Test
    void aTypeTheTableDoesNotListIsUnknown() throws IOException {
        EventTypes.EventType unknown = shipped().of(999);
        assertThat(unknown.name()).isNull();
        assertThat(unknown.routingKey()).isEqualTo("unknown.999");
        assertThat(unknown.identity()).isEmpty();
    }

    @Test
    void identitiesCanTakeFieldsTogether() throws IOException {
        assertThat(table("5 | five | five.x | task_id + seq, file_id | yes").of(5).identity())
                .containsExactly(List.of("task_id", "seq"), List.of("file_id"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", value = {
        "'1 | push | stream.push | sequence | yes\n1 | again | again | - | yes' => test-table line 2: event_type 1 is listed twice",
        "'x | push | stream.push | sequence | yes' => test-table line 1: event_type 'x' is not an integer",
        "'1 | Push | stream.push | sequence | yes' => test-table line 1: event 'Push' must be lower-case letters, digits and dashes",
        "'1 | push | stream..push | sequence | yes' => test-table line 1: routing key 'stream..push' must be words of lower-case letters, digits and dashes, joined by dots",
        "'1 | push | stream.push | a-b | yes' => test-table line 1: identity 'a-b' must be '-' or fields such as 'a', 'a, b' (a, else b) or 'a + b' (both); 'a-b' is not a field name",
        "'1 | push | stream.push | sequence | maybe' => test-table line 1: signed 'maybe' must be one of [yes, no, sometimes]",
        "'1 | push | stream.push' => test-table line 1: expected 'event_type | event | routing key | identity | signed', got '1 | push | stream.push'",
    })
    void aWrongLineIsRefusedNamingIt(String text, String message) {
        assertThatThrownBy(() -> table(text.replace("\\n", "\n"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
