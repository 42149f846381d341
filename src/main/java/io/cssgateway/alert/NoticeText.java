package io.cssgateway.alert;

import io.cssgateway.alert.Notice.Count;
import io.cssgateway.alert.Notice.Fact;
import io.cssgateway.alert.Notice.Phrase;
import io.cssgateway.alert.Notice.Section;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A notice in words, for one channel's markup: {@link #plain} for mail text and plain-text chats, {@link #html} for
 * mail, {@link #markdown} for chat tools. Every value from a callback passes through the channel's escaping; the
 * gateway's own words (from {@link AlertTexts}) do not.
 */
final class NoticeText {

    /** How a channel writes emphasis, a value, a list item; and how it escapes a value. */
    record Markup(UnaryOperator<String> escape, UnaryOperator<String> bold, UnaryOperator<String> value,
            String item, String separator) {}

    static final Markup PLAIN = new Markup(v -> v, b -> b, v -> v, "  ", "  ");

    private final AlertTexts texts;

    NoticeText(AlertTexts texts) {
        this.texts = texts;
    }

    /** A phrase with its values escaped for the channel (numbers and times are the gateway's own). */
    String phrase(Phrase phrase, UnaryOperator<String> escape) {
        if (phrase == null) {
            return "";
        }
        Object[] args = phrase.args().stream().map(arg -> argument(arg, escape)).toArray();
        String key = phrase.count() == null ? phrase.key() : texts.counted(phrase.key(), phrase.count());
        return texts.format(key, args);
    }

    /** A value escaped; a phrase in its words; phrases in a list joined as the language joins them. */
    private Object argument(Object arg, UnaryOperator<String> escape) {
        if (arg instanceof String text) {
            return escape.apply(text);
        }
        if (arg instanceof Phrase inner) {
            return phrase(inner, escape);
        }
        if (arg instanceof List<?> list) {
            return String.join(texts.format("list.separator"), list.stream().map(a -> String.valueOf(argument(a, escape)))
                    .toList());
        }
        return arg;
    }

    /** The summary then each section, as mail's plain-text part has always shown it. */
    String plain(Notice notice) {
        StringBuilder text = new StringBuilder(phrase(notice.summary(), PLAIN.escape())).append('\n');
        for (Section section : notice.sections()) {
            text.append('\n');
            if (section.heading() != null) {
                text.append(phrase(section.heading(), PLAIN.escape())).append(":\n");
            }
            for (Count count : section.counts()) {
                text.append(String.format("  %-" + section.width() + "s %d%n", count.label(), count.count()));
            }
            for (List<Fact> row : section.rows()) {
                text.append("  ");
                for (Fact fact : row) {
                    text.append(name(fact)).append('=').append(shown(fact.value())).append("  ");
                }
                text.setLength(text.length() - 2);
                text.append('\n');
            }
            more(section, text, "  ");
        }
        return text.toString();
    }

    /** The same as an HTML page: a table per section. */
    String html(Notice notice) {
        StringBuilder html = new StringBuilder("<html><body><p>")
                .append(phrase(notice.summary(), NoticeText::escapeHtml)).append("</p>");
        for (Section section : notice.sections()) {
            if (section.heading() != null) {
                html.append("<h3>").append(phrase(section.heading(), NoticeText::escapeHtml)).append("</h3>");
            }
            html.append("<table border=\"1\" cellpadding=\"3\">");
            for (Count count : section.counts()) {
                html.append("<tr><td>").append(escapeHtml(count.label())).append("</td><td>").append(count.count())
                        .append("</td></tr>");
            }
            if (!section.rows().isEmpty()) {
                html.append("<tr>");
                for (Fact fact : section.rows().get(0)) {
                    html.append("<th>").append(escapeHtml(name(fact))).append("</th>");
                }
                html.append("</tr>");
            }
            for (List<Fact> row : section.rows()) {
                html.append("<tr>");
                for (Fact fact : row) {
                    html.append("<td>").append(escapeHtml(shown(fact.value()))).append("</td>");
                }
                html.append("</tr>");
            }
            html.append("</table>");
            if (section.more() > 0) {
                html.append("<p>").append(texts.format("more", section.more())).append("</p>");
            }
        }
        return html.append("</body></html>").toString();
    }

    /** Title, summary and sections in a chat tool's markup, at most {@code rows} rows a section. */
    String markdown(Notice notice, Markup markup, int rows) {
        StringBuilder text = new StringBuilder(markup.bold().apply(phrase(notice.title(), markup.escape())))
                .append('\n').append(phrase(notice.summary(), markup.escape())).append('\n');
        for (Section section : notice.sections()) {
            if (section.heading() != null) {
                text.append('\n').append(markup.bold().apply(phrase(section.heading(), markup.escape()))).append('\n');
            }
            for (Count count : section.counts()) {
                text.append(markup.item()).append(markup.value().apply(markup.escape().apply(count.label())))
                        .append(": ").append(count.count()).append('\n');
            }
            List<List<Fact>> shown = section.rows().subList(0, Math.min(rows, section.rows().size()));
            for (List<Fact> row : shown) {
                text.append(markup.item());
                for (int i = 0; i < row.size(); i++) {
                    Fact fact = row.get(i);
                    if (i > 0) {
                        text.append(markup.separator());
                    }
                    text.append(name(fact)).append(": ")
                            .append(markup.value().apply(markup.escape().apply(shown(fact.value()))));
                }
                text.append('\n');
            }
            Section cut = new Section(section.heading(), section.counts(), section.width(), shown,
                    section.more() + section.rows().size() - shown.size());
            more(cut, text, "");
        }
        return text.toString().stripTrailing();
    }

    /** The provider's description of an interruption's errcode in this language, where its documents give one. */
    String errcode(String code) {
        return code == null ? null : texts.optional("errcode." + code);
    }

    private void more(Section section, StringBuilder text, String indent) {
        if (section.more() > 0) {
            text.append(indent).append(texts.format("more", section.more())).append('\n');
        }
    }

    private String name(Fact fact) {
        return fact.named() ? texts.format(fact.name()) : fact.name();
    }

    private static String shown(String value) {
        return value == null ? "-" : value;
    }

    static String escapeHtml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
