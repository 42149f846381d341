package io.cssgateway.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cssgateway.harness.LogCapture;
import io.cssgateway.harness.SharedDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared seen-set against the real PostgreSQL (127.0.0.1:5432, database test), a table of its own per test. */
class SharedSeenEventsIT {

    private final String table = SharedDatabase.uniqueTable("seen_it");
    private final List<SharedSeenEvents> started = new ArrayList<>();

    @AfterEach
    void stopAndDropTable() throws Exception {
        for (SharedSeenEvents repository : started) {
            repository.stop();
        }
        SharedDatabase.drop(table);
    }

    /** An instance that asks the database for every identity memory does not hold (memory window 0). */
    private SharedSeenEvents instance(int frontCapacity) {
        return started(new SharedSeenEvents(SharedDatabase.database(), table, "css.events", Duration.ofDays(1),
                Duration.ofHours(1), Duration.ZERO, frontCapacity));
    }

    /** An instance that listens for the others' identities, answering from memory for a window of 15 minutes. */
    private SharedSeenEvents listening(int frontCapacity) throws InterruptedException {
        SharedSeenEvents repository = started(new SharedSeenEvents(SharedDatabase.database(), table, "css.events",
                Duration.ofDays(1), Duration.ofHours(1), Duration.ofMinutes(15), frontCapacity));
        awaitAnsweringFromMemory(repository, true);
        return repository;
    }

    private SharedSeenEvents started(SharedSeenEvents repository) {
        repository.start();
        started.add(repository);
        return repository;
    }

    private static void awaitAnsweringFromMemory(SharedSeenEvents repository, boolean expected)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (repository.answersFromMemory() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(repository.answersFromMemory()).as("answers new identities from memory").isEqualTo(expected);
    }

    /** Asks until the answer is true (a notification takes a moment to arrive); returns the time it took. */
    private static Duration awaitSeen(SharedSeenEvents repository, String identity) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(5).toNanos();
        while (!repository.contains(identity) && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(repository.contains(identity)).as("%s seen", identity).isTrue();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    void anotherInstancesIdentityIsLearnedAndNewOnesAreAnsweredWithoutAQuery() throws Exception {
        SharedSeenEvents first = listening(100);
        SharedSeenEvents second = listening(100);

        assertThat(second.contains("1:seq-new")).isFalse();
        first.add("1:seq-1");
        first.flush();
        Duration learned = awaitSeen(second, "1:seq-1");

        assertThat(learned).isLessThan(Duration.ofSeconds(1));
        assertThat(second.add("1:seq-1")).isFalse();
        // the learned identity was held in memory, and the new one was answered from it: no query
        assertThat(second.databaseChecks()).isZero();
        assertThat(first.databaseChecks()).isZero();
        assertThat(SharedDatabase.count(table)).isEqualTo(1);
    }

    @Test
    void anInstanceStartedLaterLoadsTheWindowsIdentitiesButNotOlderOnesNorAnotherDeployments() throws Exception {
        SharedSeenEvents first = instance(100);
        first.add("1:recent");
        first.add("1:old");
        first.flush();
        SharedDatabase.execute("UPDATE " + table + " SET createdAt = now() - interval '20 minutes' "
                + "WHERE messageId = '1:old'");
        SharedDatabase.execute("INSERT INTO " + table + " (processorName, messageId) VALUES ('staging.events', "
                + "'1:staging')");

        SharedSeenEvents later = listening(100);

        assertThat(later.contains("1:recent")).isTrue();
        assertThat(later.databaseChecks()).isZero();
        assertThat(later.size()).isEqualTo(1);
        // older than the window: not in memory, and not asked about either (the provider's retries are over)
        assertThat(later.contains("1:old")).isFalse();
        assertThat(later.contains("1:staging")).isFalse();
        assertThat(later.databaseChecks()).isZero();
    }

    @Test
    void memoryThatForgotIdentitiesOfTheWindowAsksTheDatabase() throws Exception {
        SharedSeenEvents small = listening(2);
        small.add("1:a");
        small.add("1:b");
        assertThat(small.contains("1:new")).isFalse();
        assertThat(small.databaseChecks()).isZero();

        small.add("1:c");
        small.flush();

        assertThat(small.answersFromMemory()).isFalse();
        assertThat(small.contains("1:a")).isTrue();
        assertThat(small.contains("1:other")).isFalse();
        assertThat(small.databaseChecks()).isEqualTo(2);
    }

    @Test
    void aLoadLargerThanMemoryAsksTheDatabase() throws Exception {
        SharedSeenEvents first = instance(100);
        // one statement each, so that each has a time of its own and the newest three are load-2 to load-4 (rows of
        // one statement share its time, and PostgreSQL returns ties in any order)
        for (int i = 0; i < 5; i++) {
            first.add("1:load-" + i);
            first.flush();
        }

        SharedSeenEvents small = started(new SharedSeenEvents(SharedDatabase.database(), table, "css.events",
                Duration.ofDays(1), Duration.ofHours(1), Duration.ofMinutes(15), 3));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (small.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        assertThat(small.size()).isEqualTo(3);
        assertThat(small.answersFromMemory()).isFalse();
        // the three it loaded, from memory; then the two it could not load (each found is learned, and the oldest
        // learned makes room for it), and a new one
        for (int i = 4; i >= 0; i--) {
            assertThat(small.contains("1:load-" + i)).isTrue();
        }
        assertThat(small.contains("1:other")).isFalse();
        assertThat(small.databaseChecks()).isEqualTo(3);
    }

    @Test
    void aLostListeningConnectionMeansQueriesUntilItIsBackAndWhatCameMeanwhileIsLearned() throws Exception {
        SharedSeenEvents writer = instance(100);
        SharedSeenEvents listener = listening(100);

        try (LogCapture log = new LogCapture(SharedSeenEvents.class)) {
            SharedDatabase.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                    + "'css-gateway-dedup-listener " + table + "'");
            // the terminated connection is found at once, or by the probe within seconds
            awaitAnsweringFromMemory(listener, false);
            long before = listener.databaseChecks();
            writer.add("1:meanwhile");
            writer.flush();
            assertThat(listener.contains("1:meanwhile")).isTrue();
            assertThat(listener.databaseChecks()).isEqualTo(before + 1);

            awaitAnsweringFromMemory(listener, true);
            assertThat(log.lines()).anyMatch(line -> line.startsWith("WARN De-duplication: the notifications")
                    && line.contains("checked in the database"));
            assertThat(log.lines()).anyMatch(line -> line.contains("after the listening connection came back"));
        }
        writer.add("1:after");
        writer.flush();
        awaitSeen(listener, "1:after");
    }

    @Test
    void aBatchOfManyIdentitiesIsNotifiedInPayloadsWithinPostgresqlsLimit() throws Exception {
        SharedSeenEvents first = instance(100_000);
        SharedSeenEvents second = listening(100_000);
        for (int i = 0; i < 5_000; i++) {
            first.add("100:file-" + "x".repeat(100) + i);
        }
        first.flush();

        awaitSeen(second, "100:file-" + "x".repeat(100) + 4_999);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (second.size() < 5_000 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(second.size()).isEqualTo(5_000);
        assertThat(second.databaseChecks()).isZero();
    }

    @Test
    void anIdentityAddedByOneInstanceIsSeenByAnother() throws Exception {
        SharedSeenEvents first = instance(100);
        SharedSeenEvents second = instance(100);

        assertThat(second.contains("1:seq-1")).isFalse();
        assertThat(first.add("1:seq-1")).isTrue();
        first.flush();

        assertThat(second.contains("1:seq-1")).isTrue();
        assertThat(second.add("1:seq-1")).isFalse();
        assertThat(SharedDatabase.count(table)).isEqualTo(1);
    }

    @Test
    void theTableIsCreatedAtStartWithItsTimeIndex() {
        instance(10);

        assertThat(SharedDatabase.count(table)).isZero();
        assertThat(SharedDatabase.indexes(table)).contains(table + "_createdat");
    }

    @Test
    void concurrentAddsOfOneIdentityByManyInstancesLeaveOneRowAndNoError() throws Exception {
        List<SharedSeenEvents> instances = List.of(instance(10), instance(10), instance(10), instance(10));
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try (LogCapture log = new LogCapture(SharedSeenEvents.class)) {
            for (int round = 0; round < 50; round++) {
                String identity = "1:race-" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> adds = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    SharedSeenEvents instance = instances.get(i % instances.size());
                    adds.add(threads.submit(() -> {
                        go.await();
                        return instance.add(identity);
                    }));
                }
                go.countDown();
                int trues = 0;
                for (Future<Boolean> add : adds) {
                    trues += add.get() ? 1 : 0;
                }
                // each instance remembers it once
                assertThat(trues).as("round %d", round).isEqualTo(instances.size());
            }
            for (SharedSeenEvents instance : instances) {
                instance.flush();
            }
            assertThat(log.lines()).isEmpty();
        } finally {
            threads.shutdownNow();
        }
        assertThat(SharedDatabase.count(table)).isEqualTo(50);
    }

    @Test
    void expiryRemovesEntriesOlderThanTheRetentionOnly() throws Exception {
        SharedSeenEvents instance = instance(10);
        instance.add("1:old");
        instance.add("1:new");
        instance.flush();
        SharedDatabase.execute("UPDATE " + table + " SET createdAt = now() - interval '25 hours' "
                + "WHERE messageId = '1:old'");

        assertThat(instance.expire()).isEqualTo(1);

        SharedSeenEvents fresh = instance(10);
        assertThat(fresh.contains("1:old")).isFalse();
        assertThat(fresh.contains("1:new")).isTrue();
    }

    @Test
    void expiryDeletesInBatchesUntilNoneIsLeft() throws Exception {
        SharedSeenEvents instance = instance(10);
        SharedDatabase.execute("INSERT INTO " + table + " (processorName, messageId, createdAt) SELECT 'css.events', "
                + "'1:bulk-' || i, now() - interval '2 days' FROM generate_series(1, 25000) AS i");
        instance.add("1:kept");
        instance.flush();

        assertThat(instance.expire()).isEqualTo(25000);
        assertThat(SharedDatabase.count(table)).isEqualTo(1);
    }

    @Test
    void anotherDeploymentsEntriesAreNeitherSeenNorExpired() throws Exception {
        SharedSeenEvents production = instance(10);
        SharedSeenEvents staging = new SharedSeenEvents(SharedDatabase.database(), table, "staging.events",
                Duration.ofSeconds(1), Duration.ofHours(1), Duration.ZERO, 10);
        staging.start();
        started.add(staging);
        production.add("1:seq-9");
        production.flush();
        SharedDatabase.execute("UPDATE " + table + " SET createdAt = now() - interval '1 hour'");

        assertThat(staging.contains("1:seq-9")).isFalse();
        assertThat(staging.expire()).isZero();
        assertThat(SharedDatabase.count(table)).isEqualTo(1);
    }

    @Test
    void identitiesAreWrittenBehindInBatchesAndAllAreInTheTableOnceStopped() throws Exception {
        SharedSeenEvents instance = new SharedSeenEvents(SharedDatabase.database(), table, "css.events",
                Duration.ofDays(1), Duration.ofHours(1), Duration.ZERO, 100_000);
        instance.start();
        for (int i = 0; i < 20_000; i++) {
            assertThat(instance.add("1:burst-" + i)).isTrue();
        }

        instance.stop();

        assertThat(SharedDatabase.count(table)).isEqualTo(20_000);
    }

    @Test
    void aStopFromAnInterruptedThreadWritesWhatIsQueuedAndLeavesNoThreadBehind() throws Exception {
        SharedSeenEvents instance = new SharedSeenEvents(SharedDatabase.database(), table, "css.events",
                Duration.ofDays(1), Duration.ofHours(1), Duration.ZERO, 100_000);
        instance.start();
        for (int i = 0; i < 5_000; i++) {
            instance.add("1:interrupted-" + i);
        }

        // as a container's stop that was interrupted (Karaf's bundle:stop, a timed-out shutdown task)
        Thread.currentThread().interrupt();
        try {
            instance.stop();
        } finally {
            Thread.interrupted();
        }

        assertThat(SharedDatabase.count(table)).isEqualTo(5_000);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!dedupThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(dedupThreads()).isEmpty();
    }

    /** The threads of the instances started in this JVM: the writer, the expiry, HikariCP's housekeeper. */
    private static List<String> dedupThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("css-gateway-dedup")).toList();
    }

    @Test
    void aRetryThisInstanceSawIsAnsweredFromMemoryWithoutTheDatabase() {
        SharedSeenEvents instance = instance(10);
        instance.add("1:seq-2");
        SharedDatabase.drop(table);

        assertThat(instance.contains("1:seq-2")).isTrue();
        assertThat(instance.add("1:seq-2")).isFalse();
    }

    @Test
    void whileTheDatabaseCannotBeUsedEventsAreHandedOnUncheckedWithOneLine() {
        SharedSeenEvents instance = instance(10);
        SharedDatabase.drop(table);
        try (LogCapture log = new LogCapture(SharedSeenEvents.class)) {
            assertThat(instance.contains("1:seq-3")).isFalse();
            assertThat(instance.add("1:seq-3")).isTrue();
            assertThat(instance.contains("1:seq-4")).isFalse();

            assertThat(log.lines()).hasSize(1);
            assertThat(log.lines().get(0)).startsWith("WARN De-duplication store jdbc:postgresql://")
                    .contains("handed on without the check").contains(table);
        }
    }

    @Test
    void aDatabaseThatCannotBeReachedAtStartStopsTheStartNamingTheUrl() {
        SharedSeenEvents repository = new SharedSeenEvents(new SharedSeenEvents.Database(
                "jdbc:postgresql://127.0.0.1:1/test", "postgres", "", 2, Duration.ofMillis(500)), table, "css.events",
                Duration.ofDays(1), Duration.ofHours(1), Duration.ZERO, 10);

        assertThatThrownBy(repository::start).hasMessageContaining("jdbc:postgresql://127.0.0.1:1/test")
                .hasMessageContaining("cannot be reached");
    }

    @Test
    void aUrlOfAnotherDatabaseIsRefusedWithTheKeyToSet() {
        assertThatThrownBy(() -> new SharedSeenEvents(new SharedSeenEvents.Database("jdbc:mysql://db/x", "u", "p", 2,
                Duration.ofSeconds(1)), table, "css.events", Duration.ofDays(1), Duration.ofHours(1), Duration.ZERO, 10))
                .hasMessageContaining("gateway.dedup.jdbc.url must be a PostgreSQL JDBC URL");
    }
}
