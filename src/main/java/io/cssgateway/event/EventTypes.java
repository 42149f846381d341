package io.cssgateway.event;

import io.cssgateway.support.Integers;
import io.cssgateway.support.TableLines;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The CSS event types, from an operator-edited table ({@code event-types.txt}, {@code gateway.classify.event-types}):
 * for each {@code event_type}, the event's name in the message body, its routing key (for interruptions, the start
 * of it: the errcode's category follows, in routes/classify.camel.yaml), what identifies one event for
 * de-duplication, and whether the provider signs it. A type not in the table is published as
 * {@code unknown.<event_type>}, without a name, identified by a digest of its body. A table that lists a type twice,
 * or a name or routing key that cannot be one, is refused at start with the line that is wrong.
 */
public final class EventTypes {

    private static final Pattern WORD = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern ROUTING_KEY = Pattern.compile("[a-z0-9][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)*");
    private static final Pattern FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final List<String> SIGNED = List.of("yes", "no", "sometimes");

    /**
     * One event type.
     *
     * @param identity the alternatives that identify one event, in order: the first whose fields are all present
     *     is used; each is one or more fields taken together. Empty: a digest of the body.
     * @param signed whether the provider signs it: yes, no, sometimes (null for a type the table does not list)
     */
    public record EventType(int code, String name, String routingKey, List<List<String>> identity, String signed) {}

    private final Map<Integer, EventType> types;

    private EventTypes(Map<Integer, EventType> types) {
        this.types = Map.copyOf(types);
    }

    /** Reads a table; {@code name} names it in the errors. */
    public static EventTypes parse(Reader source, String name) throws IOException {
        Map<Integer, EventType> types = new LinkedHashMap<>();
        for (TableLines.Line line : TableLines.of(source, name)) {
            EventType type = type(line.content(), line.where());
            if (types.putIfAbsent(type.code(), type) != null) {
                throw new IllegalArgumentException(line.where() + ": event_type " + type.code() + " is listed twice");
            }
        }
        return new EventTypes(types);
    }

    private static EventType type(String content, String where) {
        String[] columns = content.split("\\|", -1);
        if (columns.length != 5) {
            throw new IllegalArgumentException(where + ": expected 'event_type | event | routing key | identity "
                    + "| signed', got '" + content + "'");
        }
        String code = columns[0].strip();
        String name = columns[1].strip();
        String routingKey = columns[2].strip();
        String identity = columns[3].strip();
        String signed = columns[4].strip();
        Integer eventType = Integers.parseIntOrNull(code);
        if (eventType == null) {
            throw new IllegalArgumentException(where + ": event_type '" + code + "' is not an integer");
        }
        if (!WORD.matcher(name).matches()) {
            throw new IllegalArgumentException(where + ": event '" + name
                    + "' must be lower-case letters, digits and dashes");
        }
        if (!ROUTING_KEY.matcher(routingKey).matches()) {
            throw new IllegalArgumentException(where + ": routing key '" + routingKey
                    + "' must be words of lower-case letters, digits and dashes, joined by dots");
        }
        if (!SIGNED.contains(signed)) {
            throw new IllegalArgumentException(where + ": signed '" + signed + "' must be one of " + SIGNED);
        }
        return new EventType(eventType, name, routingKey, identity(identity, where), signed);
    }

    private static List<List<String>> identity(String text, String where) {
        if (text.equals("-")) {
            return List.of();
        }
        List<List<String>> alternatives = new ArrayList<>();
        for (String alternative : text.split(",")) {
            List<String> fields = Arrays.stream(alternative.split("\\+")).map(String::strip).toList();
            for (String field : fields) {
                if (!FIELD.matcher(field).matches()) {
                    throw new IllegalArgumentException(where + ": identity '" + text + "' must be '-' or fields such "
                            + "as 'a', 'a, b' (a, else b) or 'a + b' (both); '" + field + "' is not a field name");
                }
            }
            alternatives.add(fields);
        }
        return List.copyOf(alternatives);
    }

    /** The type of {@code code}, or the unknown type for a code the table does not list. */
    public EventType of(int code) {
        EventType known = types.get(code);
        return known != null ? known : new EventType(code, null, "unknown." + code, List.of(), null);
    }

    /** The types the table lists, in its order. */
    public Collection<EventType> all() {
        return types.values();
    }

    /** The listed type of this name, or null. */
    public EventType named(String name) {
        return types.values().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    public int size() {
        return types.size();
    }
}
