package io.cssgateway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.cssgateway.harness.GatewayTestSupport;
import io.cssgateway.harness.Mailbox;
import io.cssgateway.harness.TestCallbacks;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Abnormal interruptions become digest mails, received by a real SMTP server (GreenMail). */
class AlertsEndToEndIT extends GatewayTestSupport {

    private static final int WINDOW_SECONDS = 3;
    private Mailbox mailbox;

    @Override
    protected Properties moreProperties() {
        try {
            mailbox = new Mailbox();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Properties properties = new Properties();
        properties.setProperty("gateway.alert.enabled", "true");
        properties.setProperty("gateway.alert.from", "css-gateway@example.com");
        properties.setProperty("gateway.alert.to", "oncall@example.com, noc@example.com");
        properties.setProperty("gateway.alert.to.third-party-auth", "security@example.com");
        properties.setProperty("gateway.alert.window-seconds", Integer.toString(WINDOW_SECONDS));
        // the digests only: the events no binding takes here park on the unrouted queue, which alerts too
        properties.setProperty("gateway.alert.mail.kinds", "interruptions");
        properties.setProperty("gateway.alert.queue", "css.alerts.it-" + run);
        properties.setProperty("gateway.alert.smtp.host", "127.0.0.1");
        properties.setProperty("gateway.alert.smtp.port", Integer.toString(mailbox.port()));
        properties.setProperty("gateway.alert.smtp.retries", "5");
        properties.setProperty("gateway.alert.smtp.retry-delay-ms", "500");
        properties.setProperty("gateway.alert.smtp.max-retry-delay-ms", "4000");
        properties.setProperty("gateway.alert.undelivered-dir", dataDir.resolve("undelivered").toString());
        return properties;
    }

    @BeforeEach
    void emptyMailbox() throws Exception {
        mailbox.clear();
    }

    @AfterAll
    void closeMailbox() throws IOException {
        mailbox.close();
        broker.deleteQueue("css.alerts.it-" + run);
    }

    private TestCallbacks interruption(int errcode, String streamId) {
        return TestCallbacks.sample("0-interrupt.doc.json").withUniqueSequence().with("errcode", errcode)
                .with("stream_id", streamId).freshlySignedWith(KEY);
    }

    @Test
    void normalEndsSendNothing() throws Exception {
        assertThat(post(interruption(1, "client-stop-" + run).asString()).statusCode()).isEqualTo(200);
        assertThat(post(interruption(21, "operator-action-" + run).asString()).statusCode()).isEqualTo(200);
        // an abnormal one afterwards: its digest is the only mail, and lists only it
        assertThat(post(interruption(12, "abnormal-" + run).asString()).statusCode()).isEqualTo(200);

        List<Mailbox.Mail> mails = mailbox.await(2, (WINDOW_SECONDS + 4) * 1000L);

        assertThat(mails).hasSize(2); // one per recipient of the default list
        assertThat(mails.get(0).text).contains("abnormal-" + run).doesNotContain("client-stop-" + run)
                .doesNotContain("operator-action-" + run);
    }

    @Test
    void oneAbnormalInterruptionGivesOneMailWithItsFields() throws Exception {
        TestCallbacks cut = interruption(13, "one-" + run).with("errmsg", "push link network error")
                .with("node", "42.81.194.99").with("user_ip", "203.0.113.9").with("push_duration", "125000")
                .freshlySignedWith(KEY);
        post(cut.asString());

        List<Mailbox.Mail> mails = mailbox.await(2, (WINDOW_SECONDS + 4) * 1000L);

        // one mail to the default list, delivered to each of its two addresses
        assertThat(mails).hasSize(2);
        Mailbox.Mail mail = mails.get(0);
        assertThat(mail.to).containsExactlyInAnyOrder("oncall@example.com", "noc@example.com");
        assertThat(mail.subject).startsWith("[CSS] 1 abnormal stream interruption, most serious: network");
        assertThat(mail.text).contains("stream_id=one-" + run).contains("app=test.domain.com").contains("errcode=13")
                .contains("errmsg=push link network error").contains("event_time=2023-12-28 02:46:46Z")
                .contains("node=42.81.194.99").contains("user_ip=203.0.113.9").contains("push_duration=125 s")
                .contains("network              1");
        assertThat(mail.html).contains("<td>one-" + run + "</td>").contains("<td>203.0.113.9</td>");
    }

    @Test
    void aFlappingStreamIsListedOnceWithItsCount() throws Exception {
        for (int i = 0; i < 3; i++) {
            post(interruption(14, "flapping-" + run).asString());
        }
        post(interruption(15, "steady-" + run).asString());

        Mailbox.Mail mail = mailbox.await(2, (WINDOW_SECONDS + 4) * 1000L).get(0);

        assertThat(mail.subject).startsWith("[CSS] 4 abnormal stream interruptions");
        assertThat(mail.text.split("stream_id=flapping-" + run, -1)).hasSize(2);
        assertThat(mail.text).containsPattern("stream_id=flapping-" + run + " .*count=3")
                .containsPattern("stream_id=steady-" + run + " .*count=1");
    }

    @Test
    void fiveThousandInterruptionsInOneWindowGiveOneMailPerRecipientList() throws Exception {
        // published straight to the exchange, as the gateway publishes them, so that all 5,000 land in one window
        try (var connection = new com.rabbitmq.client.ConnectionFactory().newConnection();
                Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            ObjectNode body = TestCallbacks.sample("0-interrupt.doc.json").without("sign").json();
            for (int i = 0; i < 5000; i++) {
                boolean security = i % 5 < 2; // 2,000 third-party-auth, 3,000 network
                String category = security ? "third-party-auth" : "network";
                body.put("errcode", security ? 19 : 12).put("category", category).put("event", "interrupt")
                        .put("stream_id", "bulk-" + i).put("app", i % 2 == 0 ? "a.example.com" : "b.example.com")
                        .put("sequence", TestCallbacks.uniqueSequence());
                channel.basicPublish(exchange, "stream.interrupt." + category,
                        new AMQP.BasicProperties.Builder().messageId("0:" + body.get("sequence").asText()).build(),
                        body.toString().getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);
        }

        List<Mailbox.Mail> mails = mailbox.await(3, (WINDOW_SECONDS + 6) * 1000L);
        Thread.sleep(1000);
        mails = mailbox.received();

        assertThat(mails).hasSize(3);
        Mailbox.Mail security = mails.stream().filter(m -> m.to.contains("security@example.com")).findFirst().orElseThrow();
        assertThat(security.subject).startsWith("[CSS] 2000 abnormal stream interruptions, most serious: third-party-auth");
        assertThat(security.text).contains("third-party-auth     2000").doesNotContain("network   ")
                .contains("a.example.com                            1000").contains("and 1950 more");
        Mailbox.Mail oncall = mails.stream().filter(m -> m.to.contains("oncall@example.com")).findFirst().orElseThrow();
        assertThat(oncall.subject).startsWith("[CSS] 3000 abnormal stream interruptions, most serious: network");
        assertThat(oncall.text).contains("network              3000").contains("and 2950 more");
        assertThat(broker.queueDepth("css.alerts.it-" + run)).isZero();
    }

    @Test
    void withSmtpDownCallbacksAreAnsweredAtOnceAndTheMailGoesOutWhenItIsBack() throws Exception {
        mailbox.stop();
        try {
            for (int i = 0; i < 10; i++) {
                long start = System.nanoTime();
                HttpResponse<String> answer = post(interruption(16, "smtp-down-" + run + "-" + i).asString());
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(millis).as("answer time with SMTP down").isLessThan(1000);
            }
            // the window closes and the first tries fail
            Thread.sleep((WINDOW_SECONDS + 2) * 1000L);
        } finally {
            mailbox.start();
        }
        List<Mailbox.Mail> mails = mailbox.await(2, 15_000);
        assertThat(mails).hasSize(2);
        assertThat(mails.get(0).subject).startsWith("[CSS] 10 abnormal stream interruptions");
    }

    @Test
    void theAlertQueueIsDeclaredWithSingleActiveConsumer() throws Exception {
        // redeclaring with the same arguments is accepted; without them the broker refuses (406)
        assertThat(broker.queueDeclaredWith("css.alerts.it-" + run, Map.of("x-single-active-consumer", true))).isTrue();
        assertThat(broker.queueDeclaredWith("css.alerts.it-" + run, Map.of())).isFalse();
    }
}
