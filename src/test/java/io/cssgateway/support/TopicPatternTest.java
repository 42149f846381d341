package io.cssgateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TopicPatternTest {

    @Test
    void routingKeyPatternsMatchAsRabbitMqTopicBindings() {
        assertThat(TopicPattern.matches("#", "stream.push")).isTrue();
        assertThat(TopicPattern.matches("stream.#", "stream")).isTrue();
        assertThat(TopicPattern.matches("stream.interrupt.#", "stream.interrupt.network")).isTrue();
        assertThat(TopicPattern.matches("*.push", "stream.push")).isTrue();
        assertThat(TopicPattern.matches("*.push", "live.stream.push")).isFalse();
        assertThat(TopicPattern.matches("#.push", "live.stream.push")).isTrue();
        assertThat(TopicPattern.matches("stream.*", "stream.interrupt.network")).isFalse();
        assertThat(TopicPattern.matches("record.*.error", "record.file.error")).isTrue();
    }

    @Test
    void theRegularExpressionSelectsTheKeysTheMatcherSelects() {
        String[] patternWords = {"a", "b", "*", "#", "a-b", "x+y", "c$", "(d)"};
        String[] keyWords = {"a", "b", "c", "a-b", "x+y", "c$", "(d)", "ab", ""};
        Random random = new Random(32);
        int matched = 0;
        for (int round = 0; round < 20_000; round++) {
            String pattern = words(random, patternWords, 1 + random.nextInt(4));
            String key = words(random, keyWords, 1 + random.nextInt(5));
            boolean expected = TopicPattern.matches(pattern, key);
            matched += expected ? 1 : 0;
            assertThat(Pattern.compile(TopicPattern.regex(pattern)).matcher(key).find())
                    .as("%s against %s (%s)", pattern, key, TopicPattern.regex(pattern)).isEqualTo(expected);
        }
        // both outcomes were tried, many times
        assertThat(matched).isBetween(1_000, 19_000);
    }

    @Test
    void regularExpressionsAsPostgreSqlTakesThem() {
        assertThat(TopicPattern.regex("stream.interrupt.#")).isEqualTo("^stream[.]interrupt([.].*)?$");
        assertThat(TopicPattern.regex("#.push")).isEqualTo("^(.*[.])?push$");
        assertThat(TopicPattern.regex("*.push")).isEqualTo("^[^.]*[.]push$");
        assertThat(TopicPattern.regex("#")).isEqualTo("^.*$");
        assertThat(TopicPattern.regex("a-b.c")).isEqualTo("^a\\-b[.]c$");
    }

    @Test
    void aMalformedPatternIsNamed() {
        assertThat(TopicPattern.problem("stream.interrupt.#")).isNull();
        assertThat(TopicPattern.problem("")).contains("empty pattern");
        assertThat(TopicPattern.problem("stream..push")).contains("empty word");
        assertThat(TopicPattern.problem("stream.")).contains("empty word");
        assertThat(TopicPattern.problem("stream*")).contains("'stream*'");
        assertThat(TopicPattern.problem("x".repeat(256))).contains("longer than 255");
    }

    private static String words(Random random, String[] words, int count) {
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < count; i++) {
            joined.append(i == 0 ? "" : ".").append(words[random.nextInt(words.length)]);
        }
        return joined.toString();
    }
}
