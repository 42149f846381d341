package io.cssgateway.alert;

import io.cssgateway.alert.Notice.Fact;
import io.cssgateway.alert.Notice.Phrase;
import io.cssgateway.alert.Notice.Section;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The gateway's own trouble, told by the gateway itself for sites without an alerting stack: each condition once
 * when it starts, a reminder every gateway.alert.reminder-minutes while it lasts, once when it ends. A condition is
 * a check that says what is wrong (with the facts to show), or null while all is well.
 */
public final class GatewayTrouble {

    /** What a check sees while something is wrong: a sentence, and facts (spool depth...) to show with it. */
    public record Finding(String detail, List<Fact> facts) {
        public Finding {
            facts = List.copyOf(facts);
        }
    }

    /** One condition: its kind ({@link Notice#KINDS}), and its check (null while all is well). */
    public record Condition(String kind, Supplier<Finding> check) {}

    private final String instance;
    private final Duration reminder;
    private final List<String> recipients;
    private final Clock clock;
    private final Map<String, Condition> conditions = new LinkedHashMap<>();
    private final Map<String, Instant> since = new LinkedHashMap<>();
    private final Map<String, Instant> reminded = new LinkedHashMap<>();

    public GatewayTrouble(String instance, Duration reminder, List<String> recipients, Clock clock,
            List<Condition> conditions) {
        this.instance = instance;
        this.reminder = reminder;
        this.recipients = List.copyOf(recipients);
        this.clock = clock;
        conditions.forEach(c -> this.conditions.put(c.kind(), c));
    }

    /** The alerts of this check: trouble that began, lasts past a reminder, or ended. */
    public synchronized List<Alert> check() {
        Instant now = clock.instant();
        List<Alert> alerts = new ArrayList<>();
        for (Condition condition : conditions.values()) {
            Finding finding;
            try {
                finding = condition.check().get();
            } catch (RuntimeException e) {
                // a check that cannot run says nothing this time (the next one tries again)
                continue;
            }
            String kind = condition.kind();
            Instant began = since.get(kind);
            if (finding != null && began == null) {
                since.put(kind, now);
                reminded.put(kind, now);
                alerts.add(alert(kind, "started", now, now, finding));
            } else if (finding != null && !now.isBefore(reminded.get(kind).plus(reminder))) {
                reminded.put(kind, now);
                alerts.add(alert(kind, "lasting", began, now, finding));
            } else if (finding == null && began != null) {
                since.remove(kind);
                reminded.remove(kind);
                alerts.add(alert(kind, "ended", began, now, null));
            }
        }
        return alerts;
    }

    private Alert alert(String kind, String state, Instant began, Instant now, Finding finding) {
        long minutes = Duration.between(began, now).toMinutes();
        List<Section> sections = new ArrayList<>();
        List<Fact> facts = new ArrayList<>();
        facts.add(Fact.named("fact.instance", instance));
        facts.add(Fact.named("fact.since", AlertKind.TIME.format(began)));
        if (finding != null) {
            facts.addAll(finding.facts());
        }
        sections.add(Section.facts(facts));
        Phrase summary = state.equals("ended") ? Phrase.of("trouble.summary.ended", AlertKind.TIME.format(now))
                : Phrase.of("trouble.summary." + state, AlertKind.TIME.format(began), finding.detail());
        Notice notice = new Notice(kind, null, Phrase.of("trouble." + state, Phrase.of("trouble." + kind), instance,
                minutes), summary, sections);
        return new PlainAlert(kind, recipients, notice);
    }
}
