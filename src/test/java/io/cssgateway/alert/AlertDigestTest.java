package io.cssgateway.alert;

import io.cssgateway.tenant.Tenants;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.harness.TestCallbacks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Push errors (321) and recording exceptions (341) join the digests, each in a section of its own. */
class AlertDigestTest {

    private static final List<String> CATEGORIES = List.of("network", "push-error", "record-error");

    private final AlertPolicy policy = new AlertPolicy(CATEGORIES, List.of("oncall@example.com"), Map.of(),
            List.of("network", "push-error", "record-error"));
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-30T10:00:00Z"), ZoneOffset.UTC);
    private final AlertDigests digests = new AlertDigests(policy, Tenants.none(), Duration.ZERO, 50, false, AlertTexts.of("en"), clock);

    private static JsonNode published(String sample, String event, String category) {
        ObjectNode body = TestCallbacks.sample(sample).json();
        body.put("event", event);
        if (category != null) {
            body.put("category", category);
        }
        return body;
    }

    private void add(JsonNode body, String id) {
        AlertKind kind = AlertKind.of(body);
        digests.add(kind, kind.read(body), id, () -> { }, null, null);
    }

    @Test
    void eachKindHasItsOwnSectionAndTheSubjectCountsThemAll() {
        add(published("0-interrupt.doc.json", "interrupt", "network"), "0:1");
        add(published("321-push-error.doc-2023.json", "push-error", null), "321:a");
        add(published("341-record-exception.doc.json", "record-error", null), "341:b");

        List<AlertDigest> due = digests.due();

        assertThat(due).hasSize(1);
        AlertDigest digest = due.get(0);
        AlertDelivery mail = mailed(digest, AlertTexts.of("en"));
        assertThat(digest.getAlerts()).isEqualTo(3);
        assertThat(mail.getSubject()).startsWith(
                "[CSS] 1 abnormal stream interruption, 1 push error, 1 recording exception, most serious: network");
        assertThat(digest.getByCategory()).containsOnlyKeys("network", "push-error", "record-error");
        assertThat(mail.getText()).contains("Abnormal stream interruptions (1 streams):")
                .contains("Push errors (1 streams):")
                .contains("problems=video frame arrive interval bigger than 1000(ms) x2; "
                        + "audio frame arrive interval bigger than 1000(ms) x2")
                .contains("data_time=2022-12-09 12:14:34Z")
                .contains("Recording exceptions (1 streams):");
        assertThat(mail.getHtml()).contains("<h3>Push errors (1 streams)</h3>")
                .contains("<h3>Recording exceptions (1 streams)</h3>").contains("<th>problems</th>");
    }

    @Test
    void aRecordingExceptionShowsItsLevelProblemAndSession() {
        JsonNode exception = published("341-record-exception.doc.json", "record-error", null);

        Map<String, String> alert = AlertKind.of(exception).read(exception);

        assertThat(AlertKind.of(exception)).isEqualTo(AlertKind.RECORD_ERROR);
        assertThat(alert.get("category")).isEqualTo("record-error");
        assertThat(alert.get("level")).isEqualTo(exception.get("exception_level").asText());
        assertThat(alert.get("problem")).startsWith(exception.get("exception").get("desc").asText() + " (type ");
        assertThat(alert.get("session_id")).isEqualTo(exception.get("session_id").asText());
        assertThat(alert.get("app")).isEqualTo(exception.get("domain").asText());
    }

    /** The digest as mail gets it: subject, text and HTML of its mail delivery. */
    static AlertDelivery mailed(AlertDigest digest, AlertTexts texts) {
        return new AlertChannels(true, Set.of(), List.of(), texts, 10, Duration.ofSeconds(10), Clock.systemUTC())
                .deliveries(digest).get(0);
    }
}
