package io.cssgateway.spool;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.harness.Eventually;
import io.cssgateway.harness.RouteHarness;
import io.cssgateway.harness.TestCallbacks;
import io.cssgateway.publish.BrokerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * routes/spool.camel.yaml's drain-spool, on the real route files with RabbitMQ advised out: what the spool kept while
 * the broker was away reaches it once it is back, each event once, its file gone only once confirmed.
 */
class SpoolDrainRouteTest {

    @TempDir
    Path data;

    private RouteHarness drainingEvery200Ms() throws Exception {
        Properties configuration = new Properties();
        configuration.setProperty("gateway.spool.drain-interval-ms", "200");
        configuration.setProperty("gateway.spool.drain-batch", "2");
        return new RouteHarness(data, configuration, List.of("spool.camel.yaml")).start();
    }

    /** Posts pushes while the broker refuses them: each is answered 200 and spooled; returns their message ids. */
    private static List<String> spooledWhileTheBrokerIsAway(RouteHarness routes, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                    .freshlySignedWith(RouteHarness.KEY);
            assertThat(RouteHarness.status(routes.post(push.asString()))).isEqualTo(200);
            ids.add("1:" + push.text("sequence"));
        }
        return ids;
    }

    private static List<String> publishedIds(RouteHarness routes) {
        return routes.published().stream().map(OutgoingEvent::messageId).toList();
    }

    @Test
    void spooledEventsArePublishedOnceTheBrokerIsBackAndTheirFilesGo() throws Exception {
        try (RouteHarness routes = drainingEvery200Ms()) {
            routes.brokerDoes(exchange -> {
                throw new IOException("connection refused");
            });
            List<String> ids = spooledWhileTheBrokerIsAway(routes, 5);
            assertThat(routes.spooled()).isEqualTo(5);
            assertThat(routes.bean("brokerState", BrokerState.class).isUp()).isFalse();
            // the drain tries meanwhile, and each failed try leaves the file
            Thread.sleep(600);
            assertThat(routes.spooled()).isEqualTo(5);
            assertThat(routes.published()).isEmpty();

            routes.brokerDoes(exchange -> { });

            Eventually.holds(() -> routes.spooled() == 0, "the spool drained");
            assertThat(publishedIds(routes)).containsExactlyInAnyOrderElementsOf(ids);
            // each confirm removes the event's file, then counts it out of the spool and marks RabbitMQ up: new
            // events are published directly again
            Spool spool = routes.bean("spool", Spool.class);
            Eventually.holds(() -> spool.depth() == 0, "the spool's depth (css_gateway_spool_events) back to 0");
            Eventually.holds(() -> routes.bean("brokerState", BrokerState.class).isUp(), "RabbitMQ up again");
            List<String> next = spooledWhileTheBrokerIsAway(routes, 1);
            assertThat(routes.spooled()).isZero();
            assertThat(publishedIds(routes)).contains(next.get(0));
        }
    }

    @Test
    void aDrainThatFailsHalfwayLeavesTheRestForTheNextRoundAndPublishesEachOnce() throws Exception {
        try (RouteHarness routes = drainingEvery200Ms()) {
            routes.brokerDoes(exchange -> {
                throw new IOException("connection refused");
            });
            List<String> ids = spooledWhileTheBrokerIsAway(routes, 6);
            // back, but every third publish fails (nacked): those files wait for a later round
            AtomicInteger tries = new AtomicInteger();
            routes.brokerDoes(exchange -> {
                if (tries.incrementAndGet() % 3 == 0) {
                    throw new IOException("nack");
                }
            });

            Eventually.holds(() -> routes.spooled() == 0, "the spool drained");
            assertThat(publishedIds(routes)).containsExactlyInAnyOrderElementsOf(ids).doesNotHaveDuplicates();
            assertThat(tries.get()).isGreaterThan(ids.size());
        }
    }

    /**
     * A round's events are all confirmed or failed before the next round takes any: the events in flight, and so the
     * drain's memory, stay within {@code gateway.spool.drain-batch}, and a file in flight is never listed again (the
     * timer of Camel 4 does not wait for an asynchronous round unless told to: rounds piled up, 60,000 events were
     * in flight in a 128 MB heap, and it ran out).
     */
    @Test
    void aRoundEndsBeforeTheNextTakesAnyEventsSoThatNoMoreThanABatchIsInFlight() throws Exception {
        try (RouteHarness routes = drainingEvery200Ms()) {
            routes.brokerDoes(exchange -> {
                throw new IOException("connection refused");
            });
            List<String> ids = spooledWhileTheBrokerIsAway(routes, 6);
            // back, but slow: each confirm takes 700 ms, more than three timer periods
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger mostInFlight = new AtomicInteger();
            routes.brokerDoes(exchange -> {
                mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                Thread.sleep(700);
                inFlight.decrementAndGet();
            });

            Eventually.holds(() -> routes.spooled() == 0, "the spool drained");
            assertThat(publishedIds(routes)).containsExactlyInAnyOrderElementsOf(ids).doesNotHaveDuplicates();
            assertThat(mostInFlight.get()).as("events in flight at once (drain-batch 2)").isEqualTo(2);
        }
    }

    @Test
    void anUnreadableSpoolFileIsPutAsideAndTheOthersAreDrained() throws Exception {
        Path spoolDir = Files.createDirectories(data.resolve("spool"));
        Files.writeString(spoolDir.resolve("0000000000001-0000000001.event"), "not a spooled event");
        try (RouteHarness routes = drainingEvery200Ms()) {
            routes.brokerDoes(exchange -> {
                throw new IOException("connection refused");
            });
            List<String> ids = spooledWhileTheBrokerIsAway(routes, 2);
            routes.brokerDoes(exchange -> { });

            Eventually.holds(() -> routes.spooled() == 0, "the spool drained");
            assertThat(publishedIds(routes)).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(spoolDir.resolve("unreadable/0000000000001-0000000001.event")).hasContent("not a spooled event");
            Spool spool = routes.bean("spool", Spool.class);
            Eventually.holds(() -> spool.depth() == 0, "the spool's depth back to 0, the unreadable file not counted");
        }
    }
}
