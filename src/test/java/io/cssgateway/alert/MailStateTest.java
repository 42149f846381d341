package io.cssgateway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.harness.LogCapture;
import io.cssgateway.harness.MovingClock;
import jakarta.mail.MessagingException;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class MailStateTest {

    private final MovingClock clock = new MovingClock("2026-11-30T10:00:00Z");
    private final MailState state = new MailState(clock);

    @Test
    void smtpFailingAndBackAreOneLineEachWithRemindersAtMostEvery30Seconds() {
        try (LogCapture log = new LogCapture(MailState.class)) {
            state.sent();
            for (int second = 0; second <= 40; second += 2) {
                clock.set(Instant.parse("2026-11-30T10:00:00Z").plusSeconds(second));
                state.failed(new MessagingException("Couldn't connect to host, port: localhost, 25; timeout -1"));
            }
            assertThat(state.failing()).isTrue();
            clock.move(Duration.ofSeconds(5));
            state.sent();
            state.sent();

            assertThat(state.failing()).isFalse();
            assertThat(log.lines()).containsExactly(
                    "WARN Alert mail cannot be sent (Couldn't connect to host, port: localhost, 25; timeout -1): each "
                            + "digest is tried again with back-off, then kept as a file",
                    "WARN Alert mail still cannot be sent, for 30 s now (16 tries failed)",
                    "INFO Alert mail is sent again, after 45 s of failures");
        }
    }

    @Test
    void eachRetryIsCountedButAFinalFailureIsNot() {
        Exchange retry = new DefaultExchange(new DefaultCamelContext());
        retry.setProperty(Exchange.EXCEPTION_CAUGHT, new MessagingException("refused"));
        state.process(retry);
        state.process(retry);
        state.failed(new MessagingException("refused"));

        assertThat(state.retries()).isEqualTo(2);
    }
}
