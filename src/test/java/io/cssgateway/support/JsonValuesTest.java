package io.cssgateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class JsonValuesTest {

    // as CallbackReader parses: decimals kept exactly as sent
    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private String written(JsonNode node, String leftOut) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = mapper.getFactory().createGenerator(out)) {
            JsonValues.write(gen, node, leftOut);
        }
        return out.toString();
    }

    @Test
    void writesEveryKindOfValueAsJacksonDoes() throws IOException {
        JsonNode node = mapper.readTree("""
                {"s":"t\\u00e9xt \\"q\\"","i":-7,"l":12345678901,"big":123456789012345678901234567890,
                 "d":1.50,"e":2.5E-3,"b":true,"f":false,"n":null,"a":[1,"x",[],{}],"o":{"k":{"k":[0.10]}}}""");

        assertThat(written(node, null)).isEqualTo(mapper.writeValueAsString(node));
        assertThat(written(node, null)).contains("\"d\":1.50", "\"big\":123456789012345678901234567890");
    }

    @Test
    void leavesOutTheNamedFieldInAnyCaseAtAnyDepth() throws IOException {
        JsonNode node = mapper.readTree("""
                {"sign":"a","t":1,"x":{"Sign":"b","y":[{"SIGN":"c","z":2}]},"signature":"kept"}""");

        assertThat(written(node, "sign")).isEqualTo("{\"t\":1,\"x\":{\"y\":[{\"z\":2}]},\"signature\":\"kept\"}");
    }
}
