package io.cssgateway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.alert.Notice.Phrase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which channels an alert goes to: its kind, its push domain, mail's recipients; done once every channel is. */
class AlertChannelsTest {

    private final WebhookChannel everything = new WebhookChannel("oncall", ChatFormat.SLACK,
            "https://hooks.slack.com/services/x", null, Set.of(), Set.of());
    private final WebhookChannel silenceOfOneDomain = new WebhookChannel("cn", ChatFormat.WECOM,
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", null, Set.of("silence"), Set.of("*.example.cn"));

    private AlertChannels channels(boolean mail, Set<String> mailKinds) {
        return new AlertChannels(mail, mailKinds, List.of(everything, silenceOfOneDomain), AlertTexts.of("en"), 10,
                Duration.ofSeconds(10), Clock.systemUTC());
    }

    private static Alert alert(String kind, String app, List<String> recipients, AtomicInteger delivered) {
        Notice notice = new Notice(kind, app, Phrase.of("silence.stopped", "x"), Phrase.of("more", 1L), List.of());
        return new Alert() {
            @Override
            public String kind() {
                return kind;
            }

            @Override
            public List<String> recipients() {
                return recipients;
            }

            @Override
            public Notice notice(java.util.function.Predicate<String> domains) {
                return domains.test(app) ? notice : null;
            }

            @Override
            public void delivered() {
                delivered.incrementAndGet();
            }
        };
    }

    @Test
    void eachChannelTakesItsKindsAndDomainsMailComesLastAndTheAlertIsDoneOnceAllAre() {
        AtomicInteger delivered = new AtomicInteger();
        List<AlertDelivery> deliveries = channels(true, Set.of()).deliveries(
                alert("silence", "live.example.cn", List.of("oncall@example.com"), delivered));

        assertThat(deliveries).extracting(AlertDelivery::getChannel).containsExactly("oncall", "cn", "mail");
        deliveries.get(0).finished();
        deliveries.get(2).finished();
        assertThat(delivered).hasValue(0);
        deliveries.get(1).finished();
        assertThat(delivered).hasValue(1);
    }

    @Test
    void anAlertOfAnotherKindOrDomainSkipsTheNarrowedChannel() {
        AtomicInteger delivered = new AtomicInteger();
        assertThat(channels(true, Set.of()).deliveries(alert("broker", null, List.of("oncall@example.com"), delivered)))
                .extracting(AlertDelivery::getChannel).containsExactly("oncall", "mail");
        assertThat(channels(true, Set.of()).deliveries(alert("silence", "live.example.com", List.of("oncall@example.com"),
                delivered))).extracting(AlertDelivery::getChannel).containsExactly("oncall", "mail");
    }

    @Test
    void mailTakesItsKindsNeverItsOwnFailureAndNeedsRecipients() {
        AtomicInteger delivered = new AtomicInteger();
        AlertChannels digestsOnly = channels(true, Set.of("interruptions"));
        assertThat(digestsOnly.deliveries(alert("broker", null, List.of("oncall@example.com"), delivered)))
                .extracting(AlertDelivery::getChannel).containsExactly("oncall");
        assertThat(channels(true, Set.of()).deliveries(alert("mail", null, List.of("oncall@example.com"), delivered)))
                .extracting(AlertDelivery::getChannel).containsExactly("oncall");
        assertThat(channels(true, Set.of()).deliveries(alert("folders", null, List.of(), delivered)))
                .extracting(AlertDelivery::getChannel).containsExactly("oncall");
    }

    @Test
    void anAlertNoChannelTakesIsDoneAtOnce() {
        AtomicInteger delivered = new AtomicInteger();
        AlertChannels none = new AlertChannels(false, Set.of(), List.of(), AlertTexts.of("en"), 10,
                Duration.ofSeconds(10), Clock.systemUTC());

        assertThat(none.deliveries(alert("interruptions", null, List.of("oncall@example.com"), delivered))).isEmpty();
        assertThat(delivered).hasValue(1);
    }
}
