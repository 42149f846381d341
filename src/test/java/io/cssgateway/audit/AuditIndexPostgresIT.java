package io.cssgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.harness.SharedDatabase;
import io.cssgateway.support.TopicPattern;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The audit index in the real PostgreSQL, where it differs from H2: a partition per UTC day, created by whichever of
 * two instances comes first; the positions' upsert; the topic pattern as a POSIX regular expression; the retention
 * dropping a day's partition whole.
 */
class AuditIndexPostgresIT {

    private final String table = SharedDatabase.uniqueTable("audit_pg");
    private AuditIndex first;
    private AuditIndex second;

    @BeforeEach
    void open() {
        first = open(table);
        second = open(table);
    }

    private static AuditIndex open(String table) {
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        postgres.setURL(SharedDatabase.URL);
        postgres.setUser(SharedDatabase.USER);
        postgres.setReWriteBatchedInserts(true);
        return new AuditIndex(postgres, true, SharedDatabase.URL, table, 2, Duration.ofSeconds(5));
    }

    @AfterEach
    void drop() {
        first.close();
        second.close();
        SharedDatabase.dropAuditIndex(table);
    }

    private static AuditIndex.NewLine line(String at, String instance, String eventId, String stream, String verdict,
            String routingKey) {
        return new AuditIndex.NewLine(Instant.parse(at).toEpochMilli(), instance, "10.0.0.1", 200, verdict, null,
                eventId, 1, "push", stream, "live.example.com", null, routingKey, null,
                "{\"received_at\":\"" + at + "\",\"body\":{}}");
    }

    private static long[] position(long bytes, String day) {
        return new long[] {bytes, LocalDate.parse(day).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli()};
    }

    @Test
    void twoInstancesWriteIntoDayPartitionsAndTheRetentionDropsAWholeDay() throws Exception {
        first.add("host-a:/audit", List.of(line("2026-11-01T10:00:00Z", "a", "1:1", "s", "accepted", "stream.push"),
                line("2026-12-04T10:00:00Z", "a", "1:2", "s", "accepted", "stream.push")),
                Map.of("audit-2026-11-01.jsonl", position(100, "2026-11-01"),
                        "audit-2026-12-04.jsonl", position(100, "2026-12-04")));
        // the second instance finds the days' partitions there (it created none of its own)
        second.add("host-b:/audit", List.of(line("2026-11-01T11:00:00Z", "b", "1:0", "s", "accepted", "stream.push"),
                line("2026-12-04T11:00:00Z", "b", "1:2", "s", "duplicate", null),
                line("2026-12-04T12:00:00Z", "b", "0:3", "t", "accepted", "stream.interrupt.network")),
                Map.of("audit-2026-12-04.jsonl", position(200, "2026-12-04")));
        // a position moves on (the upsert), per folder
        first.add("host-a:/audit", List.of(), Map.of("audit-2026-12-04.jsonl", position(300, "2026-12-04")));
        assertThat(first.positions("host-a:/audit")).containsEntry("audit-2026-12-04.jsonl", 300L)
                .containsEntry("audit-2026-11-01.jsonl", 100L);
        assertThat(first.positions("host-b:/audit")).containsExactly(Map.entry("audit-2026-12-04.jsonl", 200L));
        assertThat(SharedDatabase.single("SELECT COUNT(*) FROM pg_inherits WHERE inhparent = '" + table
                + "'::regclass")).isEqualTo(2);

        AuditIndex.Search all = new AuditIndex.Search(null, null, null, null, null, null, null, null, null);
        assertThat(second.search(all, null, 10).rows()).extracting(AuditIndex.Row::instance)
                .containsExactly("b", "b", "a", "b", "a");
        assertThat(first.event("1:2")).extracting(AuditIndex.Row::verdict).containsExactly("accepted", "duplicate");
        AuditIndex.Search interruptions = new AuditIndex.Search(null, null, null, null, null, null, null, null,
                TopicPattern.regex("stream.interrupt.#"));
        assertThat(first.search(interruptions, null, 10).rows()).extracting(AuditIndex.Row::eventId)
                .containsExactly("0:3");
        AuditIndex.Search duplicates = new AuditIndex.Search(null, null, "s", null, null, null, "duplicate", null, null);
        assertThat(first.search(duplicates, null, 10).rows()).extracting(AuditIndex.Row::instance).containsExactly("b");

        // 30 days kept on 2026-12-04: November's first day goes, its partition dropped, its positions forgotten
        assertThat(first.expire(LocalDate.parse("2026-11-04"))).isEqualTo(1);
        assertThat(first.search(all, null, 10).rows()).extracting(AuditIndex.Row::eventId)
                .containsExactly("0:3", "1:2", "1:2");
        assertThat(SharedDatabase.single("SELECT COUNT(*) FROM pg_inherits WHERE inhparent = '" + table
                + "'::regclass")).isEqualTo(1);
        assertThat(first.positions("host-a:/audit")).containsOnlyKeys("audit-2026-12-04.jsonl");
        // the other instance had written into that day too: its next line of it fails once (the partition is gone),
        // then the day is created again
        List<AuditIndex.NewLine> late = List.of(line("2026-11-01T23:00:00Z", "b", "1:9", "s", "accepted",
                "stream.push"));
        Map<String, long[]> latePosition = Map.of("audit-2026-11-01.jsonl", position(50, "2026-11-01"));
        try {
            second.add("host-b:/audit", late, latePosition);
        } catch (java.sql.SQLException partitionGone) {
            second.add("host-b:/audit", late, latePosition);
        }
        assertThat(second.event("1:9")).hasSize(1);
    }
}
