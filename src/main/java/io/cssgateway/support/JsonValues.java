package io.cssgateway.support;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes parsed JSON to a generator value by value. Jackson's {@code writeTree} goes through the ObjectMapper and
 * sets up a serializer provider for every value it writes: 2.7% of a callback's CPU in bench/'s profile, for the
 * event message and the audit line.
 */
public final class JsonValues {

    private JsonValues() {}

    /**
     * Writes {@code node} as it was parsed, leaving out every object field named {@code leftOut} (in any case, at
     * any depth); null leaves nothing out.
     */
    public static void write(JsonGenerator gen, JsonNode node, String leftOut) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                gen.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    var field = it.next();
                    if (leftOut == null || !field.getKey().equalsIgnoreCase(leftOut)) {
                        gen.writeFieldName(field.getKey());
                        write(gen, field.getValue(), leftOut);
                    }
                }
                gen.writeEndObject();
            }
            case ARRAY -> {
                gen.writeStartArray();
                for (JsonNode element : node) {
                    write(gen, element, leftOut);
                }
                gen.writeEndArray();
            }
            case STRING -> gen.writeString(node.textValue());
            case NUMBER -> writeNumber(gen, node);
            case BOOLEAN -> gen.writeBoolean(node.booleanValue());
            case NULL -> gen.writeNull();
            // binary and POJO nodes, which parsing never makes
            default -> gen.writeTree(node);
        }
    }

    private static void writeNumber(JsonGenerator gen, JsonNode node) throws IOException {
        switch (node.numberType()) {
            case INT -> gen.writeNumber(node.intValue());
            case LONG -> gen.writeNumber(node.longValue());
            case BIG_INTEGER -> gen.writeNumber(node.bigIntegerValue());
            case FLOAT -> gen.writeNumber(node.floatValue());
            case DOUBLE -> gen.writeNumber(node.doubleValue());
            case BIG_DECIMAL -> gen.writeNumber(node.decimalValue());
        }
    }
}
