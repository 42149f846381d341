package io.cssgateway.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.support.ResourceHelper;

/**
 * The lines of a table an operator edits (the errcode table, the event-type table): stripped, without the blank
 * ones and the comments ({@code #}), each with where it is, for the error that names the line at fault.
 */
public final class TableLines {

    /** One line: {@code where} is "name line N". */
    public record Line(String where, String content) {}

    /** Reads a whole table, naming {@code name} in its errors. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(Reader source, String name) throws IOException;
    }

    private TableLines() {}

    /** The table at a location as Camel resolves it ({@code classpath:event-types.txt}, {@code file:my-types.txt}). */
    public static <T> T load(CamelContext camelContext, String location, Parser<T> parser) throws IOException {
        try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(camelContext, location)) {
            return parser.parse(new InputStreamReader(in, StandardCharsets.UTF_8), location);
        }
    }

    public static List<Line> of(Reader source, String name) throws IOException {
        List<Line> lines = new ArrayList<>();
        BufferedReader reader = new BufferedReader(source);
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            String content = line.strip();
            if (!content.isEmpty() && !content.startsWith("#")) {
                lines.add(new Line(name + " line " + number, content));
            }
        }
        return lines;
    }
}
