package io.cssgateway.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One digest mail: the alerts of one window for one recipient list. Counts by category and by app, then a section
 * per kind of alert (abnormal interruptions, push errors, recording exceptions), each listing its streams (a stream
 * alerted several times is listed once, with its count) up to a bound, then "and N more". Text and HTML renderings of
 * the same content.
 */
public final class AlertDigest {

    /** One stream's alerts of one kind in this window. */
    static final class StreamAlert {
        final Map<String, String> fields;
        int count = 1;

        StreamAlert(Map<String, String> fields) {
            this.fields = fields;
        }
    }

    private final List<String> recipients;
    private final Instant openedAt;
    private final Map<AlertKind, Map<String, StreamAlert>> streams = new EnumMap<>(AlertKind.class);
    private final Map<AlertKind, Integer> counts = new EnumMap<>(AlertKind.class);
    private final Map<String, Integer> byCategory = new TreeMap<>();
    private final Map<String, Integer> byApp = new TreeMap<>();
    private final List<Runnable> acks = new ArrayList<>();
    private int alerts;
    private Instant closedAt;
    private String mostSerious;
    private int maxStreams;

    AlertDigest(List<String> recipients, Instant openedAt) {
        this.recipients = List.copyOf(recipients);
        this.openedAt = openedAt;
    }

    void add(AlertKind kind, Map<String, String> alert, Runnable ack) {
        alerts++;
        counts.merge(kind, 1, Integer::sum);
        byCategory.merge(String.valueOf(alert.get("category")), 1, Integer::sum);
        byApp.merge(String.valueOf(alert.get("app")), 1, Integer::sum);
        String stream = alert.get("app") + "/" + alert.get("stream_id");
        StreamAlert known = streams.computeIfAbsent(kind, k -> new LinkedHashMap<>()).get(stream);
        if (known == null) {
            streams.get(kind).put(stream, new StreamAlert(alert));
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

    /** Acknowledges every alert of this digest to the broker: they are delivered (or kept). */
    void acknowledge() {
        acks.forEach(Runnable::run);
        acks.clear();
    }

    Instant openedAt() {
        return openedAt;
    }

    /** How many alerts the digest holds, of every kind. */
    public int getAlerts() {
        return alerts;
    }

    public String getRecipients() {
        return String.join(",", recipients);
    }

    public Map<String, Integer> getByCategory() {
        return byCategory;
    }

    /** "3 abnormal stream interruptions, 1 push error": the count of each kind the digest holds. */
    private String counted() {
        List<String> each = new ArrayList<>();
        counts.forEach((kind, n) -> each.add(n + " " + (n == 1 ? kind.one : kind.many)));
        return String.join(", ", each);
    }

    public String getSubject() {
        return "[CSS] " + counted() + ", most serious: " + mostSerious + " (" + AlertKind.TIME.format(openedAt) + ")";
    }

    private List<StreamAlert> shown(AlertKind kind) {
        return streams.get(kind).values().stream()
                .sorted(Comparator.comparingInt((StreamAlert s) -> -s.count))
                .limit(maxStreams).toList();
    }

    private int notShown(AlertKind kind) {
        return streams.get(kind).size() - Math.min(streams.get(kind).size(), maxStreams);
    }

    private String between() {
        return "between " + AlertKind.TIME.format(openedAt) + " and " + AlertKind.TIME.format(closedAt);
    }

    public String getText() {
        StringBuilder text = new StringBuilder();
        text.append(counted()).append(' ').append(between()).append(" (")
                .append(Duration.between(openedAt, closedAt).toSeconds()).append(" s).\n\nBy category:\n");
        byCategory.forEach((category, n) -> text.append(String.format("  %-20s %d%n", category, n)));
        text.append("\nBy app:\n");
        byApp.forEach((app, n) -> text.append(String.format("  %-40s %d%n", app, n)));
        for (AlertKind kind : streams.keySet()) {
            text.append('\n').append(capitalised(kind.many)).append(" (").append(streams.get(kind).size())
                    .append(" streams):\n");
            for (StreamAlert stream : shown(kind)) {
                text.append("  ");
                for (String column : kind.columns) {
                    text.append(column).append('=').append(value(stream, column)).append("  ");
                }
                text.append("count=").append(stream.count).append('\n');
            }
            if (notShown(kind) > 0) {
                text.append("  and ").append(notShown(kind)).append(" more\n");
            }
        }
        return text.toString();
    }

    public String getHtml() {
        StringBuilder html = new StringBuilder("<html><body>");
        html.append("<p>").append(escape(counted())).append(' ').append(between()).append(".</p>");
        html.append("<h3>By category</h3><table border=\"1\" cellpadding=\"3\">");
        byCategory.forEach((c, n) -> html.append("<tr><td>").append(escape(c)).append("</td><td>").append(n).append("</td></tr>"));
        html.append("</table><h3>By app</h3><table border=\"1\" cellpadding=\"3\">");
        byApp.forEach((a, n) -> html.append("<tr><td>").append(escape(a)).append("</td><td>").append(n).append("</td></tr>"));
        html.append("</table>");
        for (AlertKind kind : streams.keySet()) {
            html.append("<h3>").append(capitalised(kind.many)).append("</h3><table border=\"1\" cellpadding=\"3\"><tr>");
            for (String column : kind.columns) {
                html.append("<th>").append(column).append("</th>");
            }
            html.append("<th>count</th></tr>");
            for (StreamAlert stream : shown(kind)) {
                html.append("<tr>");
                for (String column : kind.columns) {
                    html.append("<td>").append(escape(value(stream, column))).append("</td>");
                }
                html.append("<td>").append(stream.count).append("</td></tr>");
            }
            html.append("</table>");
            if (notShown(kind) > 0) {
                html.append("<p>and ").append(notShown(kind)).append(" more</p>");
            }
        }
        return html.append("</body></html>").toString();
    }

    private static String value(StreamAlert stream, String column) {
        String value = stream.fields.get(column);
        return value == null ? "-" : value;
    }

    private static String capitalised(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
