package io.cssgateway.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.cssgateway.alert.Notice.Fact;
import io.cssgateway.alert.Notice.Phrase;
import io.cssgateway.alert.Notice.Section;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each chat tool's message as its documents give it, with the values from callbacks made inert: a stream named
 * {@code @all}, {@code <at user_id="all">} or {@code [x](http://evil)} mentions nobody and links nowhere. The signatures
 * are checked against values computed apart from this code (Python's hmac, as the tools' documents compute them).
 */
class ChatFormatTest {

    private static final String[] HOSTILE = {"@all", "<at user_id=\"all\">", "[x](http://evil)"};

    private final NoticeText words = new NoticeText(AlertTexts.of("en"));

    /** A silence notice for a domain whose last stream carries the hostile names. */
    private static Notice hostile() {
        return new Notice("silence", "live.example.com", Phrase.of("silence.stopped", Phrase.of("silence.scope.domain",
                "live.example.com")), Phrase.of("silence.summary.stopped", 300L, 300L), List.of(Section.facts(List.of(
                        Fact.field("stream_id", HOSTILE[0]), Fact.field("errmsg", HOSTILE[1]),
                        Fact.field("node", HOSTILE[2])))));
    }

    /** Every text a chat user sees in the body: the JSON's string values, joined. */
    private static String shown(JsonNode body) {
        StringBuilder text = new StringBuilder();
        body.forEach(value -> text.append(value.isTextual() ? value.asText() : shown(value)).append('\n'));
        return text.toString();
    }

    @Test
    void noToolSeesAMentionATagOrALinkInAValue() {
        for (ChatFormat format : List.of(ChatFormat.SLACK, ChatFormat.TEAMS, ChatFormat.WECOM, ChatFormat.DINGTALK,
                ChatFormat.FEISHU)) {
            String text = shown(format.body(words, hostile(), 10));
            assertThat(text).as(format.type()).contains("live.example.com")
                    .doesNotContain("@all").doesNotContain("<at").doesNotContain("](http").doesNotContain("http://evil");
        }
    }

    @Test
    void slackGetsMrkdwnWithValuesInCodeSpansAndItsThreeEscapes() {
        JsonNode body = ChatFormat.SLACK.body(words, hostile(), 10);

        assertThat(body.get("text").asText()).startsWith("*Callbacks stopped: push domain live.example.com*\n")
                .contains("stream_id: `@\u2060all`").contains("errmsg: `&lt;at user_id=\"all\"&gt;`");
        assertThat(body.get("unfurl_links").asBoolean()).isFalse();
    }

    @Test
    void teamsGetsAnAdaptiveCardInAWorkflowMessage() {
        JsonNode body = ChatFormat.TEAMS.body(words, hostile(), 10);

        assertThat(body.get("type").asText()).isEqualTo("message");
        JsonNode attachment = body.get("attachments").get(0);
        assertThat(attachment.get("contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
        JsonNode card = attachment.get("content");
        assertThat(card.get("type").asText()).isEqualTo("AdaptiveCard");
        assertThat(card.get("body").get(0).get("text").asText())
                .isEqualTo("Callbacks stopped: push domain live.example.com");
        assertThat(card.get("body").get(1).get("text").asText()).contains("No callback has been accepted for 300 s");
    }

    @Test
    void wecomAndDingtalkGetMarkdownAndDingtalkMentionsNobody() {
        JsonNode wecom = ChatFormat.WECOM.body(words, hostile(), 10);
        assertThat(wecom.get("msgtype").asText()).isEqualTo("markdown");
        assertThat(wecom.get("markdown").get("content").asText()).startsWith("**Callbacks stopped");

        JsonNode dingtalk = ChatFormat.DINGTALK.body(words, hostile(), 10);
        assertThat(dingtalk.get("msgtype").asText()).isEqualTo("markdown");
        assertThat(dingtalk.get("markdown").get("title").asText()).isEqualTo("Callbacks stopped: push domain live.example.com");
        assertThat(dingtalk.get("at").get("isAtAll").asBoolean()).isFalse();
    }

    @Test
    void aWecomMessageStaysWithinItsFourKilobytes() {
        List<List<Fact>> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rows.add(List.of(Fact.field("stream_id", "a-rather-long-stream-name-" + i), Fact.field("errmsg", "x".repeat(40))));
        }
        Notice big = new Notice("interruptions", null, Phrase.of("silence.stopped", "x"), Phrase.of("more", 1L),
                List.of(Section.rows(Phrase.of("digest.by-app"), rows, 0)));

        String content = ChatFormat.WECOM.body(words, big, 200).get("markdown").get("content").asText();

        assertThat(content.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
        assertThat(content).contains("and ").contains(" more");
    }

    @Test
    void feishuGetsTextAndTheGenericWebhookTheNoticeAsJson() {
        JsonNode feishu = ChatFormat.FEISHU.body(words, hostile(), 10);
        assertThat(feishu.get("msg_type").asText()).isEqualTo("text");
        assertThat(feishu.get("content").get("text").asText()).startsWith("Callbacks stopped: push domain live.example.com\n");

        JsonNode json = ChatFormat.JSON_WEBHOOK.body(words, hostile(), 10);
        assertThat(json.get("kind").asText()).isEqualTo("silence");
        assertThat(json.get("app").asText()).isEqualTo("live.example.com");
        // JSON escapes them; what the receiver does with them is its own
        assertThat(json.get("sections").get(0).get("rows").get(0).get("stream_id").asText()).isEqualTo("@all");
    }

    @Test
    void dingtalkSignsTheUrlAsItsSecuritySettingsSay() {
        WebhookChannel channel = new WebhookChannel("ding", ChatFormat.DINGTALK,
                "https://oapi.dingtalk.com/robot/send?access_token=abc", "SEC0123456789abcdef", Set.of(), Set.of());
        Clock clock = Clock.fixed(Instant.ofEpochMilli(1_764_800_000_000L), ZoneOffset.UTC);

        // python3: quote_plus(b64encode(hmac.new(secret, ts + "\n" + secret, sha256).digest()))
        assertThat(channel.signedUrl(clock)).isEqualTo("https://oapi.dingtalk.com/robot/send?access_token=abc"
                + "&timestamp=1764800000000&sign=Tm6%2FqzezTqJVawt7H1XI0eBrNAGHFdZKcKR4Eh4%2FOuM%3D");
        // a sign with a + in it stays a + (a client that decodes the query twice turns it into a space)
        clock = Clock.fixed(Instant.ofEpochMilli(1_764_800_000_001L), ZoneOffset.UTC);
        assertThat(channel.signedUrl(clock)).endsWith("&sign=8CRiCyuVwe%2FR4nPQssBa%2FEwLvuhdi%2BeED5Mz9KKVrzs%3D");
    }

    @Test
    void feishuSignsTheBodyAsItsSignatureCheckSays() {
        WebhookChannel channel = new WebhookChannel("lark", ChatFormat.FEISHU,
                "https://open.feishu.cn/open-apis/bot/v2/hook/xyz", "feishu-secret", Set.of(), Set.of());
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_764_800_000L), ZoneOffset.UTC);

        // python3: b64encode(hmac.new(ts + "\n" + secret, b"", sha256).digest())
        assertThat(channel.feishuSignature(clock)).containsExactly("1764800000",
                "A/MBkAckcuELI2CBUjLTAmivpul3AKp475HuZmzSgo8=");
        assertThat(channel.signedUrl(clock)).isEqualTo("https://open.feishu.cn/open-apis/bot/v2/hook/xyz");
    }

    @Test
    void aToolThatAnswers200WithAnErrorCodeDidNotTakeIt() {
        assertThatThrownBy(() -> ChatFormat.WECOM.checkAnswer(200, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}"))
                .isInstanceOf(ChannelRefusedException.class).hasMessageContaining("93000");
        assertThatThrownBy(() -> ChatFormat.FEISHU.checkAnswer(200, "{\"code\":19021,\"msg\":\"sign match fail\"}"))
                .hasMessageContaining("19021");
        assertThatThrownBy(() -> ChatFormat.SLACK.checkAnswer(500, "oops")).hasMessageContaining("HTTP 500");
        ChatFormat.DINGTALK.checkAnswer(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");
        ChatFormat.TEAMS.checkAnswer(202, "");
    }

    @Test
    void theUrlsTokenAndTheSecretAreMaskedInWhatIsSaid() {
        WebhookChannel channel = new WebhookChannel("oncall", ChatFormat.SLACK,
                "https://hooks.slack.com/services/T000/B000/XXXXSECRET", "s3cr3t-value", Set.of(), Set.of());

        String said = channel.masked("The timeout period of 10000ms has been exceeded while executing POST "
                + "/services/T000/B000/XXXXSECRET for server hooks.slack.com; key s3cr3t-value; "
                + "https://hooks.slack.com/services/T000/B000/XXXXSECRET");

        assertThat(said).doesNotContain("XXXXSECRET").doesNotContain("s3cr3t-value").contains("hooks.slack.com");
        assertThat(channel.toString()).isEqualTo("oncall (slack, https://hooks.slack.com)");
    }
}
