package io.cssgateway.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.harness.RouteHarness;
import io.cssgateway.harness.RouteTestSupport;
import io.cssgateway.harness.TestCallbacks;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/**
 * The de-duplication rule, as the intake's idempotent consumer applies it, with RabbitMQ advised out: an event counts
 * as seen only once it is confirmed or spooled.
 */
class DuplicateRouteTest extends RouteTestSupport {

    private static String push(String sequence) {
        return TestCallbacks.sample("1-push.doc.json").with("sequence", sequence).freshlySignedWith(RouteHarness.KEY)
                .asString();
    }

    @Test
    void aDuplicateIsAnsweredAndAuditedButPublishedOnce() {
        String sequence = TestCallbacks.uniqueSequence();

        Exchange first = routes.post(push(sequence));
        Exchange retry = routes.post(push(sequence));

        assertThat(RouteHarness.status(first)).isEqualTo(200);
        assertThat(RouteHarness.status(retry)).isEqualTo(200);
        assertThat(RouteHarness.answer(retry)).isEqualTo("{\"code\":0}");
        assertThat(routes.published()).hasSize(1);
        assertThat(routes.lastAuditLine().get("verdict").asText()).isEqualTo("duplicate");
        assertThat(routes.lastAuditLine().get("event_id").asText()).isEqualTo("1:" + sequence);
    }

    @Test
    void aSpooledEventCountsAsSeen() {
        String sequence = TestCallbacks.uniqueSequence();
        routes.brokerDoes(exchange -> {
            throw new IOException("RabbitMQ refused the message (nack)");
        });

        assertThat(RouteHarness.status(routes.post(push(sequence)))).isEqualTo(200);
        long spooled = routes.spooled();
        assertThat(RouteHarness.status(routes.post(push(sequence)))).isEqualTo(200);

        assertThat(routes.lastAuditLine().get("verdict").asText()).isEqualTo("duplicate");
        assertThat(routes.spooled()).isEqualTo(spooled);
        assertThat(routes.publishAttempts()).isEqualTo(1);
    }

    @Test
    void anEventAnswered503IsNotSeenAndItsRetryPublishes() throws Exception {
        String sequence = TestCallbacks.uniqueSequence();
        routes.brokerDoes(exchange -> {
            throw new IOException("RabbitMQ refused the message (nack)");
        });
        try (AutoCloseable restore = routes.spoolMadeUnwritable()) {
            Exchange failed = routes.post(push(sequence));
            assertThat(RouteHarness.status(failed)).isEqualTo(503);
            assertThat(RouteHarness.answer(failed))
                    .isEqualTo("{\"code\":503,\"message\":\"event could not be handed on, retry later\"}");
            assertThat(routes.lastAuditLine().get("reason").asText()).isEqualTo("unavailable");
        }
        routes.reset();

        Exchange retry = routes.post(push(sequence));

        assertThat(RouteHarness.status(retry)).isEqualTo(200);
        assertThat(routes.lastAuditLine().get("verdict").asText()).isEqualTo("accepted");
        assertThat(routes.published()).extracting(e -> e.messageId()).containsExactly("1:" + sequence);
    }

    @Test
    void aCopyArrivingWhileTheFirstIsInFlightIsHandedOnToo() throws Exception {
        String sequence = TestCallbacks.uniqueSequence();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch bothAtTheBroker = new CountDownLatch(2);
        routes.brokerDoes(exchange -> {
            bothAtTheBroker.countDown();
            release.await(10, TimeUnit.SECONDS);
        });

        CompletableFuture<Exchange> first = CompletableFuture.supplyAsync(() -> routes.post(push(sequence)));
        Thread.sleep(200);
        CompletableFuture<Exchange> copy = CompletableFuture.supplyAsync(() -> routes.post(push(sequence)));

        // the copy is not answered on the strength of the first (which may still fail): it reaches the broker too
        assertThat(bothAtTheBroker.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(first).isNotDone();
        assertThat(copy).isNotDone();
        release.countDown();

        assertThat(RouteHarness.status(first.get(5, TimeUnit.SECONDS))).isEqualTo(200);
        assertThat(RouteHarness.status(copy.get(5, TimeUnit.SECONDS))).isEqualTo(200);
        assertThat(routes.published()).extracting(e -> e.messageId()).containsExactly("1:" + sequence, "1:" + sequence);
        // and now it is seen
        assertThat(RouteHarness.status(routes.post(push(sequence)))).isEqualTo(200);
        assertThat(routes.lastAuditLine().get("verdict").asText()).isEqualTo("duplicate");
    }
}
