package io.cssgateway.alert;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One alert on its way to one channel: mail, or a chat webhook with the body in its tool's format. The routes read
 * it through its getters ({@code ${exchangeProperty.delivery.subject}}). When the last channel of an alert has
 * delivered it or given up, the alert is {@linkplain Alert#delivered() delivered}.
 */
public final class AlertDelivery {

    private final Alert alert;
    private final String channel;
    private final WebhookChannel webhook;
    private final Notice notice;
    private final NoticeText words;
    private final AtomicInteger pending;
    private String url;
    private String body;

    AlertDelivery(Alert alert, String channel, WebhookChannel webhook, Notice notice, NoticeText words,
            AtomicInteger pending) {
        this.alert = alert;
        this.channel = channel;
        this.webhook = webhook;
        this.notice = notice;
        this.words = words;
        this.pending = pending;
    }

    /** "mail", or the webhook's name. */
    public String getChannel() {
        return channel;
    }

    public boolean isMail() {
        return webhook == null;
    }

    public String getKind() {
        return notice.kind();
    }

    WebhookChannel webhook() {
        return webhook;
    }

    Notice notice() {
        return notice;
    }

    public String getRecipients() {
        return String.join(",", alert.recipients());
    }

    public String getSubject() {
        return "[CSS] " + words.phrase(notice.title(), v -> v);
    }

    public String getText() {
        return words.plain(notice);
    }

    public String getHtml() {
        return words.html(notice);
    }

    /** How many alerts it carries: a digest's interruptions, or one. */
    public int getAlerts() {
        return alert instanceof AlertDigest digest ? digest.getAlerts() : 1;
    }

    /** The trace contexts of the events the alert tells of (its mail's span links to them, tracing on). */
    public List<String> getTraceLinks() {
        return alert.traceLinks();
    }

    /** The URL to post to (signed for DingTalk); set when the body is made. Never logged: it carries the token. */
    public String getUrl() {
        return url;
    }

    public String getBody() {
        return body;
    }

    void prepared(String url, String body) {
        this.url = url;
        this.body = body;
    }

    /** What a log line or the audit may say of this delivery's failure: the channel's token and secret masked. */
    public String describe(Throwable failure) {
        String what = failure == null ? "unknown cause" : failure instanceof ChannelRefusedException
                ? failure.getMessage() : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        return webhook == null ? what : webhook.masked(what);
    }

    /** This channel is done with it (delivered, or given up and audited). */
    public void finished() {
        if (pending.decrementAndGet() == 0) {
            alert.delivered();
        }
    }
}
