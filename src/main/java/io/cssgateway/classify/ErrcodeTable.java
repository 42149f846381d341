package io.cssgateway.classify;

import io.cssgateway.support.ExchangeProperties;
import io.cssgateway.support.TableLines;
import java.io.IOException;
import java.io.Reader;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.camel.ExchangeProperty;

/**
 * Maps an interruption's {@code errcode} to its category, from an operator-edited table with lines such as
 * {@code network = 12-17} or {@code client-stop = 1, 2, 3, 4, 35}. Codes the table does not list are
 * {@value #UNKNOWN}. A table that lists a code twice or names a category that cannot be a routing-key word
 * is refused at start, with the line that is wrong.
 */
public final class ErrcodeTable {

    public static final String UNKNOWN = "unknown";

    private static final Pattern CATEGORY = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern RANGE = Pattern.compile("(-?\\d+)\\s*-\\s*(-?\\d+)");

    private final Map<Integer, String> categories;

    private ErrcodeTable(Map<Integer, String> categories) {
        this.categories = Map.copyOf(categories);
    }

    public static ErrcodeTable parse(Reader source, String name) throws IOException {
        Map<Integer, String> categories = new HashMap<>();
        for (TableLines.Line line : TableLines.of(source, name)) {
            String content = line.content();
            String where = line.where();
            int eq = content.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(where + ": expected 'category = codes', got '" + content + "'");
            }
            String category = content.substring(0, eq).strip();
            if (!CATEGORY.matcher(category).matches()) {
                throw new IllegalArgumentException(where + ": category '" + category
                        + "' must be lower-case letters, digits and dashes (it becomes a routing-key word)");
            }
            for (String item : content.substring(eq + 1).split(",")) {
                for (int code : codes(item.strip(), where)) {
                    String before = categories.putIfAbsent(code, category);
                    if (before != null) {
                        throw new IllegalArgumentException(where + ": errcode " + code + " is already in category '"
                                + before + "'");
                    }
                }
            }
        }
        return new ErrcodeTable(categories);
    }

    private static int[] codes(String item, String where) {
        var range = RANGE.matcher(item);
        try {
            if (range.matches()) {
                int from = Integer.parseInt(range.group(1));
                int to = Integer.parseInt(range.group(2));
                if (to < from || to - from > 10_000) {
                    throw new IllegalArgumentException(where + ": range '" + item + "' is empty or too wide");
                }
                return java.util.stream.IntStream.rangeClosed(from, to).toArray();
            }
            return new int[] {Integer.parseInt(item)};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": '" + item + "' is not an errcode or a range such as 12-17");
        }
    }

    /** The category of an errcode; {@value #UNKNOWN} for a code the table does not list, or none at all. */
    public String categoryOf(@ExchangeProperty(ExchangeProperties.ERRCODE) Integer errcode) {
        return errcode == null ? UNKNOWN : categories.getOrDefault(errcode, UNKNOWN);
    }

    public int size() {
        return categories.size();
    }
}
