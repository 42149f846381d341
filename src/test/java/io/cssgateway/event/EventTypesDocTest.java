package io.cssgateway.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/consumers.md's table of event types is the shipped event-type table. */
class EventTypesDocTest {

    private static final Pattern ROW = Pattern.compile(
            "^\\| (-?\\d+) \\| ([a-z0-9-]+) \\| `([^`]+)` \\| ([^|]+) \\| (yes|no|sometimes) \\|$", Pattern.MULTILINE);

    @Test
    void theDocumentedTypesAreTheTablesWithTheirNamesRoutingKeysIdentitiesAndSignatures() throws IOException {
        EventTypes shipped;
        try (var in = EventTypesDocTest.class.getResourceAsStream("/event-types.txt")) {
            shipped = EventTypes.parse(new InputStreamReader(in, StandardCharsets.UTF_8), "event-types.txt");
        }
        Map<Integer, String[]> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(Files.readString(Path.of("docs/consumers.md")));
        while (m.find()) {
            rows.put(Integer.parseInt(m.group(1)), new String[] {m.group(2), m.group(3), m.group(4).strip(), m.group(5)});
        }

        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(
                shipped.all().stream().map(EventTypes.EventType::code).toList());
        for (EventTypes.EventType type : shipped.all()) {
            String[] row = rows.get(type.code());
            assertThat(row[0]).as("event of %d", type.code()).isEqualTo(type.name());
            assertThat(row[1]).as("routing key of %d", type.code())
                    .isEqualTo(type.code() == 0 ? type.routingKey() + ".<category>" : type.routingKey());
            assertThat(row[2]).as("identity of %d", type.code()).isEqualTo(identity(type));
            assertThat(row[3]).as("signed of %d", type.code()).isEqualTo(type.signed());
        }
    }

    /** As the table writes it: digest, or `code:<field>` (else `other`). */
    private static String identity(EventTypes.EventType type) {
        if (type.identity().isEmpty()) {
            return "digest";
        }
        List<List<String>> alternatives = type.identity();
        StringBuilder text = new StringBuilder("`" + type.code() + ":<" + String.join(">:<", alternatives.get(0)) + ">`");
        for (List<String> other : alternatives.subList(1, alternatives.size())) {
            text.append(" (else `").append(String.join(" + ", other)).append("`)");
        }
        return text.toString();
    }
}
