package io.cssgateway.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.audit.AuditLine;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SelectionTest {

    private static final Instant FROM = Instant.parse("2026-11-30T10:00:00Z");
    private static final Instant TO = Instant.parse("2026-11-30T11:00:00Z");

    private static AuditLine line(String verdict, String receivedAt, int type, String stream, String routingKey)
            throws Exception {
        return new AuditLine(new ObjectMapper().readTree("{\"received_at\":\"" + receivedAt + "\",\"verdict\":\"" + verdict
                + "\",\"event_type\":" + type + ",\"stream_id\":\"" + stream + "\",\"app\":\"live.example.com\","
                + "\"routing_key\":\"" + routingKey + "\"}"));
    }

    private static Selection all() {
        return new Selection(FROM, TO, null, null, null, null);
    }

    @Test
    void onlyAcceptedEventsOfTheWindowAreSelected() throws Exception {
        assertThat(all().selects(line("accepted", "2026-11-30T10:00:00.000Z", 1, "s", "stream.push"))).isTrue();
        assertThat(all().selects(line("accepted", "2026-11-30T10:59:59.999Z", 1, "s", "stream.push"))).isTrue();
        assertThat(all().selects(line("accepted", "2026-11-30T11:00:00.000Z", 1, "s", "stream.push"))).isFalse();
        assertThat(all().selects(line("accepted", "2026-11-30T09:59:59.999Z", 1, "s", "stream.push"))).isFalse();
        assertThat(all().selects(line("duplicate", "2026-11-30T10:30:00.000Z", 1, "s", "stream.push"))).isFalse();
        assertThat(all().selects(line("rejected", "2026-11-30T10:30:00.000Z", 1, "s", "stream.push"))).isFalse();
        assertThat(all().selects(line("accepted", "not a time", 1, "s", "stream.push"))).isFalse();
    }

    @Test
    void filtersNarrowByTypeStreamAppAndRoutingKey() throws Exception {
        AuditLine interrupt = line("accepted", "2026-11-30T10:30:00.000Z", 0, "s1", "stream.interrupt.network");

        assertThat(new Selection(FROM, TO, Set.of(0, 100), null, null, null).selects(interrupt)).isTrue();
        assertThat(new Selection(FROM, TO, Set.of(1), null, null, null).selects(interrupt)).isFalse();
        assertThat(new Selection(FROM, TO, null, "s1", null, null).selects(interrupt)).isTrue();
        assertThat(new Selection(FROM, TO, null, "s2", null, null).selects(interrupt)).isFalse();
        assertThat(new Selection(FROM, TO, null, null, "live.example.com", null).selects(interrupt)).isTrue();
        assertThat(new Selection(FROM, TO, null, null, "other.example.com", null).selects(interrupt)).isFalse();
        assertThat(new Selection(FROM, TO, null, null, null, "stream.interrupt.#").selects(interrupt)).isTrue();
        assertThat(new Selection(FROM, TO, null, null, null, "stream.push").selects(interrupt)).isFalse();
    }

    @Test
    void aWindowThatEndsBeforeItStartsIsRefused() {
        assertThatThrownBy(() -> new Selection(TO, FROM, null, null, null, null))
                .hasMessageContaining("--from (2026-11-30T11:00:00Z) must be before --to (2026-11-30T10:00:00Z)");
    }
}
