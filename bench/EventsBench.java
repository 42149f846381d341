import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.api.ApiAccess;
import io.cssgateway.api.EventsApi;
import io.cssgateway.audit.AuditIndex;
import io.cssgateway.audit.AuditIndexer;
import io.cssgateway.event.EventMessage;
import io.cssgateway.replay.ReplayedEvents;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.io.BufferedWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * How the events index scales (issue 32), run from source with the gateway jar on the class path (bench/events.sh):
 *   lookups LINES   a PostgreSQL index holding LINES audit lines of one day (10,000 streams, identities unique but for
 *                   the duplicates; 97% accepted, 2% duplicates, 1% refusals; each line a push's whole audit line,
 *                   about 620 bytes), loaded in bulk; then over HTTP, through the API as the gateway mounts it:
 *                   GET /api/events?stream_id=&from=&to= (a day: the newest 100 of the stream), the next page,
 *                   GET /api/events/{id}, GET /api/events (the newest 100), GET /api/refusals (the last hour):
 *                   each 2,000 times (200 for the last two), p50, p99, max
 *   indexer pg|h2 LINES  LINES audit lines written to a file, then copied by the gateway's indexer into a fresh
 *                   index, PostgreSQL's or a local H2 file: lines a second, and the CPU per line
 */
public final class EventsBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String URL = System.getProperty("bench.postgresql.url", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final LocalDate DAY = LocalDate.parse("2026-12-03");
    private static final int STREAMS = 10_000;

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "lookups" -> lookups(Long.parseLong(args[1]));
            case "indexer" -> indexer(args[1], Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("lookups LINES | indexer pg|h2 LINES");
        }
    }

    private static PGSimpleDataSource postgres() {
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        postgres.setURL(URL);
        postgres.setUser("postgres");
        postgres.setReWriteBatchedInserts(true);
        return postgres;
    }

    private static String table() {
        return "bench_audit_" + Long.toString(System.nanoTime(), 36);
    }

    private static void drop(PGSimpleDataSource postgres, String table) throws Exception {
        try (Connection connection = postgres.getConnection(); Statement sql = connection.createStatement()) {
            for (String each : List.of(table, table + "_load", table + "_files", table + "_instances")) {
                sql.execute("DROP TABLE IF EXISTS " + each + " CASCADE");
            }
            sql.execute("DROP SEQUENCE IF EXISTS " + table + "_id");
        }
    }

    // --------------------------------------------------------------------------------------------------- lookups

    private static void lookups(long lines) throws Exception {
        PGSimpleDataSource postgres = postgres();
        String table = table();
        long dayStart = DAY.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        long dayMs = Duration.ofDays(1).toMillis();
        AuditIndex index = new AuditIndex(postgres, true, URL, table, 4, Duration.ofSeconds(5));
        Vertx vertx = Vertx.vertx();
        try (Connection connection = postgres.getConnection(); Statement sql = connection.createStatement()) {
            // loaded in bulk into a table of the partition's shape, then attached: its indexes are built once
            long t0 = System.nanoTime();
            String partition = table + "_" + DAY.toString().replace("-", "");
            sql.execute("CREATE TABLE " + partition + " (LIKE " + table + " INCLUDING DEFAULTS)");
            sql.execute("INSERT INTO " + partition + " (at_ms, instance, remote_addr, http_status, verdict, reason, "
                    + "event_id, event_type, event, stream_id, app, errcode, routing_key, line) "
                    + "SELECT at_ms, 'gw-' || (n % 3), '100.64.' || (n % 250) || '.' || (n % 199), "
                    + "CASE WHEN v < 97 THEN 200 WHEN v < 99 THEN 200 ELSE 401 END, "
                    + "CASE WHEN v < 97 THEN 'accepted' WHEN v < 99 THEN 'duplicate' ELSE 'rejected' END, "
                    + "CASE WHEN v = 99 THEN 'bad-signature' END, "
                    + "'1:' || CASE WHEN v BETWEEN 97 AND 98 THEN n - 1 ELSE n END, 1, 'push', 'live_' || (n % "
                    + STREAMS + "), 'live.example.com', NULL, CASE WHEN v < 97 THEN 'stream.push' END, "
                    + "'{\"received_at\":\"' || to_char(to_timestamp(at_ms / 1000.0) AT TIME ZONE 'UTC', "
                    + "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') || '\",\"instance\":\"gw-' || (n % 3) || '\",\"remote_addr\":"
                    + "\"100.64.1.2\",\"http_status\":200,\"verdict\":\"accepted\",\"reason\":null,\"event_id\":\"1:' || n "
                    + "|| '\",\"event_type\":1,\"event\":\"push\",\"signed\":true,\"stream_id\":\"live_' || (n % " + STREAMS
                    + ") || '\",\"app\":\"live.example.com\",\"sequence\":\"' || n || '\",\"errcode\":null,\"category\":"
                    + "null,\"routing_key\":\"stream.push\",\"body\":{\"app\":\"live.example.com\",\"appid\":1250000000,"
                    + "\"appname\":\"live\",\"channel_id\":\"live_' || (n % " + STREAMS + ") || '\",\"errcode\":0,"
                    + "\"errmsg\":\"ok\",\"event_time\":' || (at_ms / 1000) || ',\"event_type\":1,\"node\":\"10.0.0.1\","
                    + "\"sequence\":\"' || n || '\",\"stream_id\":\"live_' || (n % " + STREAMS + ") || '\",\"user_ip\":"
                    + "\"203.0.113.7\",\"stream_param\":\"txSecret=40f9f7f2c4&txTime=5C2E5D7F\",\"push_duration\":\"0\","
                    + "\"height\":720,\"width\":1280,\"set_id\":2,\"t\":' || (at_ms / 1000 + 600) || '}}' "
                    + "FROM (SELECT n, " + dayStart + " + n * " + dayMs + " / " + lines + " AS at_ms, n % 100 AS v "
                    + "FROM generate_series(0::bigint, " + (lines - 1) + ") AS n) AS g");
            long t1 = System.nanoTime();
            sql.execute("ALTER TABLE " + table + " ATTACH PARTITION " + partition + " FOR VALUES FROM (" + dayStart
                    + ") TO (" + (dayStart + dayMs) + ")");
            sql.execute("ANALYZE " + partition);
            long t2 = System.nanoTime();
            long bytes;
            try (ResultSet size = sql.executeQuery("SELECT pg_total_relation_size('" + partition + "')")) {
                size.next();
                bytes = size.getLong(1);
            }
            System.out.printf("filled: %,d lines of %s in %.0f s, indexes built in %.0f s; the day's partition with "
                    + "its indexes: %,d MB%n", lines, DAY, (t1 - t0) / 1e9, (t2 - t1) / 1e9, bytes >> 20);
        }
        try {
            Router router = Router.router(vertx);
            new EventsApi(index, new ApiAccess(null, false), new ReplayedEvents(new EventMessage(List.of())), null,
                    Duration.ofSeconds(5), Clock.fixed(Instant.ofEpochMilli(dayStart + dayMs), ZoneOffset.UTC))
                    .mount(router);
            int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                    .toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
            String base = "http://127.0.0.1:" + port;
            String day = "&from=" + DAY + "T00:00:00Z&to=" + DAY.plusDays(1) + "T00:00:00Z";
            for (int i = 0; i < 200; i++) {
                get(base + "/api/events?stream_id=live_" + (i * 37 % STREAMS) + day);
                get(base + "/api/events/1:" + identity(i * 7919L % lines));
            }
            List<Long> byStream = new ArrayList<>();
            List<Long> nextPage = new ArrayList<>();
            List<Long> byId = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                String stream = "live_" + ThreadLocalRandom.current().nextInt(STREAMS);
                long t = System.nanoTime();
                JsonNode page = JSON.readTree(get(base + "/api/events?stream_id=" + stream + day));
                byStream.add(System.nanoTime() - t);
                if (page.get("events").size() != Math.min(100, lines / STREAMS)) {
                    throw new IllegalStateException(stream + ": " + page.get("events").size() + " lines");
                }
                if (!page.get("next").isNull()) {
                    t = System.nanoTime();
                    JsonNode next = JSON.readTree(get(base + "/api/events?stream_id=" + stream + day + "&cursor="
                            + page.get("next").asText()));
                    nextPage.add(System.nanoTime() - t);
                    if (next.get("events").size() != Math.min(100, lines / STREAMS - 100)) {
                        throw new IllegalStateException(stream + ": the next page has " + next.get("events").size());
                    }
                }
                long n = identity(ThreadLocalRandom.current().nextLong(0, lines));
                t = System.nanoTime();
                String one = get(base + "/api/events/1:" + n);
                byId.add(System.nanoTime() - t);
                if (!one.contains("\"event_id\":\"1:" + n + "\"")) {
                    throw new IllegalStateException("1:" + n + " not found: " + one);
                }
            }
            List<Long> newest = new ArrayList<>();
            List<Long> refusals = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long t = System.nanoTime();
                get(base + "/api/events");
                newest.add(System.nanoTime() - t);
                t = System.nanoTime();
                get(base + "/api/refusals?since=" + DAY + "T23:00:00Z");
                refusals.add(System.nanoTime() - t);
            }
            System.out.printf("GET /api/events?stream_id= over the day (the newest 100 of a stream's %,d): %s%n",
                    lines / STREAMS, percentiles(byStream));
            if (!nextPage.isEmpty()) {
                System.out.printf("  its next page (cursor): %s%n", percentiles(nextPage));
            }
            System.out.printf("GET /api/events/{event_id} (any of %,d): %s%n", lines, percentiles(byId));
            System.out.printf("GET /api/events (the newest 100 of all): %s%n", percentiles(newest));
            System.out.printf("GET /api/refusals (the last hour: %,d refusals): %s%n", lines / 100 / 24,
                    percentiles(refusals));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            index.close();
            drop(postgres, table);
        }
    }

    /** An identity of the index near n: the lines 97 and 98 of each hundred are duplicates of the one before. */
    private static long identity(long n) {
        return n % 100 == 97 || n % 100 == 98 ? n - 2 : n;
    }

    // --------------------------------------------------------------------------------------------------- indexer

    private static void indexer(String kind, int lines) throws Exception {
        PGSimpleDataSource postgres = postgres();
        String table = table();
        Path dir = Files.createTempDirectory("bench-audit");
        Instant now = Instant.now();
        try (BufferedWriter out = Files.newBufferedWriter(dir.resolve("audit-" + LocalDate.ofInstant(now,
                ZoneOffset.UTC) + ".jsonl"), StandardCharsets.UTF_8)) {
            for (int n = 0; n < lines; n++) {
                out.write("{\"received_at\":\"" + now.minusMillis(lines - n) + "\",\"instance\":\"gw-1\","
                        + "\"remote_addr\":\"100.64.1.2\",\"http_status\":200,\"verdict\":\"accepted\",\"reason\":null,"
                        + "\"event_id\":\"1:" + n + "\",\"event_type\":1,\"event\":\"push\",\"signed\":true,"
                        + "\"stream_id\":\"live_" + n % STREAMS + "\",\"app\":\"live.example.com\",\"sequence\":\"" + n
                        + "\",\"errcode\":null,\"category\":null,\"routing_key\":\"stream.push\",\"body\":{\"app\":"
                        + "\"live.example.com\",\"appid\":1250000000,\"appname\":\"live\",\"channel_id\":\"live_" + n
                        + "\",\"errcode\":0,\"errmsg\":\"ok\",\"event_time\":1796380000,\"event_type\":1,\"node\":"
                        + "\"10.0.0.1\",\"sequence\":\"" + n + "\",\"stream_id\":\"live_" + n % STREAMS
                        + "\",\"user_ip\":\"203.0.113.7\",\"stream_param\":\"txSecret=40f9f7f2c4&txTime=5C2E5D7F\","
                        + "\"push_duration\":\"0\",\"height\":720,\"width\":1280,\"set_id\":2,\"t\":1796380600}}\n");
            }
        }
        AuditIndex index;
        if (kind.equals("pg")) {
            index = new AuditIndex(postgres, true, URL, table, 2, Duration.ofSeconds(5));
        } else {
            org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
            h2.setURL("jdbc:h2:file:" + dir.resolve("index") + ";CACHE_SIZE=32768" + System.getProperty("bench.h2", ""));
            index = new AuditIndex(h2, false, "h2", table, 2, Duration.ofSeconds(5));
        }
        try {
            // its speed alone: it never waits for the machine to be less busy
            AuditIndexer indexer = new AuditIndexer(index, dir, "gw-1", 2000, Duration.ofSeconds(1), 30, () -> "{}",
                    () -> -1, 1, Duration.ofSeconds(120), Clock.systemUTC());
            var process = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = process.getProcessCpuTime();
            long machine0 = machineCpuTicks();
            long t0 = System.nanoTime();
            indexer.start();
            while (indexer.indexedLines() < lines) {
                Thread.sleep(20);
            }
            long t1 = System.nanoTime();
            long cpu1 = process.getProcessCpuTime();
            long machine1 = machineCpuTicks();
            indexer.stop();
            System.out.printf("indexer: %,d lines into %s in %.1f s: %,.0f lines a second%n", lines,
                    kind.equals("pg") ? "PostgreSQL" : "a local H2 file",
                    (t1 - t0) / 1e9, lines / ((t1 - t0) / 1e9));
            System.out.printf("  CPU per line: %.1f us in the indexer's JVM, %.1f us on the machine (the database "
                    + "included)%n", (cpu1 - cpu0) / 1e3 / lines, (machine1 - machine0) * 1e4 / lines);
        } finally {
            index.close();
            if (kind.equals("pg")) {
                drop(postgres, table);
            }
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    /** The machine's busy CPU time so far, in ticks of 10 ms (user, nice, system, irq, softirq of /proc/stat). */
    private static long machineCpuTicks() throws Exception {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        return Long.parseLong(cpu[1]) + Long.parseLong(cpu[2]) + Long.parseLong(cpu[3]) + Long.parseLong(cpu[6])
                + Long.parseLong(cpu[7]);
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException(url + ": " + answer.statusCode() + " " + answer.body());
        }
        return answer.body();
    }

    private static String percentiles(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return String.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms", sorted.get(sorted.size() / 2) / 1e6,
                sorted.get((int) (sorted.size() * 0.99)) / 1e6, sorted.get(sorted.size() - 1) / 1e6);
    }
}
