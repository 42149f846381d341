import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import io.cssgateway.dedup.SeenEvents;
import io.cssgateway.dedup.SharedSeenEvents;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.publish.BrokerTopology;
import io.cssgateway.publish.ConfirmedPublisher;
import io.cssgateway.spool.Spool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * How the scale-out pieces grow (issue 21), run from source with the gateway jar on the class path
 * (bench/scale.sh):
 *   dedup ROWS THREADS OPS    the shared de-duplication (SharedSeenEvents) with ROWS identities already in PostgreSQL:
 *                             the time a new event's check and add take, and a retry's check, from THREADS threads,
 *                             against the in-memory store (SeenEvents) doing the same; its own table, dropped after
 *   spool EVENTS THREADS DIR  EVENTS kept in a spool at DIR by THREADS threads (each written and fsynced, as the
 *                             gateway does), the time a keep takes as the spool grows, then the spool drained to
 *                             RabbitMQ as the drain route does (rounds of gateway.spool.drain-batch, publishes
 *                             confirmed): events/s and heap after each tenth
 */
public final class ScaleBench {

    private static final String DB = System.getProperty("bench.postgresql.url", "jdbc:postgresql://127.0.0.1:5432/test");

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "dedup" -> dedup(Long.parseLong(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "spool" -> spool(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
            default -> throw new IllegalArgumentException("dedup ROWS THREADS OPS | spool EVENTS THREADS DIR");
        }
    }

    // ------------------------------------------------------------------------------------------------ dedup

    private static void dedup(long rows, int threads, int ops) throws Exception {
        String table = "bench_seen_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        SharedSeenEvents shared = new SharedSeenEvents(new SharedSeenEvents.Database(DB, "postgres", "", threads,
                Duration.ofSeconds(2)), table, "css.events", Duration.ofDays(1), Duration.ofDays(1), Duration.ZERO, 200_000);
        shared.start();
        try {
            long filling = System.nanoTime();
            sql("INSERT INTO " + table + " (processorName, messageId, createdAt) SELECT 'css.events', '1:' || i, "
                    + "now() - (i % 86000) * interval '1 second' FROM generate_series(1, " + rows + ") AS i");
            sql("ANALYZE " + table);
            System.out.printf("dedup: %,d identities in %s in %.0f s%n", rows, table, (System.nanoTime() - filling) / 1e9);

            SeenEvents memory = new SeenEvents(200_000);
            // warm both up (JIT, pool, the index's upper pages)
            measure(threads, ops / 4, i -> checkAndAdd(memory, "1:warm-m-" + i));
            measure(threads, ops / 4, i -> checkAndAdd(shared, "1:warm-s-" + i));

            long[] memoryNew = measure(threads, ops, i -> checkAndAdd(memory, "1:new-m-" + i));
            report("in memory, a new event (check + add)", memoryNew);
            // flat out (every thread always waiting on the database), then paced at a third of that rate
            long[] sharedNew = measure(threads, ops, i -> checkAndAdd(shared, "1:new-s-" + i));
            report("PostgreSQL, a new event, flat out", sharedNew);
            int paced = (int) (ops / (Arrays.stream(sharedNew).sum() / 1e9 / threads) / 3);
            long[] sharedPaced = measure(threads, ops, paced, i -> checkAndAdd(shared, "1:paced-s-" + i));
            report("PostgreSQL, a new event, " + paced + "/s", sharedPaced);
            long[] sharedRetry = measure(threads, ops, paced,
                    i -> shared.contains("1:" + ThreadLocalRandom.current().nextLong(1, rows + 1)));
            report("PostgreSQL, another's retry, " + paced + "/s", sharedRetry);
            System.out.printf("dedup: extra latency of the shared store for a new event at %d/s: p50 %.2f ms, "
                    + "p99 %.2f ms, p99.9 %.2f ms%n", paced, (pct(sharedPaced, 50) - pct(memoryNew, 50)) / 1e6,
                    (pct(sharedPaced, 99) - pct(memoryNew, 99)) / 1e6,
                    (pct(sharedPaced, 99.9) - pct(memoryNew, 99.9)) / 1e6);
            long expiring = System.nanoTime();
            sql("UPDATE " + table + " SET createdAt = now() - interval '2 days' WHERE messageId LIKE '1:1%' "
                    + "AND length(messageId) = 9");
            int expired = shared.expire();
            System.out.printf("dedup: expiry deleted %,d entries in %.1f s (marked and deleted)%n", expired,
                    (System.nanoTime() - expiring) / 1e9);
        } finally {
            shared.stop();
            sql("DROP TABLE IF EXISTS " + table);
        }
    }

    private static void checkAndAdd(org.apache.camel.spi.IdempotentRepository repository, String identity) {
        if (!repository.contains(identity)) {
            repository.add(identity);
        }
    }

    private static void sql(String statement) throws Exception {
        try (Connection connection = DriverManager.getConnection(DB, "postgres", "");
                Statement s = connection.createStatement()) {
            s.execute(statement);
        }
    }

    private static long[] measure(int threads, int ops, Consumer<Integer> work) throws Exception {
        return measure(threads, ops, 0, work);
    }

    /**
     * {@code ops} calls of {@code work} spread over {@code threads}, flat out or at {@code rate} calls a second; each
     * call's nanoseconds, sorted.
     */
    private static long[] measure(int threads, int ops, int rate, Consumer<Integer> work) throws Exception {
        long[] times = new long[ops];
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        long begin = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            done.add(CompletableFuture.runAsync(() -> {
                int i;
                while ((i = (int) next.getAndIncrement()) < ops) {
                    if (rate > 0) {
                        long due = begin + (long) (i * 1e9 / rate);
                        while (System.nanoTime() < due) {
                            java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
                        }
                    }
                    long start = System.nanoTime();
                    work.accept(i);
                    times[i] = System.nanoTime() - start;
                }
            }, pool));
        }
        long start = System.nanoTime();
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        Arrays.sort(times);
        System.out.printf("  (%,d calls from %d threads in %.1f s: %,.0f/s)%n", ops, threads, seconds, ops / seconds);
        return times;
    }

    private static double pct(long[] sorted, double percentile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100 * sorted.length) - 1)];
    }

    private static void report(String what, long[] sorted) {
        System.out.printf("dedup: %-42s p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.1f ms%n", what,
                pct(sorted, 50) / 1e6, pct(sorted, 99) / 1e6, pct(sorted, 99.9) / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    // ------------------------------------------------------------------------------------------------ spool

    private static void spool(int events, int threads, Path dir) throws Exception {
        Files.createDirectories(dir);
        Spool spool = new Spool(dir);
        byte[] body = Files.readAllBytes(Path.of("src/test/resources/callbacks/1-push.doc.json"));
        int tenth = events / 10;
        long keeping = System.nanoTime();
        for (int part = 0; part < 10; part++) {
            int base = part * tenth;
            long partStart = System.nanoTime();
            long[] times = measure(threads, tenth, i -> spool.keep(event(base + i, body)));
            System.out.printf("spool keep: %,9d -> %,9d held: p50 %.2f ms, p99 %.2f ms, %,.0f events/s%n", base,
                    base + tenth, pct(times, 50) / 1e6, pct(times, 99) / 1e6, tenth / ((System.nanoTime() - partStart) / 1e9));
        }
        System.out.printf("spool keep: %,d events in %.0f s; depth %,d%n", events, (System.nanoTime() - keeping) / 1e9,
                spool.depth());

        String run = UUID.randomUUID().toString().substring(0, 8);
        String exchange = "css.bench.spool-" + run;
        String sink = exchange + ".sink";
        BrokerTopology topology = new BrokerTopology(new CachingConnectionFactory(), "127.0.0.1:5672", exchange,
                exchange + ".unrouted", exchange + ".unrouted", Map.of(), true, false, List.of(new BrokerTopology.BoundQueue(
                        sink, true, Map.of("x-max-length", 10_000), List.of("#"))));
        ConfirmedPublisher publisher = new ConfirmedPublisher(new ConnectionFactory(),
                List.of(new Address("127.0.0.1", 5672)), exchange, Duration.ofSeconds(5), 2, 8, topology);
        publisher.start();
        Runtime runtime = Runtime.getRuntime();
        long draining = System.nanoTime();
        long partStart = System.nanoTime();
        int drained = 0;
        int nextReport = tenth;
        long slowestListing = 0;
        try {
            while (true) {
                long listing = System.nanoTime();
                List<Path> oldest = spool.nextToDrain(5000);
                slowestListing = Math.max(slowestListing, System.nanoTime() - listing);
                if (oldest.isEmpty()) {
                    break;
                }
                List<CompletableFuture<Void>> confirms = new ArrayList<>();
                for (Path file : oldest) {
                    confirms.add(publisher.publish(spool.load(file)).thenRun(() -> {
                        try {
                            spool.remove(file);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }));
                }
                CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).join();
                drained += oldest.size();
                if (drained >= nextReport) {
                    System.gc();
                    System.out.printf("spool drain: %,9d left: %,.0f events/s, heap used %d MB, slowest listing %.0f ms%n",
                            spool.depth(), tenth / ((System.nanoTime() - partStart) / 1e9),
                            (runtime.totalMemory() - runtime.freeMemory()) >> 20, slowestListing / 1e6);
                    partStart = System.nanoTime();
                    nextReport += tenth;
                    slowestListing = 0;
                }
            }
            System.out.printf("spool drain: %,d events in %.0f s (%,.0f/s)%n", drained,
                    (System.nanoTime() - draining) / 1e9, drained / ((System.nanoTime() - draining) / 1e9));
        } finally {
            publisher.stop();
            try (var channelConnection = new ConnectionFactory().newConnection();
                    var channel = channelConnection.createChannel()) {
                channel.queueDelete(sink);
                channel.queueDelete(exchange + ".unrouted");
                channel.exchangeDelete(exchange);
                channel.exchangeDelete(exchange + ".unrouted");
            }
            spool.close();
        }
    }

    private static OutgoingEvent event(int n, byte[] body) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("css_event_type", 1);
        headers.put("css_sequence", "bench-" + n);
        return new OutgoingEvent("stream.push", "1:bench-" + n, System.currentTimeMillis(), headers, body);
    }
}
