package io.cssgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/configuration.md's tables list every key of the properties files, with the value the file gives it. */
class ConfigurationDocsTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| ([^|]*) \\|", Pattern.MULTILINE);
    private static final Pattern COMMENTED_KEY = Pattern.compile("^#([a-z][a-z0-9.-]+) *=", Pattern.MULTILINE);
    private static final String UNSET = "unset";

    /** The rows of the table under {@code heading}: key to its default column ({@value #UNSET} or the value). */
    static Map<String, String> table(String docs, String heading) {
        int start = docs.indexOf(heading);
        int end = docs.indexOf("\n## ", start + 1);
        String section = docs.substring(start, end < 0 ? docs.length() : end);
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(section);
        while (m.find()) {
            String value = m.group(2).strip();
            rows.put(m.group(1), value.startsWith("`") && value.endsWith("`")
                    ? value.substring(1, value.length() - 1) : value);
        }
        return rows;
    }

    private static void assertTableMatches(Map<String, String> table, String file) throws IOException {
        assertTableMatches(table, Files.readString(Path.of(file)), file);
    }

    /** {@code text} is the properties file's content, {@code file} its name in the messages. */
    private static void assertTableMatches(Map<String, String> table, String text, String file) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        Set<String> commented = new TreeSet<>();
        Matcher m = COMMENTED_KEY.matcher(text);
        while (m.find()) {
            commented.add(m.group(1));
        }

        Set<String> documented = new TreeSet<>(table.keySet());
        documented.removeIf(key -> key.contains("<"));
        Set<String> inFile = new TreeSet<>(properties.stringPropertyNames());
        inFile.addAll(commented);
        assertThat(documented).as("keys of %s documented in docs/configuration.md", file).isEqualTo(inFile);
        table.forEach((key, value) -> {
            if (properties.containsKey(key)) {
                assertThat(value).as("%s in docs/configuration.md and %s", key, file)
                        .isEqualTo(properties.getProperty(key));
            } else if (!key.contains("<")) {
                assertThat(value).as("%s, commented out in %s", key, file).isEqualTo(UNSET);
            }
        });
    }

    @Test
    void theTableOfApplicationPropertiesMatchesTheFile() throws IOException {
        String docs = Files.readString(Path.of("docs/configuration.md"));
        assertTableMatches(table(docs, "## application.properties"), "application.properties");
    }

    @Test
    void theTableOfTheDevProfileMatchesItsFile() throws IOException {
        String docs = Files.readString(Path.of("docs/configuration.md"));
        assertTableMatches(table(docs, "## application-dev.properties"), "application-dev.properties");
    }

    @Test
    void aRowWhoseDefaultDriftedIsCaught() throws IOException {
        Map<String, String> rows = table("## t\n| key | default | what |\n|---|---|---|\n"
                + "| `gateway.http.max-body-bytes` | `1024` | x |\n| `gateway.alert.smtp.username` | unset | y |\n", "## t");
        assertThat(rows).containsExactly(Map.entry("gateway.http.max-body-bytes", "1024"),
                Map.entry("gateway.alert.smtp.username", UNSET));
        String matching = "gateway.http.max-body-bytes = 1024\n#gateway.alert.smtp.username =\n";
        assertTableMatches(rows, matching, "matching.properties");

        assertThatThrownBy(() -> assertTableMatches(rows, matching.replace("1024", "65536"), "drifted.properties"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("gateway.http.max-body-bytes");
        assertThatThrownBy(() -> assertTableMatches(rows, matching + "gateway.new.key = 1\n", "more.properties"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("gateway.new.key");
    }
}
