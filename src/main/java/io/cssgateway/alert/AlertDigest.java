package io.cssgateway.alert;

import io.cssgateway.alert.Notice.Count;
import io.cssgateway.alert.Notice.Fact;
import io.cssgateway.alert.Notice.Phrase;
import io.cssgateway.alert.Notice.Section;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One digest: the alerts of one window for one recipient list. Counts by category and by app, then a section per
 * kind of alert (abnormal interruptions, push errors, recording exceptions), each listing its streams (a stream
 * alerted several times is listed once, with its count) up to a bound, then "and N more". A chat channel narrowed to
 * some push domains gets the same digest made of their streams only.
 */
public final class AlertDigest implements Alert {

    /** One stream's alerts of one kind in this window. */
    static final class StreamAlert {
        final Map<String, String> fields;
        int count = 1;

        StreamAlert(Map<String, String> fields) {
            this.fields = fields;
        }
    }

    /** The OpenTelemetry SDK's own bound on a span's links (OTEL_SPAN_LINK_COUNT_LIMIT's default). */
    static final int MAX_TRACE_LINKS = 128;

    private final List<String> recipients;
    private final Instant openedAt;
    private final NoticeText words;
    private final Map<AlertKind, Map<String, StreamAlert>> streams = new EnumMap<>(AlertKind.class);
    private final List<Runnable> acks = new ArrayList<>();
    private final List<String> traceLinks = new ArrayList<>();
    private int alerts;
    private Instant closedAt;
    private String mostSerious;
    private int maxStreams;
    private Comparator<String> severity = Comparator.naturalOrder();

    AlertDigest(List<String> recipients, Instant openedAt, NoticeText words) {
        this.recipients = List.copyOf(recipients);
        this.openedAt = openedAt;
        this.words = words;
    }

    /** @param traceparent the event's trace context, or null */
    void add(AlertKind kind, Map<String, String> alert, Runnable ack, String traceparent) {
        alerts++;
        if (traceparent != null && traceLinks.size() < MAX_TRACE_LINKS) {
            traceLinks.add(traceparent);
        }
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

    void close(Instant at, Comparator<String> bySeverity, int streamsShown) {
        this.closedAt = at;
        this.severity = bySeverity;
        this.mostSerious = getByCategory().keySet().stream().min(bySeverity).orElse(null);
        this.maxStreams = streamsShown;
    }

    /** Acknowledges every alert of this digest to the broker: every channel delivered it, or kept it. */
    @Override
    public void delivered() {
        acks.forEach(Runnable::run);
        acks.clear();
    }

    /** The trace contexts of its first {@value #MAX_TRACE_LINKS} events (a span's links are bounded there too). */
    @Override
    public List<String> traceLinks() {
        return List.copyOf(traceLinks);
    }

    Instant openedAt() {
        return openedAt;
    }

    @Override
    public String kind() {
        return "interruptions";
    }

    @Override
    public List<String> recipients() {
        return recipients;
    }

    /** How many alerts the digest holds, of every kind. */
    public int getAlerts() {
        return alerts;
    }

    /** How many alerts of each category. */
    public Map<String, Integer> getByCategory() {
        return counted(a -> true, "category");
    }

    private Map<String, Integer> counted(Predicate<String> domains, String field) {
        Map<String, Integer> counts = new TreeMap<>();
        streams.values().forEach(each -> each.values().stream().filter(s -> domains.test(s.fields.get("app")))
                .forEach(s -> counts.merge(String.valueOf(s.fields.get(field)), s.count, Integer::sum)));
        return counts;
    }

    @Override
    public Notice notice(Predicate<String> domains) {
        List<Phrase> counts = new ArrayList<>();
        List<Section> streamSections = new ArrayList<>();
        for (Map.Entry<AlertKind, Map<String, StreamAlert>> kind : streams.entrySet()) {
            List<StreamAlert> theirs = kind.getValue().values().stream()
                    .filter(s -> domains.test(s.fields.get("app"))).toList();
            if (theirs.isEmpty()) {
                continue;
            }
            counts.add(Phrase.counted("kind." + kind.getKey().key, theirs.stream().mapToInt(s -> s.count).sum()));
            List<List<Fact>> rows = theirs.stream().sorted(Comparator.comparingInt((StreamAlert s) -> -s.count))
                    .limit(maxStreams).map(s -> row(kind.getKey(), s)).toList();
            streamSections.add(Section.rows(Phrase.of("section." + kind.getKey().key, theirs.size()), rows,
                    theirs.size() - rows.size()));
        }
        if (counts.isEmpty()) {
            return null;
        }
        Map<String, Integer> byCategory = counted(domains, "category");
        // counts by category and by app, then a section per kind
        List<Section> sections = new ArrayList<>();
        sections.add(Section.counts(Phrase.of("digest.by-category"), counts(byCategory), 20));
        sections.add(Section.counts(Phrase.of("digest.by-app"), counts(counted(domains, "app")), 40));
        sections.addAll(streamSections);
        String serious = byCategory.keySet().stream().min(severity).orElse(mostSerious);
        return new Notice(kind(), null,
                Phrase.of("digest.title", counts, serious, AlertKind.TIME.format(openedAt)),
                Phrase.of("digest.summary", counts, AlertKind.TIME.format(openedAt), AlertKind.TIME.format(closedAt),
                        Duration.between(openedAt, closedAt).toSeconds()),
                sections);
    }

    private static List<Count> counts(Map<String, Integer> counts) {
        return counts.entrySet().stream().map(e -> new Count(e.getKey(), e.getValue())).toList();
    }

    private List<Fact> row(AlertKind kind, StreamAlert stream) {
        List<Fact> row = new ArrayList<>();
        for (String column : kind.columns) {
            row.add(Fact.field(column, stream.fields.get(column)));
            if (column.equals("errmsg") && kind == AlertKind.INTERRUPTION) {
                row.add(Fact.named("column.description", words.errcode(stream.fields.get("errcode"))));
            }
        }
        row.add(Fact.named("column.count", Integer.toString(stream.count)));
        return row;
    }
}
