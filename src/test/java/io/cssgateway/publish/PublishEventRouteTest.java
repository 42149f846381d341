package io.cssgateway.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.harness.RouteHarness;
import io.cssgateway.harness.RouteTestSupport;
import io.cssgateway.harness.TestCallbacks;
import java.io.IOException;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/** publish-event's one branch, published or spooled, with RabbitMQ advised out. */
class PublishEventRouteTest extends RouteTestSupport {

    private Exchange postPush() {
        return routes.post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence()
                .freshlySignedWith(RouteHarness.KEY).asString());
    }

    @Test
    void aConfirmedEventIsNotSpooled() {
        long spooled = routes.spooled();
        assertThat(RouteHarness.status(postPush())).isEqualTo(200);
        assertThat(routes.published()).hasSize(1);
        assertThat(routes.spooled()).isEqualTo(spooled);
    }

    @Test
    void anEventTheBrokerDoesNotTakeIsSpooledAndAnsweredAndTheNextGoesStraightToTheSpool() {
        routes.brokerDoes(exchange -> {
            throw new IOException("RabbitMQ refused the message (nack)");
        });
        long spooled = routes.spooled();

        assertThat(RouteHarness.status(postPush())).isEqualTo(200);
        assertThat(routes.spooled()).isEqualTo(spooled + 1);
        assertThat(routes.lastAuditLine().get("verdict").asText()).isEqualTo("accepted");

        // RabbitMQ is now marked down: the next event does not wait for the broker
        assertThat(RouteHarness.status(postPush())).isEqualTo(200);
        assertThat(routes.spooled()).isEqualTo(spooled + 2);
        assertThat(routes.publishAttempts()).isEqualTo(1);
    }

    @Test
    void whenTheSpoolFailsTooTheAnswerIs503() throws Exception {
        routes.brokerDoes(exchange -> {
            throw new IOException("connection refused");
        });
        try (AutoCloseable restore = routes.spoolMadeUnwritable()) {
            Exchange failed = postPush();

            assertThat(RouteHarness.status(failed)).isEqualTo(503);
            assertThat(routes.lastAuditLine().get("reason").asText()).isEqualTo("unavailable");
            assertThat(routes.lastAuditLine().get("http_status").asInt()).isEqualTo(503);
        }
    }
}
