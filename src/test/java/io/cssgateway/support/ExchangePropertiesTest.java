package io.cssgateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The exchange properties the route files name are the ones {@link ExchangeProperties} declares. */
class ExchangePropertiesTest {

    // ${exchangeProperty.name}, ${exchangeProperty.name.field}, exchangeProperty.name in any expression
    private static final Pattern READ = Pattern.compile("exchangeProperty\\.([A-Za-z0-9_]+)");
    // - setProperty: / - removeProperty: followed by its name
    private static final Pattern WRITE = Pattern.compile("(?:setProperty|removeProperty):\\s*\\n\\s*name:\\s*\"([^\"]+)\"");
    // Java: a property named by a string literal rather than by a constant
    private static final Pattern LITERAL =
            Pattern.compile("(?<!System\\.)(?:[gs]etProperty|removeProperty|@ExchangeProperty)\\(\"([^\"]+)\"");

    static Set<String> declared() {
        return Arrays.stream(ExchangeProperties.class.getDeclaredFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .map(ExchangePropertiesTest::value).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String value(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The exchange properties a route file names, other than Camel's own (Camel...). */
    static Set<String> namedIn(String routes) {
        Set<String> names = new TreeSet<>();
        for (Pattern pattern : new Pattern[] {READ, WRITE}) {
            Matcher m = pattern.matcher(routes);
            while (m.find()) {
                if (!m.group(1).startsWith("Camel")) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    private static TreeMap<Path, String> files(Path root, String suffix) throws IOException {
        TreeMap<Path, String> texts = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(f -> f.toString().endsWith(suffix)).toList()) {
                texts.put(file, Files.readString(file));
            }
        }
        return texts;
    }

    @Test
    void everyExchangePropertyARouteFileNamesIsDeclared() throws IOException {
        Set<String> declared = declared();
        files(Path.of("routes"), ".yaml").forEach((file, text) ->
                assertThat(declared).as("properties named in %s", file).containsAll(namedIn(text)));
    }

    @Test
    void everyDeclaredPropertyIsUsedByARouteFileOrTheJava() throws IOException {
        String all = String.join("\n", files(Path.of("routes"), ".yaml").values())
                + String.join("\n", files(Path.of("src/main/java"), ".java").values());
        for (Field field : ExchangeProperties.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                assertThat(namedIn(all).contains(value(field)) || all.contains("ExchangeProperties." + field.getName()))
                        .as("%s is used", field.getName()).isTrue();
            }
        }
    }

    @Test
    void theJavaNamesPropertiesByTheirConstants() throws IOException {
        files(Path.of("src/main/java"), ".java").forEach((file, text) -> {
            Matcher m = LITERAL.matcher(text);
            assertThat(m.find()).as("a property named by a literal in %s", file).isFalse();
        });
    }

    @Test
    void aMisspelledPropertyIsCaught() {
        String route = """
                - setProperty:
                    name: "verdict"
                - filter:
                    expression:
                      simple:
                        expression: "${exchangeProperty.evntId} != null && ${exchangeProperty.CamelDuplicateMessage}"
                - removeProperty:
                    name: "routngKey"
                """;
        assertThat(namedIn(route)).containsExactly("evntId", "routngKey", "verdict");
        assertThat(declared()).contains("verdict").doesNotContain("evntId", "routngKey");
    }
}
