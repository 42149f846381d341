package io.cssgateway.alert;

import io.cssgateway.tenant.Tenants;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cssgateway.harness.TestCallbacks;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The alert texts in each language of gateway.alert.locale: complete, well-formed, and a digest rendered in each. */
class AlertTextsTest {

    private static Properties file(String name) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = AlertTextsTest.class.getResourceAsStream("/alerts/" + name)) {
            properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return properties;
    }

    @Test
    void everyLanguageGivesEveryTextButTheErrcodesTheProviderDoesNotDescribeInIt() throws IOException {
        Properties base = file("alerts.properties");
        Set<String> needed = new TreeSet<>(base.stringPropertyNames());
        needed.removeIf(key -> key.startsWith("errcode.") || key.endsWith(".one"));
        for (String file : List.of("alerts_zh_CN.properties", "alerts_ja.properties", "alerts_ko.properties",
                "alerts_id.properties")) {
            Properties language = file(file);
            assertThat(language.stringPropertyNames()).as(file).containsAll(needed);
            assertThat(base.stringPropertyNames()).as(file + " has no key the base lacks")
                    .containsAll(language.stringPropertyNames().stream().filter(k -> !k.endsWith(".one")).toList());
        }
        // the provider's Chinese texts (doc 267/31083 gives them up to errcode 24) for every one the base describes
        assertThat(file("alerts_zh_CN.properties").stringPropertyNames()).containsAll(base.stringPropertyNames()
                .stream().filter(k -> k.startsWith("errcode.") && Integer.parseInt(k.substring(8)) <= 24).toList());
    }

    @Test
    void aDigestReadsInEachLanguage() {
        Map<String, String[]> expected = Map.of(
                "en", new String[] {"[CSS] 2 abnormal stream interruptions, 1 push error, most serious: network",
                    "Abnormal push link network"},
                "zh-CN", new String[] {"[CSS] 2 次异常断流，1 次推流异常，最严重：network", "推流链路网络异常"},
                "ja", new String[] {"[CSS] 異常なストリーム中断 2 件、プッシュエラー 1 件、最も深刻：network",
                    "Abnormal push link network"},
                "ko", new String[] {"[CSS] 비정상 스트림 중단 2건, 푸시 오류 1건, 가장 심각: network", "Abnormal push link network"},
                "id", new String[] {"[CSS] 2 gangguan stream abnormal, 1 kesalahan push, paling serius: network",
                    "Abnormal push link network"});
        for (String locale : AlertTexts.LOCALES) {
            AlertDelivery digest = AlertDigestTest.mailed(digest(AlertTexts.of(locale)), AlertTexts.of(locale));
            assertThat(digest.getSubject()).as(locale).startsWith(expected.get(locale)[0]);
            assertThat(digest.getText()).as(locale).contains(expected.get(locale)[1]).contains("stream_id=s-1");
            assertThat(digest.getHtml()).as(locale).contains("<td>s-1</td>");
        }
    }

    @Test
    void theServersOwnLocaleDoesNotChooseTheLanguage() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.SIMPLIFIED_CHINESE);
            assertThat(AlertTexts.of("en").format("digest.by-app")).isEqualTo("By app");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void anUnknownLanguageIsRefusedNamingTheChoices() {
        assertThatThrownBy(() -> AlertTexts.of("fr")).hasMessage(
                "gateway.alert.locale must be one of en, zh-CN, ja, ko, id, got 'fr'");
    }

    private static AlertDigest digest(AlertTexts texts) {
        AlertPolicy policy = new AlertPolicy(List.of("network", "push-error"), List.of("oncall@example.com"), Map.of(),
                List.of("network", "push-error"));
        Clock clock = Clock.fixed(Instant.parse("2026-12-04T10:00:00Z"), ZoneOffset.UTC);
        AlertDigests digests = new AlertDigests(policy, Tenants.none(), Duration.ZERO, 50, false, texts, clock);
        for (String stream : List.of("s-1", "s-1")) {
            ObjectNode body = TestCallbacks.sample("0-interrupt.doc.json").json();
            body.put("stream_id", stream).put("errcode", 13).put("category", "network").put("event", "interrupt");
            digests.add(AlertKind.of(body), AlertKind.of(body).read(body), null, () -> { }, null, null);
        }
        ObjectNode push = TestCallbacks.sample("321-push-error.doc-2023.json").json();
        push.put("event", "push-error");
        digests.add(AlertKind.of(push), AlertKind.of(push).read(push), null, () -> { }, null, null);
        return digests.due().get(0);
    }
}
