package io.cssgateway.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.support.ExchangeProperties;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/**
 * Where alerts go: mail (when gateway.alert.from and .to are set) and every chat webhook of gateway.alert.webhooks
 * that takes the alert's kind and domain. Makes one {@link AlertDelivery} per channel, the webhook's body in its
 * tool's format (signed where the tool signs), and reads the tool's answer.
 */
public final class AlertChannels {

    public static final String MAIL = "mail";

    private final boolean mail;
    private final Set<String> mailKinds;
    private final List<WebhookChannel> webhooks;
    private final NoticeText words;
    private final int rows;
    private final Clock clock;
    private final WebhookPoster poster;

    /**
     * @param mail whether alerts are mailed
     * @param mailKinds the kinds mail takes (empty for all); never "mail" itself, which goes to the other channels
     * @param rows how many streams a chat message lists per section (mail lists gateway.alert.streams-shown)
     * @param timeout a webhook that does not answer within it failed the try
     */
    public AlertChannels(boolean mail, Set<String> mailKinds, List<WebhookChannel> webhooks, AlertTexts texts,
            int rows, Duration timeout, Clock clock) {
        this.mail = mail;
        this.mailKinds = Set.copyOf(mailKinds);
        this.webhooks = List.copyOf(webhooks);
        this.words = new NoticeText(texts);
        this.rows = rows;
        this.clock = clock;
        this.poster = new WebhookPoster(timeout);
    }

    /** Ends the webhook client's threads (when Camel stops). */
    public AutoCloseable poster() {
        return poster;
    }

    public List<WebhookChannel> webhooks() {
        return webhooks;
    }

    public boolean mails() {
        return mail;
    }

    /** One delivery per channel that takes the alert; an alert no channel takes is done at once. */
    public List<AlertDelivery> deliveries(Alert alert) {
        AtomicInteger pending = new AtomicInteger();
        List<AlertDelivery> deliveries = new ArrayList<>();
        for (WebhookChannel webhook : webhooks) {
            if (webhook.takes(alert.kind())) {
                Notice notice = alert.notice(webhook::takesDomain);
                if (notice != null) {
                    deliveries.add(new AlertDelivery(alert, webhook.name(), webhook, notice, words, pending));
                }
            }
        }
        // mail last: its step waits for the SMTP server, the webhooks' only queue their posts
        // that mail fails is told through the other channels
        // (and only to someone: the gateway's own alerts go to gateway.alert.to, which a site may leave empty)
        if (mail && !alert.kind().equals(MAIL) && (mailKinds.isEmpty() || mailKinds.contains(alert.kind()))
                && !alert.recipients().isEmpty()) {
            Notice notice = alert.notice(app -> true);
            if (notice != null) {
                deliveries.add(new AlertDelivery(alert, MAIL, null, notice, words, pending));
            }
        }
        pending.set(deliveries.size());
        if (deliveries.isEmpty()) {
            alert.delivered();
        }
        return deliveries;
    }

    /** The webhook request of a delivery, made once (a retry posts the same signed body to the same URL). */
    String request(AlertDelivery delivery) throws JsonProcessingException {
        if (delivery.getBody() == null) {
            WebhookChannel webhook = delivery.webhook();
            ObjectNode body = webhook.format().body(words, delivery.notice(), rows);
            String[] feishu = webhook.feishuSignature(clock);
            if (feishu != null) {
                // Feishu reads the signature from the body, beside the message
                ObjectNode signed = ChatFormat.JSON.createObjectNode().put("timestamp", feishu[0]).put("sign", feishu[1]);
                signed.setAll(body);
                body = signed;
            }
            delivery.prepared(webhook.signedUrl(clock), ChatFormat.JSON.writeValueAsString(body));
        }
        return delivery.getBody();
    }

    /** This channel is done with the alert (sent, or given up and audited). */
    public void finished(@ExchangeProperty(ExchangeProperties.DELIVERY) AlertDelivery delivery) {
        delivery.finished();
    }

    /** Why a delivery failed, as a log line or the audit may say it: the webhook's token and secret masked. */
    public String failure(@ExchangeProperty(ExchangeProperties.DELIVERY) AlertDelivery delivery,
            @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception failure) {
        return delivery.describe(failure);
    }

    /** The body of an undelivered alert's audit line: the channel, the kind, the subject, the alerts it held, the file kept. */
    public String audited(@ExchangeProperty(ExchangeProperties.DELIVERY) AlertDelivery delivery,
            @ExchangeProperty(ExchangeProperties.UNDELIVERED_FILE) String file) {
        ObjectNode audited = ChatFormat.JSON.createObjectNode();
        audited.put("channel", delivery.getChannel());
        audited.put("kind", delivery.getKind());
        if (delivery.isMail()) {
            audited.put("recipients", delivery.getRecipients());
        }
        audited.put("subject", delivery.getSubject());
        audited.put("alerts", delivery.getAlerts());
        if (file != null) {
            audited.put("file", file);
        }
        return audited.toString();
    }

    /**
     * Posts a delivery to its webhook: the body made once (a retry posts the same signed body), the answer read when
     * it comes (no thread waits for it); fails with {@link ChannelRefusedException} on an error status, an error code
     * in the tool's answer, or no answer in time.
     */
    public CompletableFuture<Void> post(@ExchangeProperty(ExchangeProperties.DELIVERY) AlertDelivery delivery)
            throws JsonProcessingException {
        request(delivery);
        return poster.post(delivery);
    }
}
