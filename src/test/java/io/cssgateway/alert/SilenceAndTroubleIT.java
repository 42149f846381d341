package io.cssgateway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.ChatReceiver;
import io.cssgateway.harness.Eventually;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.Mailbox;
import io.cssgateway.harness.TcpProxy;
import io.cssgateway.harness.TestCallbacks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Alerts for what is missing and for the gateway's own trouble, end to end: the packaged jar, the real RabbitMQ, a
 * real SMTP server (GreenMail) and local stand-ins of Slack and DingTalk (the signature checked as DingTalk's
 * documents compute it). The webhook URLs and the DingTalk secret come from the environment, as a site configures them.
 */
class SilenceAndTroubleIT {

    private static final String KEY = "silence-key-" + UUID.randomUUID();
    private static final String DING_SECRET = "SEC" + UUID.randomUUID();

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String exchange = "css.events.silence-" + run;
    private final List<GatewayProcess> gateways = new ArrayList<>();
    private ChatReceiver chat;
    private Mailbox mailbox;
    private BrokerProbe broker;
    private Path home;

    @BeforeEach
    void start() throws Exception {
        chat = new ChatReceiver(Map.of("dingtalk", DING_SECRET));
        mailbox = new Mailbox();
        broker = new BrokerProbe();
        home = Files.createTempDirectory("css-silence");
    }

    @AfterEach
    void stop() throws Exception {
        for (GatewayProcess gateway : gateways) {
            gateway.close();
        }
        chat.close();
        mailbox.close();
        broker.deleteGatewayTopology(exchange);
        broker.close();
    }

    private GatewayProcess gateway(int n, int port, String... more) throws Exception {
        Path dir = Files.createDirectories(home.resolve("gateway-" + n));
        List<String> options = new ArrayList<>(List.of("-Dcamel.server.port=" + port,
                "-Dgateway.spool.dir=" + dir.resolve("spool"), "-Dgateway.rabbitmq.exchange=" + exchange,
                "-Dgateway.rabbitmq.watch-interval-ms=500", "-Dgateway.instance=gw-" + n,
                "-Dgateway.alert.enabled=true", "-Dgateway.alert.from=gateway@example.com",
                "-Dgateway.alert.to=oncall@example.com", "-Dgateway.alert.smtp.host=127.0.0.1",
                "-Dgateway.alert.smtp.port=" + mailbox.port(), "-Dgateway.alert.undelivered-dir=" + dir.resolve("undelivered"),
                "-Dgateway.alert.webhooks=oncall-slack,ops-dingtalk",
                "-Dgateway.alert.webhook.oncall-slack.type=slack",
                "-Dgateway.alert.webhook.oncall-slack.url={{env:ALERT_WEBHOOK_ONCALL_SLACK_URL}}",
                "-Dgateway.alert.webhook.ops-dingtalk.type=dingtalk",
                "-Dgateway.alert.webhook.ops-dingtalk.url={{env:ALERT_WEBHOOK_OPS_DINGTALK_URL}}",
                "-Dgateway.alert.webhook.ops-dingtalk.secret={{env:ALERT_WEBHOOK_OPS_DINGTALK_SECRET}}",
                "-Dgateway.alert.heartbeat-ms=1000", "-Dgateway.alert.check-interval-ms=500"));
        options.addAll(List.of(more));
        GatewayProcess gateway = GatewayProcess.start(dir, Map.of("CSS_CALLBACK_KEYS", KEY,
                "ALERT_WEBHOOK_ONCALL_SLACK_URL", chat.url("slack"),
                "ALERT_WEBHOOK_OPS_DINGTALK_URL", chat.url("dingtalk"),
                "ALERT_WEBHOOK_OPS_DINGTALK_SECRET", DING_SECRET), options.toArray(String[]::new));
        gateways.add(gateway);
        return gateway;
    }

    private static String push(String app) {
        return TestCallbacks.sample("1-push.doc-2018.json").with("app", app).withUniqueSequence()
                .freshlySignedWith(KEY).asString();
    }

    private List<String> subjects() {
        return mailbox.received().stream().map(m -> m.subject).toList();
    }

    @Test
    void twoInstancesEachWithHalfTheTrafficThenBothSilentGiveOneStoppedAndOneBackOnEachChannel() throws Exception {
        int[] ports = {GatewayProcess.freePort(), GatewayProcess.freePort()};
        String[] silence = {"-Dgateway.alert.silence.after-seconds=5", "-Dgateway.alert.silence.overall=false"};
        GatewayProcess one = gateway(1, ports[0], silence);
        GatewayProcess two = gateway(2, ports[1], silence);
        one.awaitStarted();
        two.awaitStarted();
        // a consumer takes the events (none is parked as unrouted, which would alert too)
        broker.bindQueue(exchange, "stream.#");
        String app = "live-" + run + ".example.com";

        // 8 s of callbacks for the domain, every other one to each instance: each alone is silent for 2 s at a time,
        // and for longer than the threshold as a whole (it got none in the other's turns): no alert
        for (int i = 0; i < 16; i++) {
            GatewayProcess to = i % 2 == 0 ? one : two;
            assertThat(to.post(ports[i % 2], push(app)).statusCode()).isEqualTo(200);
            Thread.sleep(500);
        }
        assertThat(chat.taken("slack")).isEmpty();

        // both silent: one "stopped" on each channel, from whichever instance watches
        Eventually.holds(() -> chat.taken("slack").size() == 1 && chat.taken("dingtalk").size() == 1
                && mailbox.received().size() == 1, "one stopped alert on each channel");
        Thread.sleep(4_000);
        assertThat(chat.texts("slack")).containsExactly("*Callbacks stopped: push domain " + app + "*\n"
                + chat.texts("slack").get(0).split("\n", 2)[1]);
        assertThat(chat.texts("slack").get(0)).contains("No callback has been accepted for");
        assertThat(chat.taken("dingtalk").get(0).get("markdown").get("title").asText())
                .isEqualTo("Callbacks stopped: push domain " + app);
        assertThat(subjects()).containsExactly("[CSS] Callbacks stopped: push domain " + app);
        assertThat(chat.refused()).isEmpty();

        assertThat(two.post(ports[1], push(app)).statusCode()).isEqualTo(200);
        Eventually.holds(() -> chat.taken("slack").size() == 2 && chat.taken("dingtalk").size() == 2
                && mailbox.received().size() == 2, "one back alert on each channel");
        assertThat(chat.texts("slack").get(1)).startsWith("*Callbacks are back: push domain " + app + "*");
        assertThat(subjects()).containsExactly("[CSS] Callbacks stopped: push domain " + app,
                "[CSS] Callbacks are back: push domain " + app);
        Thread.sleep(2_000);
        assertThat(chat.taken("slack")).hasSize(2);
    }

    @Test
    void rabbitmqCutPastTheThresholdIsToldWithTheSpoolDepthAndAgainOnceItTakesEvents() throws Exception {
        int port = GatewayProcess.freePort();
        try (TcpProxy rabbitmq = new TcpProxy(5672)) {
            GatewayProcess gateway = gateway(1, port, "-Dgateway.rabbitmq.addresses=127.0.0.1:" + rabbitmq.port(),
                    "-Dgateway.alert.broker.after-seconds=2", "-Dgateway.alert.mail.kinds=interruptions");
            gateway.awaitStarted();
            broker.bindQueue(exchange, "stream.#");

            rabbitmq.cut();
            for (int i = 0; i < 3; i++) {
                assertThat(gateway.post(port, push("cut-" + run + ".example.com")).statusCode()).isEqualTo(200);
            }
            Eventually.holds(() -> chat.taken("slack").size() == 1, "RabbitMQ not taking events, told");
            String started = chat.texts("slack").get(0);
            assertThat(started).startsWith("*RabbitMQ does not take events (instance gw-1)*")
                    .contains("events in the spool: `3`").contains("RabbitMQ has not taken events since");
            assertThat(chat.taken("dingtalk")).hasSize(1);

            rabbitmq.restore();
            Eventually.holds(() -> chat.taken("slack").size() == 2, "RabbitMQ taking events again, told");
            assertThat(chat.texts("slack").get(1)).startsWith("*Over: RabbitMQ does not take events (instance gw-1, after ");
            assertThat(chat.refused()).isEmpty();
            // mail was narrowed to the digests
            assertThat(mailbox.received()).isEmpty();
        }
    }
}
