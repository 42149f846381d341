package io.cssgateway.alert;

import io.cssgateway.support.Integers;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One digest mail: the abnormal interruptions of one window for one recipient list. Counts by category and
 * by app, then the streams (a stream interrupted several times is listed once, with its count) up to a bound,
 * then "and N more". Text and HTML renderings of the same content.
 */
public final class AlertDigest {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    /** One stream's interruptions in this window. */
    static final class StreamAlert {
        final Map<String, String> fields;
        int count = 1;

        StreamAlert(Map<String, String> fields) {
            this.fields = fields;
        }
    }

    private final List<String> recipients;
    private final Instant openedAt;
    private final Map<String, StreamAlert> streams = new LinkedHashMap<>();
    private final Map<String, Integer> byCategory = new TreeMap<>();
    private final Map<String, Integer> byApp = new TreeMap<>();
    private final List<Runnable> acks = new ArrayList<>();
    private int interruptions;
    private Instant closedAt;
    private String mostSerious;
    private int maxStreams;

    AlertDigest(List<String> recipients, Instant openedAt) {
        this.recipients = List.copyOf(recipients);
        this.openedAt = openedAt;
    }

    void add(Map<String, String> alert, Runnable ack) {
        interruptions++;
        byCategory.merge(alert.get("category"), 1, Integer::sum);
        byApp.merge(String.valueOf(alert.get("app")), 1, Integer::sum);
        String stream = alert.get("app") + "/" + alert.get("stream_id");
        StreamAlert known = streams.get(stream);
        if (known == null) {
            streams.put(stream, new StreamAlert(alert));
        } else {
            known.count++;
        }
        acks.add(ack);
    }

    void addAcknowledgement(Runnable ack) {
        acks.add(ack);
    }

    void close(Instant at, String mostSeriousCategory, int streamsShown) {
        this.closedAt = at;
        this.mostSerious = mostSeriousCategory;
        this.maxStreams = streamsShown;
    }

    /** Acknowledges every interruption of this digest to the broker: they are delivered (or kept). */
    void acknowledge() {
        acks.forEach(Runnable::run);
        acks.clear();
    }

    Instant openedAt() {
        return openedAt;
    }

    public int getInterruptions() {
        return interruptions;
    }

    public String getRecipients() {
        return String.join(",", recipients);
    }

    public Map<String, Integer> getByCategory() {
        return byCategory;
    }

    public String getSubject() {
        return "[CSS] " + interruptions + " abnormal stream interruption" + (interruptions == 1 ? "" : "s")
                + ", most serious: " + mostSerious + " (" + TIME.format(openedAt) + ")";
    }

    private List<StreamAlert> shownStreams() {
        return streams.values().stream()
                .sorted(Comparator.comparingInt((StreamAlert s) -> -s.count))
                .limit(maxStreams).toList();
    }

    private static final String[] COLUMNS = {
        "stream_id", "app", "errcode", "errmsg", "event_time", "node", "user_ip", "push_duration", "category"};

    public String getText() {
        StringBuilder text = new StringBuilder();
        text.append(interruptions).append(" abnormal stream interruptions of ").append(streams.size())
                .append(" streams between ").append(TIME.format(openedAt)).append(" and ")
                .append(TIME.format(closedAt)).append(" (").append(Duration.between(openedAt, closedAt).toSeconds())
                .append(" s).\n\nBy category:\n");
        byCategory.forEach((category, n) -> text.append(String.format("  %-20s %d%n", category, n)));
        text.append("\nBy app:\n");
        byApp.forEach((app, n) -> text.append(String.format("  %-40s %d%n", app, n)));
        text.append("\nStreams:\n");
        for (StreamAlert stream : shownStreams()) {
            text.append("  ");
            for (String column : COLUMNS) {
                text.append(column).append('=').append(value(stream, column)).append("  ");
            }
            text.append("count=").append(stream.count).append('\n');
        }
        int more = streams.size() - Math.min(streams.size(), maxStreams);
        if (more > 0) {
            text.append("  and ").append(more).append(" more\n");
        }
        return text.toString();
    }

    public String getHtml() {
        StringBuilder html = new StringBuilder("<html><body>");
        html.append("<p>").append(interruptions).append(" abnormal stream interruptions of ").append(streams.size())
                .append(" streams between ").append(TIME.format(openedAt)).append(" and ")
                .append(TIME.format(closedAt)).append(".</p>");
        html.append("<h3>By category</h3><table border=\"1\" cellpadding=\"3\">");
        byCategory.forEach((c, n) -> html.append("<tr><td>").append(escape(c)).append("</td><td>").append(n).append("</td></tr>"));
        html.append("</table><h3>By app</h3><table border=\"1\" cellpadding=\"3\">");
        byApp.forEach((a, n) -> html.append("<tr><td>").append(escape(a)).append("</td><td>").append(n).append("</td></tr>"));
        html.append("</table><h3>Streams</h3><table border=\"1\" cellpadding=\"3\"><tr>");
        for (String column : COLUMNS) {
            html.append("<th>").append(column).append("</th>");
        }
        html.append("<th>count</th></tr>");
        for (StreamAlert stream : shownStreams()) {
            html.append("<tr>");
            for (String column : COLUMNS) {
                html.append("<td>").append(escape(value(stream, column))).append("</td>");
            }
            html.append("<td>").append(stream.count).append("</td></tr>");
        }
        html.append("</table>");
        int more = streams.size() - Math.min(streams.size(), maxStreams);
        if (more > 0) {
            html.append("<p>and ").append(more).append(" more</p>");
        }
        return html.append("</body></html>").toString();
    }

    private static String value(StreamAlert stream, String column) {
        String value = stream.fields.get(column);
        if (value == null) {
            return "-";
        }
        if (column.equals("event_time") && Integers.isInteger(value)) {
            return TIME.format(Instant.ofEpochSecond(Long.parseLong(value)));
        }
        if (column.equals("push_duration") && Integers.isInteger(value)) {
            return Duration.ofMillis(Long.parseLong(value)).toSeconds() + " s";
        }
        return value;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
