package io.cssgateway.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import io.cssgateway.event.EventMessage;
import io.cssgateway.tenant.Tenant;
import io.cssgateway.tenant.Tenants;
import io.cssgateway.trace.Tracing;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the alerts read from the alert queue (abnormal interruptions, push errors, recording exceptions) into one
 * open digest per recipient list (a tenant's own, {@code gateway.tenant.<name>.alert.to}, for the events its
 * {@code css_tenant} header names; else the category's), and hands out each digest when its window has passed (or
 * at once for the first alert after a quiet window, when configured). The messages are acknowledged to the broker
 * only once every channel has delivered their digest or kept it as undelivered: until then a restart gets them again.
 */
public final class AlertDigests {

    private static final Logger LOG = LoggerFactory.getLogger(AlertDigests.class);

    private final AlertPolicy policy;
    private final Tenants tenants;
    private final Duration window;
    private final int streamsShown;
    private final boolean firstAtOnce;
    private final Clock clock;
    private final NoticeText words;
    private final ObjectMapper json = new ObjectMapper();

    private final Map<String, AlertDigest> open = new LinkedHashMap<>();
    private final Map<String, Set<String>> openIds = new HashMap<>();
    private final Map<String, Instant> lastSent = new HashMap<>();
    private final Set<String> sendAtOnce = new HashSet<>();

    public AlertDigests(AlertPolicy policy, Tenants tenants, Duration window, int streamsShown, boolean firstAtOnce,
            AlertTexts texts, Clock clock) {
        this.policy = policy;
        this.tenants = tenants;
        this.words = new NoticeText(texts);
        this.window = window;
        this.streamsShown = streamsShown;
        this.firstAtOnce = firstAtOnce;
        this.clock = clock;
    }

    /** Takes one event from the alert queue (consumed with manual acknowledgement). */
    public void add(Exchange exchange) {
        Channel channel = exchange.getProperty(SpringRabbitMQConstants.CHANNEL, Channel.class);
        Long tag = exchange.getMessage().getHeader(SpringRabbitMQConstants.DELIVERY_TAG, Long.class);
        Runnable ack = () -> acknowledge(channel, tag);
        JsonNode body = read(exchange.getMessage().getBody(byte[].class));
        AlertKind kind = body == null ? null : AlertKind.of(body);
        Map<String, String> alert = kind == null ? null : kind.read(body);
        if (alert == null || !policy.alerts(alert.get("category"))) {
            // nothing that alerts: nothing to tell anyone
            ack.run();
            return;
        }
        // a name no configuration gave (a message published by hand) is no tenant
        Tenant tenant = tenants.named(exchange.getMessage().getHeader(EventMessage.TENANT_HEADER, String.class));
        add(kind, alert, exchange.getMessage().getHeader(SpringRabbitMQConstants.MESSAGE_ID, String.class), ack,
                tenant == null || tenant.alertTo().isEmpty() ? null : tenant.alertTo(),
                exchange.getMessage().getHeader(Tracing.TRACEPARENT, String.class));
    }

    /**
     * @param tenantRecipients its tenant's own recipients, or null for the category's
     * @param traceparent the event's trace context (tracing on), or null
     */
    synchronized void add(AlertKind kind, Map<String, String> alert, String messageId, Runnable ack,
            List<String> tenantRecipients, String traceparent) {
        List<String> recipients = tenantRecipients != null ? tenantRecipients
                : policy.recipientsFor(alert.get("category"));
        String key = String.join(",", recipients);
        Instant now = clock.instant();
        AlertDigest digest = open.get(key);
        if (digest == null) {
            digest = new AlertDigest(recipients, now, words);
            open.put(key, digest);
            Instant last = lastSent.get(key);
            if (firstAtOnce && (last == null || !now.isBefore(last.plus(window)))) {
                sendAtOnce.add(key);
            }
        }
        Set<String> ids = openIds.computeIfAbsent(key, k -> new HashSet<>());
        if (messageId != null && !ids.add(messageId)) {
            // the broker delivered it again (a channel was lost): count it once, acknowledge both deliveries
            digest.addAcknowledgement(ack);
            return;
        }
        digest.add(kind, alert, ack, traceparent);
    }

    /** The digests whose window has passed, closed and removed from the open ones. */
    public synchronized List<AlertDigest> due() {
        Instant now = clock.instant();
        List<AlertDigest> due = new ArrayList<>();
        for (Iterator<Map.Entry<String, AlertDigest>> it = open.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            AlertDigest digest = entry.getValue();
            if (sendAtOnce.remove(entry.getKey()) || !now.isBefore(digest.openedAt().plus(window))) {
                digest.close(now, policy.bySeverity(), streamsShown);
                due.add(digest);
                it.remove();
                openIds.remove(entry.getKey());
                lastSent.put(entry.getKey(), now);
            }
        }
        return due;
    }

    private JsonNode read(byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException | RuntimeException e) {
            LOG.warn("A message on the alert queue is not an event and is dropped: {}", e.toString());
            return null;
        }
    }

    private static void acknowledge(Channel channel, Long tag) {
        if (channel == null || tag == null) {
            return;
        }
        try {
            channel.basicAck(tag, false);
        } catch (IOException | RuntimeException e) {
            // the channel is gone: the broker delivers the message again, and it joins a later digest
            LOG.debug("Alert message {} not acknowledged: {}", tag, e.toString());
        }
    }
}
