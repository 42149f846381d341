package io.cssgateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.support.ExchangeProperties;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** The metrics as Prometheus scrapes them: names, labels, units. */
class GatewayMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final GatewayMetrics metrics = new GatewayMetrics(registry);
    private final DefaultCamelContext camel = new DefaultCamelContext();

    private Exchange audited(String verdict, String reason, Integer eventType, String routingKey) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(ExchangeProperties.VERDICT, verdict);
        exchange.setProperty(ExchangeProperties.REASON, reason);
        exchange.setProperty(ExchangeProperties.EVENT_TYPE, eventType);
        exchange.setProperty(ExchangeProperties.ROUTING_KEY, routingKey);
        return exchange;
    }

    @Test
    void requestsAreCountedByVerdictAndReasonAndAcceptedEventsByTypeAndKey() {
        metrics.request(audited("accepted", null, 1, "stream.push"));
        metrics.request(audited("accepted", null, 1, "stream.push"));
        metrics.request(audited("duplicate", null, 1, "stream.push"));
        metrics.request(audited("rejected", "bad-signature", 31337, null));
        // an undelivered digest is audited too, but it is no request
        metrics.request(audited("alert-undelivered", "MessagingException", null, null));

        String scraped = registry.scrape();
        assertThat(scraped)
                .contains("css_gateway_requests_total{reason=\"accepted\",tenant=\"\",verdict=\"accepted\"} 2.0")
                .contains("css_gateway_requests_total{reason=\"duplicate\",tenant=\"\",verdict=\"duplicate\"} 1.0")
                .contains("css_gateway_requests_total{reason=\"bad-signature\",tenant=\"\",verdict=\"rejected\"} 1.0")
                .contains("css_gateway_events_total{event_type=\"1\",routing_key=\"stream.push\",tenant=\"\"} 2.0")
                .contains("css_gateway_answer_seconds_count 4")
                .contains("css_gateway_answer_seconds_bucket{le=\"0.005\"}")
                .doesNotContain("alert-undelivered")
                // a refused request's event type is the client's to choose: never a label
                .doesNotContain("31337");
    }

    @Test
    void confirmLatencyIsAHistogramInSeconds() {
        metrics.publishConfirm().record(3, TimeUnit.MILLISECONDS);
        metrics.publishConfirm().record(300, TimeUnit.MILLISECONDS);
        String scraped = registry.scrape();
        assertThat(scraped).contains("css_gateway_publish_confirm_seconds_bucket{le=\"0.005\"} 1")
                .contains("css_gateway_publish_confirm_seconds_bucket{le=\"0.5\"} 2")
                .contains("css_gateway_publish_confirm_seconds_count 2");
    }

    @Test
    void alertsAreCountedByChannelKindAndOutcomeWithTheMailRetries() {
        long[] retries = {0};
        metrics.mailRetries(() -> retries[0]);
        metrics.alertSent("mail", "interruptions");
        metrics.alertUndelivered("oncall-slack", "silence");
        metrics.alertSent("mail", "interruptions");
        retries[0] = 10;

        assertThat(registry.scrape())
                .contains("css_gateway_alert_deliveries_total{channel=\"mail\",kind=\"interruptions\",outcome=\"sent\"} 2.0")
                .contains("css_gateway_alert_deliveries_total{channel=\"oncall-slack\",kind=\"silence\",outcome=\"undelivered\"} 1.0")
                .contains("css_gateway_alert_mail_retries_total 10.0");
    }

    @Test
    void theUnroutedQueuesLastCountIsAGaugeAndNaNWhileUnknown() {
        long[] parked = {-1};
        metrics.unrouted(() -> parked[0]);
        assertThat(registry.scrape()).contains("css_gateway_unrouted_messages NaN");
        parked[0] = 3;
        assertThat(registry.scrape()).contains("css_gateway_unrouted_messages 3.0");
    }

    @Test
    void gaugesAndCountsKeptElsewhereAreReadWhenScraped() {
        int[] depth = {4};
        boolean[] up = {false};
        long[] failures = {2};
        metrics.spool(() -> depth[0], () -> 12);
        metrics.brokerUp(() -> up[0]);
        metrics.auditWriteFailures(() -> failures[0]);

        assertThat(registry.scrape()).contains("css_gateway_spool_events 4.0")
                .contains("css_gateway_spool_oldest_age_seconds 12.0").contains("css_gateway_broker_up 0.0")
                .contains("css_gateway_audit_write_failures_total 2.0");
        depth[0] = 0;
        up[0] = true;
        assertThat(registry.scrape()).contains("css_gateway_spool_events 0.0").contains("css_gateway_broker_up 1.0");
    }

    @Test
    void theIntakesConnectionsAreCountedOpenAndClosedByReason() {
        int[] open = {3};
        metrics.httpConnections(() -> open[0], Map.of("idle", () -> 7, "slow", () -> 2, "limit", () -> 0));

        assertThat(registry.scrape()).contains("css_gateway_http_connections 3.0")
                .contains("css_gateway_http_connections_closed_total{reason=\"idle\"} 7.0")
                .contains("css_gateway_http_connections_closed_total{reason=\"slow\"} 2.0")
                .contains("css_gateway_http_connections_closed_total{reason=\"limit\"} 0.0");
        open[0] = 0;
        assertThat(registry.scrape()).contains("css_gateway_http_connections 0.0");
    }

    @Test
    void aCountKeptElsewhereIsStillReadAfterTheGarbageCollectorRan() throws InterruptedException {
        long[] failures = {1};
        // a lambda nothing else holds, as the wiring passes them
        metrics.auditWriteFailures(() -> failures[0]);
        assertThat(registry.scrape()).contains("css_gateway_audit_write_failures_total 1.0");
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
        failures[0] = 5;

        assertThat(registry.scrape()).contains("css_gateway_audit_write_failures_total 5.0");
    }
}
