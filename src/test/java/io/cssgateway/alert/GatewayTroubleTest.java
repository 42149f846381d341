package io.cssgateway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.alert.GatewayTrouble.Condition;
import io.cssgateway.alert.GatewayTrouble.Finding;
import io.cssgateway.harness.MovingClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The gateway's own trouble: once when it starts, a reminder while it lasts, once when it ends. */
class GatewayTroubleTest {

    private final MovingClock clock = new MovingClock("2026-12-04T10:00:00Z");
    private final AtomicReference<Finding> broker = new AtomicReference<>();
    private final GatewayTrouble trouble = new GatewayTrouble("gw-1", Duration.ofMinutes(30),
            List.of("oncall@example.com"), clock, List.of(new Condition("broker", broker::get),
                    new Condition("folders", () -> {
                        throw new IllegalStateException("a check that cannot run");
                    })));
    private final NoticeText words = new NoticeText(AlertTexts.of("en"));

    private List<String> titles() {
        return trouble.check().stream().map(a -> words.phrase(a.notice(app -> true).title(), v -> v)).toList();
    }

    @Test
    void aTroubleIsToldWhenItStartsRemindedWhileItLastsAndToldWhenItEnds() {
        assertThat(titles()).isEmpty();

        broker.set(new Finding("RabbitMQ has not taken events since 10:00: connection refused",
                List.of(Notice.Fact.named("fact.spool-depth", "42"))));
        clock.move(Duration.ofSeconds(5));
        List<Alert> started = trouble.check();
        assertThat(started).hasSize(1);
        Notice notice = started.get(0).notice(app -> true);
        assertThat(notice.kind()).isEqualTo("broker");
        assertThat(words.phrase(notice.title(), v -> v)).isEqualTo("RabbitMQ does not take events (instance gw-1)");
        assertThat(words.plain(notice)).contains("Since 2026-12-04 10:00:05Z: RabbitMQ has not taken events")
                .contains("events in the spool=42").contains("instance=gw-1");

        clock.move(Duration.ofMinutes(29));
        assertThat(titles()).isEmpty();
        clock.move(Duration.ofMinutes(1));
        assertThat(titles()).containsExactly("RabbitMQ does not take events, for 30 min now (instance gw-1)");
        clock.move(Duration.ofMinutes(5));
        assertThat(titles()).isEmpty();

        broker.set(null);
        assertThat(titles()).containsExactly("Over: RabbitMQ does not take events (instance gw-1, after 35 min)");
        assertThat(titles()).isEmpty();
    }
}
