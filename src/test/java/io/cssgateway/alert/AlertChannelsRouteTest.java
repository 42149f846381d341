package io.cssgateway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cssgateway.harness.ChatReceiver;
import io.cssgateway.harness.Eventually;
import io.cssgateway.harness.LogCapture;
import io.cssgateway.harness.RouteHarness;
import io.cssgateway.harness.TestCallbacks;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * routes/alerts.camel.yaml's chat channels on the real route files, RabbitMQ advised out and the chat tools stood in
 * for on 127.0.0.1 (each checks requests as its documents say): every alert to every channel in its format, a
 * channel's failures tried again, a dead channel delaying nobody and audited, silence told once each way.
 */
class AlertChannelsRouteTest {

    private static final List<String> TOOLS = List.of("slack", "teams", "wecom", "dingtalk", "feishu", "json");
    private static final Map<String, String> SECRETS = Map.of("dingtalk", "SEC-ding-secret", "feishu", "lark-secret");

    @TempDir
    Path data;

    private ChatReceiver chat;

    @BeforeEach
    void startReceivers() throws Exception {
        chat = new ChatReceiver(SECRETS);
    }

    @AfterEach
    void stopReceivers() {
        chat.close();
    }

    private Properties channels(List<String> tools) {
        Properties configuration = new Properties();
        configuration.setProperty("gateway.alert.enabled", "true");
        configuration.setProperty("gateway.alert.window-seconds", "1");
        configuration.setProperty("gateway.alert.webhooks", String.join(",", tools));
        for (String tool : tools) {
            configuration.setProperty("gateway.alert.webhook." + tool + ".type", tool);
            configuration.setProperty("gateway.alert.webhook." + tool + ".url", chat.url(tool));
            if (SECRETS.containsKey(tool)) {
                configuration.setProperty("gateway.alert.webhook." + tool + ".secret", SECRETS.get(tool));
            }
        }
        configuration.setProperty("gateway.alert.webhook.retries", "3");
        configuration.setProperty("gateway.alert.webhook.retry-delay-ms", "100");
        configuration.setProperty("gateway.alert.webhook.max-retry-delay-ms", "200");
        configuration.setProperty("gateway.alert.webhook.timeout-ms", "1000");
        configuration.setProperty("gateway.alert.heartbeat-ms", "500");
        return configuration;
    }

    private static void interruption(RouteHarness routes, String stream) {
        String body = "{\"event_type\":0,\"event\":\"interrupt\",\"category\":\"network\",\"app\":\"live.example.com\","
                + "\"stream_id\":\"" + stream + "\",\"errcode\":13,\"errmsg\":\"network error\","
                + "\"event_time\":1764800000,\"sequence\":\"" + stream + "-1\"}";
        routes.send("direct:collect-alerts", body.getBytes(), Map.of(SpringRabbitMQConstants.MESSAGE_ID, "0:" + stream));
    }

    private static String metrics(RouteHarness routes) {
        return routes.bean("metricsRegistry", PrometheusMeterRegistry.class).scrape();
    }

    @Test
    void aDigestReachesEveryChannelOnceInItsToolsFormat() throws Exception {
        try (RouteHarness routes = RouteHarness.withAlerts(data, channels(TOOLS)).start()) {
            interruption(routes, "@all");
            interruption(routes, "[x](http://evil)");

            Eventually.holds(() -> TOOLS.stream().allMatch(t -> chat.taken(t).size() == 1), "one message on each tool");
            assertThat(chat.refused()).isEmpty();
            for (String tool : TOOLS) {
                String text = chat.texts(tool).get(0);
                assertThat(text).as(tool).contains("2 abnormal stream interruptions").contains("live.example.com");
                if (!tool.equals("json")) {
                    assertThat(text).as(tool).doesNotContain("@all").doesNotContain("](http").doesNotContain("http://evil");
                }
            }
            JsonNode json = chat.taken("json").get(0);
            assertThat(json.get("kind").asText()).isEqualTo("interruptions");
            assertThat(json.get("sections").get(2).get("rows").findValuesAsText("stream_id"))
                    .containsExactlyInAnyOrder("@all", "[x](http://evil)");
            Thread.sleep(500);
            assertThat(TOOLS.stream().mapToInt(chat::tries).sum()).isEqualTo(TOOLS.size());
            assertThat(metrics(routes)).contains(
                    "css_gateway_alert_deliveries_total{channel=\"dingtalk\",kind=\"interruptions\",outcome=\"sent\"} 1.0");
        }
    }

    @Test
    void aChannelThatAnswers500IsTriedAgainAndGetsTheAlertOnce() throws Exception {
        chat.failNext("slack", 2);
        try (RouteHarness routes = RouteHarness.withAlerts(data, channels(List.of("slack", "wecom"))).start()) {
            interruption(routes, "flaky");

            Eventually.holds(() -> chat.taken("slack").size() == 1, "slack took it after its failures");
            assertThat(chat.tries("slack")).isEqualTo(3);
            assertThat(chat.taken("wecom")).hasSize(1);
            Thread.sleep(500);
            assertThat(chat.taken("slack")).hasSize(1);
            assertThat(routes.auditLines()).isEmpty();
        }
    }

    @Test
    void aDeadChannelDelaysNoOtherIsAuditedAsUndeliveredAndItsTokenIsNeverLogged() throws Exception {
        chat.hang("teams");
        try (LogCapture log = LogCapture.everything();
                RouteHarness routes = RouteHarness.withAlerts(data, channels(List.of("teams", "slack"))).start()) {
            long start = System.nanoTime();
            interruption(routes, "dead-channel");
            Eventually.holds(() -> chat.taken("slack").size() == 1, "slack took it");
            // the window (1 s, seen by a timer each second) and one post: not after the dead channel's four tries
            // (1 s timeouts, 0.5 s of delays between them)
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(4_000);

            // callbacks are answered meanwhile
            assertThat(RouteHarness.status(routes.post(TestCallbacks.sample("1-push.doc-2018.json").withUniqueSequence()
                    .freshlySignedWith(RouteHarness.KEY).asString()))).isEqualTo(200);

            Eventually.holds(() -> routes.auditLines().stream().anyMatch(l -> l.get("verdict").asText()
                    .equals("alert-undelivered")), "the undelivered alert audited");
            JsonNode audit = routes.auditLines().stream().filter(l -> l.get("verdict").asText()
                    .equals("alert-undelivered")).findFirst().orElseThrow();
            assertThat(audit.get("verdict").asText()).isEqualTo("alert-undelivered");
            assertThat(audit.get("body").get("channel").asText()).isEqualTo("teams");
            assertThat(audit.get("body").get("kind").asText()).isEqualTo("interruptions");
            assertThat(audit.get("reason").asText()).contains("TimeoutException");
            assertThat(chat.tries("teams")).isEqualTo(4);
            Eventually.holds(() -> metrics(routes).contains(
                    "css_gateway_alert_deliveries_total{channel=\"teams\",kind=\"interruptions\",outcome=\"undelivered\"} 1.0"),
                    "counted as undelivered");
            assertThat(log.lines()).anyMatch(line -> line.contains("Chat channel teams does not take alerts"));
            assertThat(log.lines()).noneMatch(line -> line.contains("token-teams"));
            assertThat(audit.toString()).doesNotContain("token-teams");
        }
    }

    @Test
    void silenceIsToldOnceWhenCallbacksStopAndOnceWhenTheyAreBackOnEveryChannelInItsFormat() throws Exception {
        Properties configuration = channels(TOOLS);
        configuration.setProperty("gateway.alert.silence.after-seconds", "5");
        configuration.setProperty("gateway.alert.silence.overall", "false");
        try (RouteHarness routes = RouteHarness.withAlerts(data, configuration).start()) {
            // the heartbeats reach this instance: it leads
            Eventually.holds(() -> routes.bean("silenceWatch", SilenceWatch.class).isLead(), "the watch leads");
            TestCallbacks push = TestCallbacks.sample("1-push.doc-2018.json").withUniqueSequence();
            String app = push.text("app");
            assertThat(RouteHarness.status(routes.post(push.freshlySignedWith(RouteHarness.KEY).asString()))).isEqualTo(200);

            Eventually.holds(() -> TOOLS.stream().allMatch(t -> chat.taken(t).size() == 1), "callbacks stopped, told");
            Thread.sleep(2_000);
            String stopped = "Callbacks stopped: push domain " + app;
            assertThat(chat.texts("slack")).singleElement().asString().startsWith("*" + stopped + "*\n")
                    .containsPattern("No callback has been accepted for \\d+ s \\(the threshold is 5 s\\)\\.")
                    .contains("stream_id: `" + push.text("stream_id") + "`");
            assertThat(chat.texts("teams")).singleElement().asString().contains("\"text\":\"" + stopped + "\"");
            assertThat(chat.texts("wecom")).singleElement().asString().startsWith("**" + stopped + "**\n");
            assertThat(chat.taken("dingtalk").get(0).get("markdown").get("title").asText()).isEqualTo(stopped);
            assertThat(chat.texts("feishu")).singleElement().asString().startsWith(stopped + "\n");
            assertThat(chat.taken("json").get(0).get("kind").asText()).isEqualTo("silence");
            assertThat(chat.taken("json").get(0).get("app").asText()).isEqualTo(app);

            assertThat(RouteHarness.status(routes.post(TestCallbacks.sample("1-push.doc-2018.json").withUniqueSequence()
                    .freshlySignedWith(RouteHarness.KEY).asString()))).isEqualTo(200);
            Eventually.holds(() -> TOOLS.stream().allMatch(t -> chat.taken(t).size() == 2), "callbacks are back, told");
            assertThat(chat.texts("slack").get(1)).startsWith("*Callbacks are back: push domain " + app + "*");
            assertThat(chat.taken("json").get(1).get("title").asText()).isEqualTo("Callbacks are back: push domain " + app);
            // signed as DingTalk and Feishu check it, every time
            assertThat(chat.refused()).isEmpty();
            Thread.sleep(1_000);
            assertThat(TOOLS.stream().mapToInt(t -> chat.taken(t).size()).sum()).isEqualTo(2 * TOOLS.size());
        }
    }
}
