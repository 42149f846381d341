package io.cssgateway.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.harness.LogCapture;
import io.cssgateway.harness.MovingClock;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BrokerStateTest {

    private final MovingClock clock = new MovingClock("2026-11-30T10:00:00Z");
    private final AtomicInteger spooled = new AtomicInteger();
    private final BrokerState state = new BrokerState(clock, spooled::get);

    @Test
    void eachChangeIsOneLineWithAReminderEvery30SecondsAndNoStack() {
        try (LogCapture log = new LogCapture(BrokerState.class)) {
            Exception refused = new IOException(new ConnectException("Connection refused"));
            for (int second = 0; second < 65; second += 5) {
                clock.set(Instant.parse("2026-11-30T10:00:00Z").plusSeconds(second));
                state.markDown(refused);
            }
            spooled.set(3);
            clock.move(Duration.ofSeconds(1));
            state.markUp();

            assertThat(log.lines()).containsExactly(
                    "WARN RabbitMQ does not take events: RabbitMQ cannot be reached (ConnectException: Connection refused); "
                            + "they are spooled until it does",
                    "WARN RabbitMQ still does not take events, for 30 s now: 0 event(s) wait in the spool",
                    "WARN RabbitMQ still does not take events, for 60 s now: 0 event(s) wait in the spool",
                    "INFO RabbitMQ takes events again after 61 s down");
        }
    }

    @Test
    void reachableMarksUpOnlyOnceTheSpoolIsEmpty() {
        state.markDown(new IOException("x"));
        spooled.set(2);
        state.reachable();
        assertThat(state.isUp()).as("spooled events wait: the drain's first confirm says it is up").isFalse();
        assertThat(state.downSince()).isEqualTo(clock.instant());
        spooled.set(0);
        state.reachable();
        assertThat(state.isUp()).isTrue();
        assertThat(state.downSince()).isNull();
    }

    @Test
    void theReasonIsTheInnermostCauseThatSaysSomething() {
        assertThat(BrokerFailures.reason(new RuntimeException(new IOException(new ConnectException("Connection refused")))))
                .isEqualTo("ConnectException: Connection refused");
        assertThat(BrokerFailures.reason(new IOException("I/O thread: reached EOF", new IOException())))
                .isEqualTo("IOException: I/O thread: reached EOF");
        assertThat(BrokerFailures.reason(null)).isEqualTo("unknown cause");
    }
}
