package io.cssgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.harness.MovingClock;
import io.cssgateway.support.TopicPattern;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit index on its local store (H2), filled by the indexer from real audit files. */
class AuditIndexTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DAY = "2026-12-04";

    @TempDir
    Path dir;

    private final MovingClock clock = new MovingClock(DAY + "T12:00:00Z");
    private AuditIndex index;
    private Path audit;

    @BeforeEach
    void open() throws Exception {
        audit = Files.createDirectories(dir.resolve("audit"));
        index = open(dir);
    }

    private static AuditIndex open(Path dir) {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.resolve("index"));
        return new AuditIndex(h2, false, "test", "css_gateway_audit", 2, Duration.ofSeconds(5));
    }

    @AfterEach
    void close() {
        index.close();
    }

    private AuditIndexer indexer(int batchSize) {
        return indexer("gw-1", batchSize);
    }

    private AuditIndexer indexer(String instance, int batchSize) {
        return new AuditIndexer(index, audit, instance, batchSize, Duration.ofSeconds(1), 30, () -> "{\"spool\":{}}",
                () -> -1, 1, Duration.ofSeconds(120), clock);
    }

    /** An audit line as AuditLog writes it (the fields that matter here). */
    private static String line(String at, String verdict, String reason, String eventId, int eventType, String stream,
            String routingKey, String remote) {
        ObjectNode line = JSON.createObjectNode().put(AuditLine.RECEIVED_AT, at).put(AuditLine.INSTANCE, "gw-1")
                .put(AuditLine.REMOTE_ADDR, remote).put(AuditLine.HTTP_STATUS, reason == null ? 200 : 401)
                .put(AuditLine.VERDICT, verdict).put(AuditLine.REASON, reason).put(AuditLine.EVENT_ID, eventId)
                .put(AuditLine.EVENT_TYPE, eventType).put(AuditLine.EVENT, eventType == 0 ? "stream.interrupt"
                        : "stream.push").put(AuditLine.SIGNED, true).put(AuditLine.STREAM_ID, stream)
                .put(AuditLine.APP, "live.example.com").put(AuditLine.TENANT, stream.equals("a") ? "tenant-a" : null)
                .put(AuditLine.SEQUENCE, "7")
                .put(AuditLine.ROUTING_KEY, routingKey);
        line.putObject(AuditLine.BODY).put("stream_id", stream).put("event_type", eventType).put("note", "<script>");
        return line + "\n";
    }

    private void append(String file, String text) throws Exception {
        Files.writeString(audit.resolve(file), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private List<String> ids(AuditIndex.Page page) {
        return page.rows().stream().map(AuditIndex.Row::eventId).toList();
    }

    @Test
    void completeLinesAreIndexedOnceAndAHalfWrittenOneWaitsForItsEnd() throws Exception {
        String first = line(DAY + "T10:00:00.000Z", "accepted", null, "e1", 1, "s1", "stream.push", "10.0.0.1");
        String second = line(DAY + "T10:00:01.000Z", "accepted", null, "e2", 1, "s2", "stream.push", "10.0.0.1");
        append("audit-" + DAY + ".jsonl", first + second.substring(0, 40));
        AuditIndexer indexer = indexer(100);
        indexer.pass();
        assertThat(ids(index.search(all(), null, 10))).containsExactly("e1");
        assertThat(indexer.behindBytes()).isEqualTo(40);

        append("audit-" + DAY + ".jsonl", second.substring(40));
        append("audit-" + DAY + ".1.jsonl", line(DAY + "T10:00:02.000Z", "duplicate", null, "e1", 1, "s1",
                "stream.push", "10.0.0.2"));
        indexer.pass();
        indexer.pass();
        assertThat(ids(index.search(all(), null, 10))).containsExactly("e1", "e2", "e1");
        assertThat(indexer.behindBytes()).isZero();
        assertThat(indexer.indexedLines()).isEqualTo(3);

        // another indexer (a restart, under another default name: host and pid) goes on from the committed
        // positions of the folder: nothing twice
        AuditIndexer restarted = indexer("gw-1-restarted", 100);
        restarted.pass();
        assertThat(restarted.indexedLines()).isZero();
        assertThat(index.search(all(), null, 10).rows()).hasSize(3);
    }

    @Test
    void aLineThatIsNotAnAuditLineIsPassedOverAndCounted() throws Exception {
        append("audit-" + DAY + ".jsonl", "{\"received_at\":\"2026-12-04T10:00:00.000Z\",\"verd\n"
                + "not json at all\n" + line(DAY + "T10:00:03.000Z", "accepted", null, "e3", 1, "s3", "stream.push",
                "10.0.0.1"));
        AuditIndexer indexer = indexer(100);
        indexer.pass();
        assertThat(ids(index.search(all(), null, 10))).containsExactly("e3");
        assertThat(indexer.skippedLines()).isEqualTo(2);
    }

    @Test
    void aBacklogIsIndexedInBatchesUntilTheEnd() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            lines.append(line(Instant.parse(DAY + "T10:00:00Z").plusMillis(i).toString(), "accepted", null, "e" + i,
                    1, "s", "stream.push", "10.0.0.1"));
        }
        append("audit-" + DAY + ".jsonl", lines.toString());
        indexer(100).pass();
        assertThat(index.search(all(), null, 1000).rows()).hasSize(250);
    }

    @Test
    void searchesNarrowByEachFilterNewestFirstPageByPage() throws Exception {
        append("audit-" + DAY + ".jsonl",
                line(DAY + "T10:00:00.000Z", "accepted", null, "push-a", 1, "a", "stream.push", "10.0.0.1")
                + line(DAY + "T10:01:00.000Z", "accepted", null, "cut-a", 0, "a", "stream.interrupt.network", "10.0.0.1")
                + line(DAY + "T10:02:00.000Z", "duplicate", null, "cut-a", 0, "a", "stream.interrupt.network", "10.0.0.1")
                + line(DAY + "T10:03:00.000Z", "rejected", "bad-signature", "push-b", 1, "b", null, "203.0.113.9")
                + line(DAY + "T10:04:00.000Z", "rejected", "bad-signature", "push-c", 1, "c", null, "203.0.113.9")
                + line(DAY + "T10:05:00.000Z", "rejected", "expired", "push-d", 1, "d", null, "10.0.0.1"));
        indexer(100).pass();

        assertThat(ids(index.search(search(null, null, "a", null, null), null, 10)))
                .containsExactly("cut-a", "cut-a", "push-a");
        assertThat(ids(index.search(search(null, null, null, "rejected", null), null, 10)))
                .containsExactly("push-d", "push-c", "push-b");
        assertThat(ids(index.search(search(null, null, null, null, "stream.interrupt.#"), null, 10)))
                .containsExactly("cut-a", "cut-a");
        assertThat(ids(index.search(search(null, null, null, null, "*.push"), null, 10))).containsExactly("push-a");
        assertThat(ids(index.search(search(DAY + "T10:01:00Z", DAY + "T10:03:00Z", null, null, null), null, 10)))
                .containsExactly("cut-a", "cut-a");
        assertThat(ids(index.search(new AuditIndex.Search(null, null, null, null, null, 0, null, null, null), null, 10)))
                .containsExactly("cut-a", "cut-a");
        assertThat(ids(index.search(new AuditIndex.Search(null, null, null, null, null, null, null, "expired", null), null,
                10))).containsExactly("push-d");
        AuditIndex.Search ofTenantA = new AuditIndex.Search(null, null, null, null, "tenant-a", null, null, null, null);
        assertThat(index.search(ofTenantA, null, 10).rows()).extracting(AuditIndex.Row::tenant)
                .containsExactly("tenant-a", "tenant-a", "tenant-a");

        // page by page: each line once, newest first, the last page without a next
        List<String> paged = new ArrayList<>();
        AuditIndex.Cursor cursor = null;
        do {
            AuditIndex.Page page = index.search(all(), cursor, 4);
            paged.addAll(ids(page));
            cursor = page.next();
        } while (cursor != null);
        assertThat(paged).containsExactly("push-d", "push-c", "push-b", "cut-a", "cut-a", "push-a");

        assertThat(index.event("cut-a")).extracting(AuditIndex.Row::verdict).containsExactly("accepted", "duplicate");
        assertThat(index.event("cut-a").get(0).line()).contains("\"note\":\"<script>\"");
        assertThat(index.event("never")).isEmpty();

        AuditIndex.Refusals refusals = index.refusals(Instant.parse(DAY + "T10:00:00Z"), 10);
        assertThat(refusals.total()).isEqualTo(3);
        assertThat(refusals.byReason()).containsExactly(java.util.Map.entry("bad-signature", 2L),
                java.util.Map.entry("expired", 1L));
        assertThat(refusals.bySource()).containsExactly(java.util.Map.entry("203.0.113.9", 2L),
                java.util.Map.entry("10.0.0.1", 1L));
        assertThat(index.refusals(Instant.parse(DAY + "T10:04:30Z"), 10).total()).isEqualTo(1);
    }

    @Test
    void whileTheMachineIsBusyTheIndexerWaitsThenCatchesUpOrIndexesABatchAPassPastTheDelay() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            lines.append(line(Instant.parse(DAY + "T10:00:00Z").plusMillis(i).toString(), "accepted", null, "e" + i,
                    1, "s", "stream.push", "10.0.0.1"));
        }
        append("audit-" + DAY + ".jsonl", lines.toString());
        // the machine fully busy: whatever share of it the indexer's own thread took (at most one core of two or more),
        // the rest is above 40%
        double[] load = {1.0};
        AuditIndexer indexer = new AuditIndexer(index, audit, "gw-1", 100, Duration.ofSeconds(1), 30, () -> "{}",
                () -> load[0], 0.4, Duration.ofSeconds(120), clock);
        indexer.pass();
        clock.move(Duration.ofSeconds(119));
        indexer.pass();
        assertThat(index.search(all(), null, 1000).rows()).isEmpty();
        assertThat(indexer.deferredPasses()).isEqualTo(2);
        assertThat(indexer.behindBytes()).isEqualTo(Files.size(audit.resolve("audit-" + DAY + ".jsonl")));
        // waited long enough: a batch a pass, whatever the load
        clock.move(Duration.ofSeconds(2));
        indexer.pass();
        assertThat(index.search(all(), null, 1000).rows()).hasSize(100);
        indexer.pass();
        assertThat(index.search(all(), null, 1000).rows()).hasSize(200);
        // the burst is over: the rest at once
        load[0] = 0.05;
        indexer.pass();
        assertThat(index.search(all(), null, 1000).rows()).hasSize(250);
    }

    @Test
    void daysPastTheRetentionAreForgotten() throws Exception {
        append("audit-2026-11-01.jsonl", line("2026-11-01T10:00:00.000Z", "accepted", null, "old", 1, "s",
                "stream.push", "10.0.0.1"));
        append("audit-" + DAY + ".jsonl", line(DAY + "T10:00:00.000Z", "accepted", null, "new", 1, "s",
                "stream.push", "10.0.0.1"));
        // a retention of 60 days reads both; then 30 days forgets the older
        new AuditIndexer(index, audit, "gw-1", 100, Duration.ofSeconds(1), 60, () -> "{}", () -> -1, 1,
                Duration.ofSeconds(120), clock).pass();
        assertThat(ids(index.search(all(), null, 10))).containsExactly("new", "old");
        index.expire(LocalDate.parse(DAY).minusDays(30));
        assertThat(ids(index.search(all(), null, 10))).containsExactly("new");
    }

    @Test
    void eachInstanceStatusIsKeptAndTheLastOneWins() throws Exception {
        index.status("gw-1", 1000, "{\"spool\":{\"depth\":1}}");
        index.status("gw-2", 2000, "{\"spool\":{\"depth\":0}}");
        index.status("gw-1", 3000, "{\"spool\":{\"depth\":2}}");
        assertThat(index.statuses(0)).extracting(AuditIndex.InstanceStatus::status)
                .containsExactly("{\"spool\":{\"depth\":2}}", "{\"spool\":{\"depth\":0}}");
        assertThat(index.statuses(2500)).extracting(AuditIndex.InstanceStatus::instance).containsExactly("gw-1");
    }

    @Test
    void aVerdictOutsideTheThreeIsRefusedBeforeAnySql() {
        assertThatThrownBy(() -> search(null, null, null, "accepted' OR '1'='1", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("verdict must be one of");
    }

    @Test
    void anIndexOfTheVersionBeforeTenantsGainsTheColumnAndKeepsItsLines() throws Exception {
        index.close();
        Path earlier = Files.createDirectories(dir.resolve("earlier"));
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + earlier.resolve("index"));
        try (var connection = h2.getConnection(); var sql = connection.createStatement()) {
            // the table as the version before tenants created it, with one line in it
            sql.execute("CREATE TABLE css_gateway_audit (id BIGINT NOT NULL GENERATED BY DEFAULT AS IDENTITY, "
                    + "at_ms BIGINT NOT NULL, instance VARCHAR(1024) NOT NULL, remote_addr VARCHAR(1024), "
                    + "http_status INT, verdict VARCHAR(1024), reason VARCHAR(1024), event_id VARCHAR(1024), "
                    + "event_type INT, event VARCHAR(1024), stream_id VARCHAR(1024), app VARCHAR(1024), errcode INT, "
                    + "routing_key VARCHAR(1024), line VARCHAR NOT NULL, PRIMARY KEY (id))");
            sql.execute("INSERT INTO css_gateway_audit (at_ms, instance, verdict, event_id, line) VALUES ("
                    + Instant.parse(DAY + "T09:00:00Z").toEpochMilli() + ", 'gw-0', 'accepted', 'old-1', '{}')");
        }
        index = new AuditIndex(h2, false, "test", "css_gateway_audit", 2, Duration.ofSeconds(5));
        audit = Files.createDirectories(earlier.resolve("audit"));
        append("audit-" + DAY + ".jsonl", line(DAY + "T10:00:00.000Z", "accepted", null, "push-a", 1, "a",
                "stream.push", "10.0.0.1"));
        indexer(100).pass();

        assertThat(index.search(all(), null, 10).rows()).extracting(AuditIndex.Row::eventId, AuditIndex.Row::tenant)
                .containsExactly(tuple("push-a", "tenant-a"), tuple("old-1", null));
    }

    private static AuditIndex.Search all() {
        return new AuditIndex.Search(null, null, null, null, null, null, null, null, null);
    }

    private static AuditIndex.Search search(String from, String to, String stream, String verdict, String pattern) {
        return new AuditIndex.Search(from == null ? null : Instant.parse(from), to == null ? null : Instant.parse(to),
                stream, null, null, null, verdict, null, pattern == null ? null : TopicPattern.regex(pattern));
    }
}
