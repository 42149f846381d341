import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.api.ApiAccess;
import io.cssgateway.api.StreamsApi;
import io.cssgateway.streams.StreamKey;
import io.cssgateway.streams.StreamStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * How the stream state scales (issue 30), run from source with the gateway jar on the class path (bench/streams.sh):
 *   store h2|pg ONLINE CLOSED  a store holding ONLINE online streams and CLOSED closed sequences (filled in bulk):
 *                              GET /api/streams (pages of 100, filtered by app) and GET /api/streams/{stream} over
 *                              HTTP, each 2,000 times: p50, p99, max; the heap after
 *   burst URL MANAGEMENT KEY PAIRS  PAIRS push/interruption pairs of PAIRS streams, every event posted once in random
 *                              order (8 clients), then PAIRS/2 pushes alone: the time until /api/streams shows exactly
 *                              the PAIRS/2 streams online, and whether each is right
 */
public final class StreamsBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "store" -> store(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]));
            case "burst" -> burst(args[1], Integer.parseInt(args[2]), args[3], Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException("store h2|pg ONLINE CLOSED | burst URL MANAGEMENT KEY PAIRS");
        }
    }

    // ------------------------------------------------------------------------------------------------ store

    private static void store(String kind, int online, long closed) throws Exception {
        String prefix = "bench_streams_" + Long.toString(System.nanoTime(), 36);
        Path dir = Files.createTempDirectory("streams-bench");
        DataSource source;
        String url;
        if (kind.equals("pg")) {
            url = System.getProperty("bench.postgresql.url", "jdbc:postgresql://127.0.0.1:5432/test");
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setURL(url);
            pg.setUser("postgres");
            source = pg;
        } else {
            url = "jdbc:h2:file:" + dir.resolve("streams") + ";WRITE_DELAY=0;CACHE_SIZE=32768;COMPRESS=TRUE";
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(url);
            source = h2;
        }
        StreamStore store = new StreamStore(source, url, prefix, "css.events", 4, Duration.ofSeconds(5));
        Vertx vertx = Vertx.vertx();
        try (Connection connection = source.getConnection(); Statement sql = connection.createStatement()) {
            // in slices of 200,000 rows, each its own transaction, as a store that grew over time has them
            long t0 = System.nanoTime();
            String range = kind.equals("pg") ? "generate_series(%d, %d) AS r(x)" : "SYSTEM_RANGE(%d, %d) AS r(x)";
            String app = "'app' || CAST(MOD(x, 10) AS VARCHAR)";
            for (long from = 1; from <= online; from += 200_000) {
                sql.executeUpdate("INSERT INTO " + prefix + " (deployment, app, appname, stream_id, online, "
                        + "open_sequences, since_ms, version, last_events, updated_ms) SELECT 'css.events', " + app
                        + ", 'live', 's' || CAST(x AS VARCHAR), TRUE, '{\"' || CAST(x AS VARCHAR) || '\":1764842400000}', "
                        + "1764842400000, 1, '[]', 1764842400000 FROM "
                        + String.format(range, from, Math.min(online, from + 199_999)));
            }
            long t1 = System.nanoTime();
            for (long from = 1; from <= closed; from += 200_000) {
                // streams as 64-bit digests, as the store keys them: here the rows' numbers spread over 64 bits
                sql.executeUpdate("INSERT INTO " + prefix + "_closed (deployment, stream_hash, sequence, closed_ms) "
                        + "SELECT 'css.events', x * 2654435761, 'c' || CAST(x AS VARCHAR), 1764842400000 FROM "
                        + String.format(range, from, Math.min(closed, from + 199_999)));
            }
            long t2 = System.nanoTime();
            if (kind.equals("pg")) {
                sql.execute("ANALYZE " + prefix);
                sql.execute("ANALYZE " + prefix + "_closed");
            }
            System.out.printf("filled %s: %,d online streams in %.1f s, %,d closed sequences in %.1f s%s%n", kind,
                    online, (t1 - t0) / 1e9, closed, (t2 - t1) / 1e9, kind.equals("pg") ? "" : String.format(
                            "; the file: %,d MB", Files.size(dir.resolve("streams.mv.db")) >> 20));
        }
        Router router = Router.router(vertx);
        new StreamsApi(store, new ApiAccess(null, false)).mount(router);
        int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        String base = "http://127.0.0.1:" + port;
        for (int i = 0; i < 200; i++) {
            int n = i * 7 + 10;
            get(base + "/api/streams?app=app" + (i % 10) + "&limit=100");
            get(base + "/api/streams/app" + (n % 10) + "/live/s" + n);
        }
        List<Long> list = new ArrayList<>();
        List<Long> lookup = new ArrayList<>();
        String cursor = null;
        for (int i = 0; i < 2000; i++) {
            long t = System.nanoTime();
            JsonNode page = JSON.readTree(get(base + "/api/streams?app=app" + (i % 10) + "&limit=100"
                    + (cursor == null || i % 10 == 0 ? "" : "&cursor=" + cursor)));
            list.add(System.nanoTime() - t);
            cursor = page.get("next").isNull() ? null : page.get("next").asText();
            int n = ThreadLocalRandom.current().nextInt(1, online + 1);
            t = System.nanoTime();
            String one = get(base + "/api/streams/app" + (n % 10) + "/live/s" + n);
            lookup.add(System.nanoTime() - t);
            if (!one.contains("\"online\"")) {
                throw new IllegalStateException("stream s" + n + " not found online: " + one);
            }
        }
        List<Long> closedChecks = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            int n = ThreadLocalRandom.current().nextInt(1, online + 1);
            long t = System.nanoTime();
            store.closed(new StreamKey("app" + (n % 10), "live", "s" + n), "c" + i);
            closedChecks.add(System.nanoTime() - t);
        }
        System.out.printf("GET /api/streams (a page of 100, one app of %,d online): %s%n", online, percentiles(list));
        System.out.printf("a sequence's closed check (the consumer's, per event; %,d closed): %s%n", closed,
                percentiles(closedChecks));
        System.out.printf("GET /api/streams/{stream} (%,d streams, %,d closed sequences): %s%n", online, closed,
                percentiles(lookup));
        System.gc();
        Runtime rt = Runtime.getRuntime();
        System.out.printf("heap after: %d MB used (max %d MB)%n", (rt.totalMemory() - rt.freeMemory()) >> 20,
                rt.maxMemory() >> 20);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        System.out.printf("lookups: %s%n", kind.equals("pg") ? "PostgreSQL" : String.format("the H2 file: %,d MB",
                Files.size(dir.resolve("streams.mv.db")) >> 20));
        if (kind.equals("pg")) {
            try (Connection connection = source.getConnection(); Statement sql = connection.createStatement()) {
                for (String table : List.of(prefix, prefix + "_closed", prefix + "_meta")) {
                    sql.execute("DROP TABLE IF EXISTS " + table);
                }
            }
        }
        store.close();
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
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

    // ------------------------------------------------------------------------------------------------ burst

    private static void burst(String url, int management, String key, int pairs) throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        long t = System.currentTimeMillis() / 1000 + 3600;
        String sign = HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                .digest((key + t).getBytes(StandardCharsets.UTF_8)));
        List<String> bodies = new ArrayList<>();
        long eventTime = System.currentTimeMillis() / 1000;
        for (int i = 0; i < pairs; i++) {
            String stream = "burst-" + run + "-" + i;
            bodies.add(body(1, stream, "p" + i, eventTime, t, sign));
            bodies.add(body(0, stream, "p" + i, eventTime + 60, t, sign));
        }
        Collections.shuffle(bodies);
        for (int i = 0; i < pairs / 2; i++) {
            bodies.add(body(1, "alive-" + run + "-" + i, "a" + i, eventTime, t, sign));
        }
        ExecutorService clients = Executors.newFixedThreadPool(8);
        AtomicInteger refused = new AtomicInteger();
        long start = System.nanoTime();
        for (String body : bodies) {
            clients.submit(() -> {
                HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() != 200) {
                    refused.incrementAndGet();
                }
                return null;
            });
        }
        clients.shutdown();
        clients.awaitTermination(10, TimeUnit.MINUTES);
        double posted = (System.nanoTime() - start) / 1e9;
        String api = "http://127.0.0.1:" + management + "/api/streams?limit=1000";
        int online = -1;
        int wrong = -1;
        double converged = -1;
        while ((System.nanoTime() - start) / 1e9 < 600) {
            List<String> seen = new ArrayList<>();
            String cursor = null;
            do {
                JsonNode page = JSON.readTree(get(api + (cursor == null ? "" : "&cursor=" + cursor)));
                page.get("streams").forEach(s -> seen.add(s.get("stream_id").asText()));
                cursor = page.get("next").isNull() ? null : page.get("next").asText();
            } while (cursor != null);
            online = (int) seen.stream().filter(s -> s.contains(run)).count();
            wrong = (int) seen.stream().filter(s -> s.startsWith("burst-" + run)).count();
            if (online == pairs / 2 && wrong == 0) {
                converged = (System.nanoTime() - start) / 1e9;
                break;
            }
            Thread.sleep(250);
        }
        System.out.printf("burst: %,d events (%,d pairs in random order, %,d pushes alone) posted in %.1f s (%d not "
                + "answered 200); state right after %.1f s: %d online, %d of the pairs left online%n", bodies.size(),
                pairs, pairs / 2, posted, refused.get(), converged, online, wrong);
    }

    private static String body(int type, String stream, String sequence, long eventTime, long t, String sign) {
        return "{\"event_type\":" + type + ",\"app\":\"bench.example.com\",\"appname\":\"live\",\"stream_id\":\""
                + stream + "\",\"sequence\":\"" + sequence + "\",\"errcode\":1,\"errmsg\":\"bench\",\"event_time\":"
                + eventTime + ",\"t\":" + t + ",\"sign\":\"" + sign + "\"}";
    }
}
