package io.cssgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cssgateway.event.Callback;
import io.cssgateway.harness.TestCallbacks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class CallbackReaderTest {

    private final CallbackReader reader = new CallbackReader();

    private Callback read(String body) {
        return reader.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    static Stream<String> providerSamples() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/callbacks"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("providerSamples")
    void everyProviderSampleIsReadWhenSigned(String sample) {
        Callback callback = reader.parse(TestCallbacks.sample(sample).signedWith("k1").bytes());
        assertThat(callback.fields().has("sign")).isFalse();
        assertThat(callback.sign()).hasSize(32);
    }

    @Test
    void pushSampleKeepsEveryFieldButSignInOrderAndType() {
        Callback callback = reader.parse(TestCallbacks.sample("1-push.doc.json").bytes());
        assertThat(callback.getEventType()).isEqualTo(1);
        assertThat(callback.expiry()).isEqualTo("1703732078");
        assertThat(callback.sign()).isEqualTo("df49************************f5d4");
        assertThat(callback.fields().toString()).isEqualTo("{\"app\":\"test.domain.com\",\"appid\":12345678,"
                + "\"appname\":\"live\",\"channel_id\":\"test_stream\",\"errcode\":0,\"errmsg\":\"ok\","
                + "\"event_time\":1703731478,\"event_type\":1,\"height\":0,\"idc_id\":34,\"node\":\"42.81.194.37\","
                + "\"sequence\":\"2210464508206756938\",\"set_id\":2,\"stream_id\":\"test_stream\","
                + "\"stream_param\":\"stream_param=test\",\"t\":1703732078,\"user_ip\":\"1.1.1.1\",\"width\":0}");
    }

    @Test
    void numbersSentAsStringsAndStringsSentAsNumbersAreAccepted() {
        Callback callback = read("{\"event_type\":\"0\",\"t\":\"1703732206\",\"sign\":123,\"errcode\":\"12\","
                + "\"sequence\":2210464508206756938}");
        assertThat(callback.getEventType()).isZero();
        assertThat(callback.expiry()).isEqualTo("1703732206");
        assertThat(callback.sign()).isEqualTo("123");
        assertThat(callback.getErrcode()).isEqualTo(12);
        assertThat(callback.text("sequence")).isEqualTo("2210464508206756938");
        // kept as sent: a string stays a string, a number a number
        assertThat(callback.fields().get("t").isTextual()).isTrue();
        assertThat(callback.fields().get("sequence").isNumber()).isTrue();
    }

    @Test
    void decimalsAreKeptExactly() {
        Callback callback = read("{\"event_type\":1,\"t\":1,\"sign\":\"s\",\"ratio\":1.10,\"big\":1e400}");
        assertThat(callback.fields().toString()).contains("\"ratio\":1.10");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "''                                                | body is empty",
        "'   '                                             | body is empty",
        "not json                                          | body is not valid JSON (line 1, column 5)",
        "'{\"event_type\":1,'                              | body is not valid JSON (line 1, column 17)",
        "'[{\"event_type\":1}]'                            | body must be a JSON object",
        "'\"text\"'                                        | body must be a JSON object",
        "'42'                                              | body must be a JSON object",
        "'null'                                            | body must be a JSON object",
        "'{\"t\":1,\"sign\":\"s\"}'                         | field event_type is required",
        "'{\"event_type\":null,\"t\":1,\"sign\":\"s\"}'     | field event_type is required",
        "'{\"event_type\":1,\"sign\":\"s\"}'                | field t is required",
        "'{\"event_type\":\"push\",\"t\":1,\"sign\":\"s\"}' | field event_type must be an integer",
        "'{\"event_type\":1.5,\"t\":1,\"sign\":\"s\"}'      | field event_type must be an integer",
        "'{\"event_type\":true,\"t\":1,\"sign\":\"s\"}'     | field event_type must be an integer",
        "'{\"event_type\":99999999999,\"t\":1,\"sign\":\"s\"}' | field event_type must be an integer",
        "'{\"event_type\":1,\"t\":\"soon\",\"sign\":\"s\"}' | field t must be an integer",
        "'{\"event_type\":1,\"t\":9999999999999999999,\"sign\":\"s\"}' | field t must be an integer",
        "'{\"event_type\":\"9999999999999999999\",\"t\":1,\"sign\":\"s\"}' | field event_type must be an integer",
        "'{\"event_type\":-9999999999999999999,\"t\":1,\"sign\":\"s\"}' | field event_type must be an integer",
        "'{\"event_type\":1,\"t\":1.7e9,\"sign\":\"s\"}'    | field t must be an integer",
        "'{\"event_type\":1,\"t\":{},\"sign\":\"s\"}'       | field t must be an integer",
        "'{\"event_type\":1,\"t\":1,\"sign\":[\"s\"]}'      | field sign must be a string",
        "'{\"event_type\":1,\"t\":1,\"sign\":{\"a\":1}}'    | field sign must be a string",
        "'{\"event_type\":1,\"t\":1,\"sign\":true}'         | field sign must be a string",
        "'{\"event_type\":1,\"t\":1,\"sign\":\"a\",\"sign\":\"b\"}' | body has a field twice (line 1, column 40)",
        "'{\"event_type\":1,\"t\":1,\"sign\":\"s\"} {}'     | body is not valid JSON (line 1, column 35)",
    })
    void malformedBodiesAreRefusedSayingWhatIsWrong(String body, String message) {
        assertThatThrownBy(() -> read(body))
                .isInstanceOf(MalformedCallbackException.class)
                .hasMessage(message);
    }

    @Test
    void aBodyBeyondTheParsersLimitsIsMalformedWithAMessageThatSaysWhich() {
        String deep = "{\"event_type\":1,\"x\":" + "[".repeat(1001) + "]".repeat(1001) + "}";
        String justTooDeep = "{\"event_type\":1,\"t\":1,\"sign\":\"s\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}";
        String longNumber = "{\"event_type\":1,\"t\":1,\"sign\":\"s\",\"x\":" + "1".repeat(1001) + "}";
        String longName = "{\"event_type\":1,\"t\":1,\"sign\":\"s\",\"" + "n".repeat(50_001) + "\":1}";

        assertThatThrownBy(() -> read(deep)).isInstanceOf(MalformedCallbackException.class)
                .hasMessage("body exceeds the JSON limits: Document nesting depth (101) exceeds the maximum allowed (100)");
        assertThatThrownBy(() -> read(justTooDeep)).isInstanceOf(MalformedCallbackException.class)
                .hasMessageStartingWith("body exceeds the JSON limits: Document nesting depth (101)");
        assertThatThrownBy(() -> read(longNumber)).isInstanceOf(MalformedCallbackException.class)
                .hasMessage("body exceeds the JSON limits: Number value length (1001) exceeds the maximum allowed (1000)");
        assertThatThrownBy(() -> read(longName)).isInstanceOf(MalformedCallbackException.class)
                .hasMessage("body exceeds the JSON limits: Name length (50001) exceeds the maximum allowed (50000)");
    }

    @Test
    void aBodyNestedUpToTheLimitIsRead() {
        String deepest = "{\"event_type\":1,\"t\":1,\"sign\":\"s\",\"x\":" + "[".repeat(99) + "]".repeat(99) + "}";
        assertThat(read(deepest).fields().has("x")).isTrue();
    }

    @Test
    void anAbsentBodyIsEmpty() {
        assertThatThrownBy(() -> reader.parse(null)).isInstanceOf(MalformedCallbackException.class)
                .hasMessage("body is empty");
    }

    @Test
    void aCallbackWithoutTAndSignIsReadUnsigned() {
        // whether its type may come unsigned is the signature check's to say
        Callback relay = reader.parse("{\"event_type\":314}".getBytes(StandardCharsets.UTF_8));
        Callback tOnly = reader.parse("{\"event_type\":1,\"t\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(relay.sign()).isNull();
        assertThat(relay.expiry()).isNull();
        assertThat(tOnly.sign()).isNull();
    }

    @Test
    void refusalMessagesAreSafeInsideAJsonString() {
        // the route puts the message into {"message":"..."}: it must never echo input
        assertThatThrownBy(() -> read("{\"event_type\":\"\\\"},\\\"x\\\":\\\"\",\"t\":1,\"sign\":\"s\"}"))
                .hasMessage("field event_type must be an integer");
    }
}
