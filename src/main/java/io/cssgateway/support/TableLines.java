package io.cssgateway.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of a table an operator edits (the errcode table, the event-type table): stripped, without the blank
 * ones and the comments ({@code #}), each with where it is, for the error that names the line at fault.
 */
public final class TableLines {

    /** One line: {@code where} is "name line N". */
    public record Line(String where, String content) {}

    private TableLines() {}

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
