package io.cssgateway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cssgateway.harness.Eventually;
import io.cssgateway.harness.RouteHarness;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.mail.MessagingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * routes/alerts.camel.yaml's send-alert-mail and its error handling (alert-mail-retries), on the real route files
 * with RabbitMQ and SMTP advised out: a digest is tried again while SMTP fails, mailed once it takes it; after its last
 * try it is kept as a file and audited.
 */
class AlertDigestRouteTest {

    private static final int RETRIES = 2;

    @TempDir
    Path data;

    /** The SMTP server as the test has it: fails the first {@code failures} tries of each digest, or all when -1. */
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger tries = new AtomicInteger();

    private RouteHarness alertRoutes() throws Exception {
        Properties configuration = new Properties();
        configuration.setProperty("gateway.alert.enabled", "true");
        configuration.setProperty("gateway.alert.from", "css-gateway@example.com");
        configuration.setProperty("gateway.alert.to", "oncall@example.com");
        configuration.setProperty("gateway.alert.window-seconds", "1");
        configuration.setProperty("gateway.alert.smtp.retries", Integer.toString(RETRIES));
        configuration.setProperty("gateway.alert.smtp.retry-delay-ms", "50");
        configuration.setProperty("gateway.alert.smtp.max-retry-delay-ms", "100");
        return RouteHarness.withAlerts(data, configuration)
                .advise("send-alert-mail", route -> route.weaveByToUri(".*smtp.*").replace()
                        .process(this::smtp).to("mock:mail"))
                .start();
    }

    private void smtp(Exchange exchange) throws MessagingException {
        int attempt = tries.incrementAndGet();
        if (failures.get() < 0 || attempt <= failures.get()) {
            throw new MessagingException("Could not connect to SMTP host: localhost, port: 25");
        }
    }

    /** An abnormal interruption as the alert queue carries it: the outgoing event's body. */
    private static void interruption(RouteHarness routes, String stream) {
        String body = "{\"event_type\":0,\"event\":\"interrupt\",\"category\":\"network\",\"app\":\"live.example.com\","
                + "\"stream_id\":\"" + stream + "\",\"errcode\":13,\"errmsg\":\"network error\","
                + "\"event_time\":1764800000,\"sequence\":\"" + stream + "-1\"}";
        routes.send("direct:collect-alerts", body.getBytes(),
                Map.of(SpringRabbitMQConstants.MESSAGE_ID, "0:" + stream + "-1"));
    }

    private static String metrics(RouteHarness routes) {
        return routes.bean("metricsRegistry", PrometheusMeterRegistry.class).scrape();
    }

    @Test
    void aDigestIsTriedAgainWhileSmtpFailsAndMailedOnceItTakesIt() throws Exception {
        failures.set(RETRIES);
        try (RouteHarness routes = alertRoutes()) {
            MockEndpoint mail = routes.mock("mock:mail");
            interruption(routes, "stream-a");
            interruption(routes, "stream-b");

            Eventually.holds(() -> mail.getReceivedCounter() == 1, "one digest mailed");
            Exchange sent = mail.getReceivedExchanges().get(0);
            assertThat(sent.getMessage().getHeader("To")).isEqualTo("oncall@example.com");
            assertThat(sent.getMessage().getHeader("From")).isEqualTo("css-gateway@example.com");
            assertThat(sent.getMessage().getHeader("Subject", String.class))
                    .contains("2 abnormal stream interruptions");
            assertThat(sent.getMessage().getBody(String.class)).contains("stream-a").contains("stream-b");
            assertThat(tries.get()).isEqualTo(RETRIES + 1);
            // counted once the mail is out
            Eventually.holds(() -> metrics(routes).contains("css_gateway_alert_deliveries_total{channel=\"mail\",kind=\"interruptions\",outcome=\"sent\"} 1.0"),
                    "the digest counted as sent");
            assertThat(metrics(routes)).contains("css_gateway_alert_mail_retries_total " + RETRIES + ".0");
            assertThat(undelivered()).isEmpty();
            assertThat(routes.auditLines()).isEmpty();
        }
    }

    @Test
    void aDigestNotMailedAfterItsLastTryIsKeptAsAFileAndAudited() throws Exception {
        failures.set(-1);
        try (RouteHarness routes = alertRoutes()) {
            interruption(routes, "stream-c");

            Eventually.holds(() -> !routes.auditLines().isEmpty(), "the undelivered digest audited");
            assertThat(tries.get()).isEqualTo(RETRIES + 1);
            assertThat(routes.mock("mock:mail").getReceivedCounter()).isZero();
            List<Path> kept = undelivered();
            assertThat(kept).hasSize(1);
            assertThat(Files.readString(kept.get(0))).contains("To: oncall@example.com")
                    .contains("Subject: [CSS] 1 abnormal stream interruption").contains("stream-c");
            JsonNode audit = routes.lastAuditLine();
            assertThat(audit.get("verdict").asText()).isEqualTo("alert-undelivered");
            assertThat(audit.get("reason").asText()).isEqualTo("MessagingException");
            assertThat(audit.get("http_status").isNull()).isTrue();
            assertThat(audit.get("body").get("alerts").asInt()).isEqualTo(1);
            assertThat(audit.get("body").get("file").asText()).isEqualTo(kept.get(0).toString());
            // counted once audited
            Eventually.holds(() -> metrics(routes).contains("css_gateway_alert_deliveries_total{channel=\"mail\",kind=\"interruptions\",outcome=\"undelivered\"} 1.0"),
                    "the digest counted as undelivered");
            assertThat(metrics(routes)).contains(
                    "css_gateway_alert_deliveries_total{channel=\"mail\",kind=\"interruptions\",outcome=\"sent\"} 0.0").contains("css_gateway_alert_mail_retries_total " + RETRIES + ".0");
        }
    }

    private List<Path> undelivered() throws Exception {
        Path dir = data.resolve("undelivered");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
