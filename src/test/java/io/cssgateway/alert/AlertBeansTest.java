package io.cssgateway.alert;

import io.cssgateway.tenant.Tenants;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cssgateway.alert.AlertBeans.TroubleChecks;
import io.cssgateway.support.Settings;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** A wrong alert configuration is refused at start, saying what to set; a right one binds its channels. */
class AlertBeansTest {

    private static final TroubleChecks NOTHING_WRONG = new TroubleChecks(() -> null, () -> null, () -> 0, () -> 0,
            () -> null, () -> -1);

    private static DefaultCamelContext bound(Map<String, String> settings) throws Exception {
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setLocation("file:application.properties");
        Properties overrides = new Properties();
        overrides.putAll(settings);
        camel.getPropertiesComponent().setOverrideProperties(overrides);
        AlertBeans.bind(camel, new Settings(camel), Tenants.none(), NOTHING_WRONG);
        return camel;
    }

    private static void refused(Map<String, String> settings, String message) {
        assertThatThrownBy(() -> bound(settings).close()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(message);
    }

    @Test
    void alertsOnWithoutAChannelAreRefused() {
        refused(Map.of("gateway.alert.enabled", "true"), "gateway.alert.enabled=true needs a channel: mail "
                + "(gateway.alert.from and gateway.alert.to) or chat webhooks (gateway.alert.webhooks)");
    }

    @Test
    void aWebhookWithoutItsTypeOrUrlOrWithAnUnknownTypeOrKindIsRefused() {
        refused(Map.of("gateway.alert.webhooks", "oncall"), "set gateway.alert.webhook.oncall.type (slack, teams, "
                + "wecom, dingtalk, feishu, json) and gateway.alert.webhook.oncall.url (from the environment: "
                + "gateway.alert.webhook.oncall.url = {{env:ALERT_WEBHOOK_ONCALL_URL}})");
        refused(Map.of("gateway.alert.webhooks", "oncall", "gateway.alert.webhook.oncall.type", "mattermost",
                "gateway.alert.webhook.oncall.url", "https://chat.example.com/hooks/x"),
                "gateway.alert.webhook.oncall.type must be one of slack, teams, wecom, dingtalk, feishu, json, got 'mattermost'");
        refused(Map.of("gateway.alert.webhooks", "oncall", "gateway.alert.webhook.oncall.type", "slack",
                "gateway.alert.webhook.oncall.url", "hooks.slack.com/services/x"), "gateway.alert.webhook.oncall.url must be an http(s) URL");
        refused(Map.of("gateway.alert.webhooks", "oncall", "gateway.alert.webhook.oncall.type", "slack",
                "gateway.alert.webhook.oncall.url", "https://hooks.slack.com/services/x",
                "gateway.alert.webhook.oncall.kinds", "silence, outage"),
                "gateway.alert.webhook.oncall.kinds names 'outage': the kinds are interruptions, silence, broker, "
                        + "folders, unrouted, mail");
    }

    @Test
    void aHeartbeatTooSlowForTheSilenceThresholdOrAnUnknownLanguageIsRefused() {
        refused(Map.of("gateway.alert.silence.after-seconds", "10"), "gateway.alert.heartbeat-ms (5000) must be at "
                + "most a third of gateway.alert.silence.after-seconds (10 s)");
        refused(Map.of("gateway.alert.locale", "zh"), "gateway.alert.locale must be one of en, zh-CN, ja, ko, id, got 'zh'");
    }

    @Test
    void aRightConfigurationBindsMailAndEachWebhook() throws Exception {
        try (DefaultCamelContext camel = bound(Map.of("gateway.alert.enabled", "true",
                "gateway.alert.from", "gateway@example.com", "gateway.alert.to", "oncall@example.com",
                "gateway.alert.webhooks", "oncall, ops",
                "gateway.alert.webhook.oncall.type", "slack", "gateway.alert.webhook.oncall.url", "https://hooks.slack.com/services/x",
                "gateway.alert.webhook.ops.type", "dingtalk", "gateway.alert.webhook.ops.url", "https://oapi.dingtalk.com/robot/send?access_token=t",
                "gateway.alert.webhook.ops.secret", "SECx", "gateway.alert.webhook.ops.domains", "live.example.com, *.example.cn"))) {
            AlertChannels channels = camel.getRegistry().lookupByNameAndType("alertChannels", AlertChannels.class);
            assertThat(channels.mails()).isTrue();
            assertThat(channels.webhooks()).extracting(WebhookChannel::toString)
                    .containsExactly("oncall (slack, https://hooks.slack.com)", "ops (dingtalk, https://oapi.dingtalk.com)");
            assertThat(channels.webhooks().get(1).takesDomain("live.example.com")).isTrue();
            assertThat(channels.webhooks().get(1).takesDomain("other.example.com")).isFalse();
            assertThat(channels.webhooks().get(1).takesDomain("a.example.cn")).isTrue();
            assertThat(channels.webhooks().get(1).takesDomain("x.a.example.cn")).isTrue();
            assertThat(channels.webhooks().get(1).takesDomain("example.cn")).isFalse();
            assertThat(channels.webhooks().get(1).takesDomain("badexample.cn")).isFalse();
            assertThat(channels.webhooks().get(1).takesDomain(null)).as("the gateway's own trouble").isTrue();
            channels.poster().close();
        }
    }
}
