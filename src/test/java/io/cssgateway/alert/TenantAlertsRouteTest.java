package io.cssgateway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.harness.ChatReceiver;
import io.cssgateway.harness.Eventually;
import io.cssgateway.harness.RouteHarness;
import io.cssgateway.harness.TestTenants;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts per tenant, on the real route files (RabbitMQ and SMTP advised out, the chat tool stood in for on
 * 127.0.0.1): tenant b's interruptions are mailed to its own recipients, the others to gateway.alert.to; a chat
 * channel tenant a names gets a's streams only, a channel no tenant names gets every stream.
 */
class TenantAlertsRouteTest {

    @TempDir
    Path data;

    private static void interruption(RouteHarness routes, String app, String stream, String tenant) {
        String body = "{\"event_type\":0,\"event\":\"interrupt\",\"category\":\"network\",\"app\":\"" + app + "\","
                + "\"stream_id\":\"" + stream + "\",\"errcode\":13,\"errmsg\":\"network error\","
                + "\"event_time\":1764800000,\"sequence\":\"" + stream + "-1\"}";
        routes.send("direct:collect-alerts", body.getBytes(),
                Map.of(SpringRabbitMQConstants.MESSAGE_ID, "0:" + stream, "css_tenant", tenant));
    }

    @Test
    void aTenantsAlertsGoToItsRecipientsAndItsChannelsTakeItsStreamsOnly() throws Exception {
        try (ChatReceiver chat = new ChatReceiver(Map.of())) {
            Properties configuration = TestTenants.configuration();
            configuration.setProperty("gateway.alert.enabled", "true");
            configuration.setProperty("gateway.alert.window-seconds", "1");
            configuration.setProperty("gateway.alert.from", "css-gateway@example.com");
            configuration.setProperty("gateway.alert.to", "oncall@example.com");
            configuration.setProperty("gateway.tenant.b.alert.to", "noc@b.example.com");
            configuration.setProperty("gateway.alert.webhooks", "team-a, ops");
            configuration.setProperty("gateway.alert.webhook.team-a.type", "json");
            configuration.setProperty("gateway.alert.webhook.team-a.url", chat.url("json"));
            configuration.setProperty("gateway.alert.webhook.ops.type", "slack");
            configuration.setProperty("gateway.alert.webhook.ops.url", chat.url("slack"));
            configuration.setProperty("gateway.tenant.a.alert.webhooks", "team-a");
            try (RouteHarness routes = RouteHarness.withAlerts(data, configuration)
                    .advise("send-alert-mail", route -> route.weaveByToUri(".*smtp.*").replace().to("mock:mail"))
                    .start()) {
                MockEndpoint mail = routes.mock("mock:mail");
                interruption(routes, "push.a.example.com", "stream-of-a", "a");
                interruption(routes, "live.b.example.net", "stream-of-b", "b");
                // a name no configuration gave is no tenant
                interruption(routes, "other.example.org", "stream-of-nobody", "forged");

                Eventually.holds(() -> mail.getReceivedCounter() == 2, "two digests mailed");
                Map<Object, String> byRecipients = new HashMap<>();
                for (Exchange sent : mail.getReceivedExchanges()) {
                    byRecipients.put(sent.getMessage().getHeader("To"), sent.getMessage().getBody(String.class));
                }
                assertThat(byRecipients.get("noc@b.example.com")).contains("stream-of-b").doesNotContain("stream-of-a")
                        .doesNotContain("stream-of-nobody");
                assertThat(byRecipients.get("oncall@example.com")).contains("stream-of-a").contains("stream-of-nobody")
                        .doesNotContain("stream-of-b");

                // team-a (json): the digest with a's stream; ops (slack): both digests (one per recipient list)
                Eventually.holds(() -> chat.taken("json").size() == 1 && chat.taken("slack").size() == 2,
                        "the digests on each channel");
                List<String> teamA = chat.texts("json");
                assertThat(teamA.get(0)).contains("stream-of-a").doesNotContain("stream-of-b")
                        .doesNotContain("stream-of-nobody");
                assertThat(String.join("\n", chat.texts("slack"))).contains("stream-of-a").contains("stream-of-b")
                        .contains("stream-of-nobody");
            }
        }
    }
}
