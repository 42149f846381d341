package io.cssgateway.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.alert.Notice.Count;
import io.cssgateway.alert.Notice.Fact;
import io.cssgateway.alert.Notice.Section;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The message formats of the chat tools' incoming webhooks, each as its documents give it: the body a notice becomes,
 * how a value from a callback is escaped in it, and whether the tool's answer says the message was taken (WeCom,
 * DingTalk and Feishu answer 200 with an error code in the body).
 */
enum ChatFormat {

    /** Slack incoming webhook: {@code text} in mrkdwn; &amp;, &lt; and &gt; escaped as Slack's formatting page says. */
    SLACK("slack", null) {
        @Override
        ObjectNode body(NoticeText words, Notice notice, int rows) {
            ObjectNode body = JSON.createObjectNode();
            body.put("text", words.markdown(notice, SLACK_MARKUP, rows));
            body.put("unfurl_links", false);
            body.put("unfurl_media", false);
            return body;
        }
    },
    /** Microsoft Teams workflow webhook ("Post to a channel when a webhook request is received"): an Adaptive Card. */
    TEAMS("teams", null) {
        @Override
        ObjectNode body(NoticeText words, Notice notice, int rows) {
            ObjectNode card = JSON.createObjectNode();
            card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
            card.put("type", "AdaptiveCard");
            card.put("version", "1.4");
            ArrayNode blocks = card.putArray("body");
            String[] lines = words.markdown(notice, MARKDOWN, rows).split("\n", 2);
            blocks.addObject().put("type", "TextBlock").put("text", lines[0].replace("**", ""))
                    .put("weight", "Bolder").put("size", "Medium").put("wrap", true);
            if (lines.length > 1) {
                blocks.addObject().put("type", "TextBlock").put("text", lines[1]).put("wrap", true);
            }
            ObjectNode body = JSON.createObjectNode();
            body.put("type", "message");
            ObjectNode attachment = body.putArray("attachments").addObject();
            attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
            attachment.putNull("contentUrl");
            attachment.set("content", card);
            return body;
        }
    },
    /** WeCom (企业微信) group robot: msgtype markdown, content at most 4,096 bytes; answers {"errcode":0}. */
    WECOM("wecom", "errcode") {
        @Override
        ObjectNode body(NoticeText words, Notice notice, int rows) {
            String content = within(words, notice, rows, 4096);
            ObjectNode body = JSON.createObjectNode();
            body.put("msgtype", "markdown");
            body.putObject("markdown").put("content", content);
            return body;
        }
    },
    /** DingTalk (钉钉) custom robot: msgtype markdown with a title; nobody is @-mentioned; answers {"errcode":0}. */
    DINGTALK("dingtalk", "errcode") {
        @Override
        ObjectNode body(NoticeText words, Notice notice, int rows) {
            ObjectNode body = JSON.createObjectNode();
            body.put("msgtype", "markdown");
            ObjectNode markdown = body.putObject("markdown");
            markdown.put("title", words.phrase(notice.title(), ChatFormat::neutral));
            markdown.put("text", within(words, notice, rows, 20_000));
            ObjectNode at = body.putObject("at");
            at.putArray("atMobiles");
            at.put("isAtAll", false);
            return body;
        }
    },
    /** Feishu / Lark custom bot: msg_type text (no markup, so nothing to escape but its at-tags); answers {"code":0}. */
    FEISHU("feishu", "code") {
        @Override
        ObjectNode body(NoticeText words, Notice notice, int rows) {
            ObjectNode body = JSON.createObjectNode();
            body.put("msg_type", "text");
            body.putObject("content").put("text", words.markdown(notice, FEISHU_TEXT, rows));
            return body;
        }
    },
    /** Any other receiver: the notice as JSON, its values as they are (JSON escapes them), and its text. */
    JSON_WEBHOOK("json", null) {
        @Override
        ObjectNode body(NoticeText words, Notice notice, int rows) {
            ObjectNode body = JSON.createObjectNode();
            body.put("kind", notice.kind());
            body.put("app", notice.app());
            body.put("title", words.phrase(notice.title(), v -> v));
            body.put("summary", words.phrase(notice.summary(), v -> v));
            ArrayNode sections = body.putArray("sections");
            for (Section section : notice.sections()) {
                ObjectNode each = sections.addObject();
                each.put("heading", section.heading() == null ? null : words.phrase(section.heading(), v -> v));
                if (!section.counts().isEmpty()) {
                    ObjectNode counts = each.putObject("counts");
                    for (Count count : section.counts()) {
                        counts.put(count.label(), count.count());
                    }
                }
                if (!section.rows().isEmpty()) {
                    ArrayNode list = each.putArray("rows");
                    for (List<Fact> row : section.rows()) {
                        ObjectNode fields = list.addObject();
                        row.forEach(fact -> fields.put(fact.name(), fact.value()));
                    }
                }
                each.put("more", section.more());
            }
            body.put("text", words.plain(notice));
            return body;
        }
    };

    static final ObjectMapper JSON = new ObjectMapper();

    private static final Pattern LINK = Pattern.compile("://");
    private static final Pattern MENTION = Pattern.compile("@(?=\\S)");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\u2028\\u2029]+");

    /** mrkdwn: a value in a code span, where Slack neither links, mentions nor formats. */
    private static final NoticeText.Markup SLACK_MARKUP = new NoticeText.Markup(
            v -> neutral(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('`', '\''),
            b -> "*" + b + "*", v -> "`" + v + "`", "• ", " · ");
    /** The markdown of Teams' TextBlock, WeCom and DingTalk: no code spans everywhere, so links and tags broken. */
    private static final NoticeText.Markup MARKDOWN = new NoticeText.Markup(
            v -> neutral(v).replace('<', '\uFF1C').replace('>', '\uFF1E')
                    .replace("*", "\\*").replace("`", "'"),
            b -> "**" + b + "**", v -> v, "- ", " · ");
    private static final NoticeText.Markup FEISHU_TEXT = new NoticeText.Markup(
            v -> neutral(v).replace('<', '\uFF1C').replace('>', '\uFF1E'), b -> b, v -> v, "- ", " · ");

    private final String type;
    /** The field of its answer that says whether it took the message (0), for tools that answer 200 either way. */
    private final String codeField;

    ChatFormat(String type, String codeField) {
        this.type = type;
        this.codeField = codeField;
    }

    /** The name of gateway.alert.webhook.<name>.type. */
    String type() {
        return type;
    }

    static ChatFormat of(String type, String channel) {
        for (ChatFormat format : values()) {
            if (format.type.equals(type)) {
                return format;
            }
        }
        throw new IllegalStateException("gateway.alert.webhook." + channel + ".type must be one of slack, teams, "
                + "wecom, dingtalk, feishu, json, got '" + type + "'");
    }

    /** The JSON the tool's webhook takes for this notice, at most {@code rows} rows a section. */
    abstract ObjectNode body(NoticeText words, Notice notice, int rows);

    /** Throws when the tool's answer says the message was not taken: an error status, or an error code in it. */
    void checkAnswer(int status, String answer) {
        if (status < 200 || status > 299) {
            throw new ChannelRefusedException("answered HTTP " + status);
        }
        if (codeField != null) {
            errorCode(answer, codeField);
        }
    }

    /**
     * A value from a callback, made inert in every chat tool: on one line, no {@code @mention} (a word joiner after
     * the @), no {@code scheme://} that a client would turn into a link, no markdown link ({@code ](} split).
     */
    static String neutral(String value) {
        String flat = CONTROL.matcher(value).replaceAll(" ");
        return LINK.matcher(MENTION.matcher(flat).replaceAll("@\u2060")).replaceAll(":\u200B//")
                .replace("](", "]\u200B(");
    }

    /** The markdown within the tool's size limit: fewer rows until it fits. */
    private static String within(NoticeText words, Notice notice, int rows, int maxBytes) {
        String text = words.markdown(notice, MARKDOWN, rows);
        for (int shown = rows; text.getBytes(StandardCharsets.UTF_8).length > maxBytes && shown > 0; shown /= 2) {
            text = words.markdown(notice, MARKDOWN, shown / 2);
        }
        return text;
    }

    private static void errorCode(String answer, String codeField) {
        JsonNode node;
        try {
            node = JSON.readTree(answer == null ? "" : answer);
        } catch (IOException e) {
            throw new ChannelRefusedException("answered 200 without the JSON its documents give: " + abbreviated(answer));
        }
        if (node == null || !node.path(codeField).canConvertToInt() || node.path(codeField).asInt() != 0) {
            // WeCom and DingTalk say why in errmsg, Feishu in msg
            String why = node == null ? "" : node.has("errmsg") ? node.path("errmsg").asText() : node.path("msg").asText();
            throw new ChannelRefusedException("answered " + codeField + " " + (node == null ? null : node.path(codeField))
                    + " (" + why + ")");
        }
    }

    private static String abbreviated(String text) {
        return text == null ? "" : text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
