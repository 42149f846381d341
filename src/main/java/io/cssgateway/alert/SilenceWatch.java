package io.cssgateway.alert;

import com.fasterxml.jackson.databind.JsonNode;
import io.cssgateway.alert.Notice.Fact;
import io.cssgateway.alert.Notice.Phrase;
import io.cssgateway.alert.Notice.Section;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Silence: no callback accepted, by any instance, for gateway.alert.silence.after-seconds, per push domain and/or
 * overall. Every instance sends its {@linkplain AcceptedCallbacks heartbeat} to one queue with a single active
 * consumer; the instance that consumes it (the lead) merges them, so that silence is every instance's silence, and
 * it alone alerts: one "callbacks stopped", then one "callbacks are back". Domains watched: those listed in
 * configuration, and those seen within gateway.alert.silence.forget-after-hours.
 */
public final class SilenceWatch {

    private static final Logger LOG = LoggerFactory.getLogger(SilenceWatch.class);
    private static final String OVERALL = "";

    /** The last callback accepted for a domain, by any instance. */
    private record Last(long at, String eventType, String streamId, String messageId, String instance) {}

    private final Duration after;
    private final boolean perDomain;
    private final boolean overall;
    private final Set<String> listed;
    private final Duration forgetAfter;
    private final Duration heartbeat;
    private final Function<String, List<String>> recipients;
    private final Clock clock;

    private final Map<String, Last> lastByApp = new HashMap<>();
    private final Map<String, Long> silentSince = new HashMap<>();
    private long lastHeard;
    private long leadSince = -1;

    /**
     * @param after how long without a callback is silence; zero: off
     * @param heartbeat how often each instance sends its heartbeat
     * @param recipients the mail recipients of a domain's silence (null: all domains): its tenant's, or the gateway's
     */
    public SilenceWatch(Duration after, boolean perDomain, boolean overall, Set<String> listed, Duration forgetAfter,
            Duration heartbeat, Function<String, List<String>> recipients, Clock clock) {
        this.after = after;
        this.perDomain = perDomain;
        this.overall = overall;
        this.listed = Set.copyOf(listed);
        this.forgetAfter = forgetAfter;
        this.heartbeat = heartbeat;
        this.recipients = recipients;
        this.clock = clock;
    }

    /** One instance's heartbeat, read from the queue (only the lead reads it). */
    public synchronized void heard(byte[] body) {
        JsonNode beat;
        try {
            beat = ChatFormat.JSON.readTree(body);
        } catch (IOException e) {
            LOG.warn("A message on the heartbeat queue is not a heartbeat and is dropped: {}", e.toString());
            return;
        }
        long now = clock.millis();
        if (!isLead(now)) {
            // (again) the lead: what an earlier turn knew is stale; listen to every instance for a while first
            lastByApp.clear();
            silentSince.clear();
            leadSince = now;
            LOG.info("Silence: this instance watches for silence on behalf of every instance");
        }
        lastHeard = now;
        String instance = beat.path("instance").asText();
        beat.path("apps").fields().forEachRemaining(app -> {
            JsonNode last = app.getValue();
            long at = last.path("at").asLong();
            Last known = lastByApp.get(app.getKey());
            if (known == null || at > known.at()) {
                lastByApp.put(app.getKey(), new Last(at, last.path("event_type").asText(),
                        last.path("stream_id").asText(null), last.path("message_id").asText(null), instance));
            }
        });
    }

    /** Whether this instance has lately consumed the heartbeats, and so watches for all. */
    public synchronized boolean isLead() {
        return isLead(clock.millis());
    }

    private boolean isLead(long now) {
        return leadSince >= 0 && now - lastHeard <= heartbeat.toMillis() * 3;
    }

    /** The alerts of this check: a domain (or all) gone silent, or back. */
    public synchronized List<Alert> check() {
        long now = clock.millis();
        // listen to every instance's heartbeat once before judging
        if (after.isZero() || !isLead(now) || now - leadSince < heartbeat.toMillis() * 2) {
            return List.of();
        }
        lastByApp.entrySet().removeIf(e -> !listed.contains(e.getKey()) && now - e.getValue().at() > forgetAfter.toMillis());
        Set<String> scopes = new LinkedHashSet<>();
        if (overall) {
            scopes.add(OVERALL);
        }
        if (perDomain) {
            scopes.addAll(listed);
            lastByApp.keySet().stream().filter(app -> !app.isEmpty()).sorted().forEach(scopes::add);
        }
        List<Alert> alerts = new ArrayList<>();
        for (String scope : scopes) {
            Last last = scope.equals(OVERALL) ? lastByApp.values().stream().max((a, b) -> Long.compare(a.at(), b.at()))
                    .orElse(null) : lastByApp.get(scope);
            // never seen since this instance leads: counted from then
            long lastAt = last == null ? leadSince : last.at();
            boolean silent = now - lastAt >= after.toMillis();
            Long since = silentSince.get(scope);
            if (silent && since == null) {
                silentSince.put(scope, lastAt);
                alerts.add(alert(scope, "stopped", last, (now - lastAt) / 1000));
            } else if (!silent && since != null) {
                silentSince.remove(scope);
                alerts.add(alert(scope, "back", last, (lastAt - since) / 1000));
            }
        }
        return alerts;
    }

    private Alert alert(String scope, String state, Last last, long seconds) {
        Phrase what = scope.equals(OVERALL) ? Phrase.of("silence.scope.all") : Phrase.of("silence.scope.domain", scope);
        List<Fact> facts = new ArrayList<>();
        if (last != null) {
            facts.add(Fact.named("fact.last-accepted", AlertKind.TIME.format(Instant.ofEpochMilli(last.at()))));
            facts.add(Fact.field("event_type", last.eventType()));
            facts.add(Fact.field("stream_id", last.streamId()));
            facts.add(Fact.field("message_id", last.messageId()));
            facts.add(Fact.named("fact.instance", last.instance()));
        }
        Phrase summary = state.equals("stopped") ? Phrase.of("silence.summary.stopped", seconds, after.toSeconds())
                : Phrase.of("silence.summary.back", seconds);
        List<Section> sections = new ArrayList<>();
        if (last != null) {
            sections.add(Section.facts(facts));
        }
        Notice notice = new Notice("silence", scope.equals(OVERALL) ? null : scope, Phrase.of("silence." + state, what),
                summary, sections);
        return new PlainAlert("silence", recipients.apply(notice.app()), notice);
    }
}
