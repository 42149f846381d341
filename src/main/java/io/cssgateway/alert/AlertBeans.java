package io.cssgateway.alert;

import io.cssgateway.alert.GatewayTrouble.Condition;
import io.cssgateway.alert.GatewayTrouble.Finding;
import io.cssgateway.alert.Notice.Fact;
import io.cssgateway.event.Callback;
import io.cssgateway.support.ClosedWithCamel;
import io.cssgateway.support.ExchangeProperties;
import io.cssgateway.support.Settings;
import io.cssgateway.tenant.Tenant;
import io.cssgateway.tenant.Tenants;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.spi.Registry;

/**
 * The beans of routes/alerts.camel.yaml, from {@code gateway.alert.*}: the digests ({@code alertDigests}), the
 * channels ({@code alertChannels}: mail and the chat webhooks), whether mail gets through ({@code mailState}), alert
 * mail kept as files after its last try ({@code undeliveredMail}), the gateway's own trouble ({@code gatewayTrouble}),
 * the callbacks accepted and the silence watch ({@code acceptedCallbacks}, {@code silenceWatch}).
 */
public final class AlertBeans {

    /** The routing key of the instances' heartbeats (after the prefix): gateway's own, no consumer needs it. */
    public static final String HEARTBEAT_KEY = "gateway.heartbeat";

    private AlertBeans() {}

    /** What the gateway's trouble alerts look at, from the other stages (the wiring hands them over). */
    public record TroubleChecks(Supplier<Instant> brokerDownSince, Supplier<String> brokerDownReason,
            IntSupplier spoolDepth, LongSupplier spoolOldestSeconds, Supplier<String> unwritableFolder,
            LongSupplier unroutedMessages) {}

    /**
     * Binds them; refused when alerts are on without a channel, mail without a sender or without recipients for a
     * category, or a webhook without its type or URL. Returns whether mail gets through, with its count of retries.
     */
    public static MailState bind(CamelContext camelContext, Settings settings, Tenants tenants, TroubleChecks checks)
            throws Exception {
        Registry registry = camelContext.getRegistry();
        AlertPolicy policy = policy(settings);
        AlertTexts texts = AlertTexts.of(settings.text("gateway.alert.locale"));
        List<WebhookChannel> webhooks = webhooks(settings, tenants);
        boolean mail = mails(settings);
        if (enabled(settings)) {
            if (!mail && webhooks.isEmpty()) {
                throw new IllegalStateException("gateway.alert.enabled=true needs a channel: mail (gateway.alert.from "
                        + "and gateway.alert.to) or chat webhooks (gateway.alert.webhooks)");
            }
            if (mail && policy.alertingCategories().stream().anyMatch(c -> policy.recipientsFor(c).isEmpty())) {
                throw new IllegalStateException("gateway.alert.from is set: mail needs gateway.alert.to (or "
                        + "gateway.alert.to.<category> for every alerting category)");
            }
            tenants.all().stream().filter(t -> !mail && !t.alertTo().isEmpty()).findFirst().ifPresent(t -> {
                throw new IllegalStateException("gateway.tenant." + t.getName() + ".alert.to is set, but alerts are "
                        + "not mailed: set gateway.alert.from (and the SMTP server, gateway.alert.smtp.*)");
            });
        }
        Clock clock = Clock.systemUTC();
        List<String> to = settings.list("gateway.alert.to");
        registry.bind("alertDigests", new AlertDigests(policy, tenants,
                Duration.ofSeconds(settings.integer("gateway.alert.window-seconds")),
                (int) settings.integer("gateway.alert.streams-shown"),
                settings.bool("gateway.alert.first-at-once"), texts, clock));
        AlertChannels channels = new AlertChannels(mail, kinds(settings, "gateway.alert.mail.kinds"), webhooks, texts,
                (int) settings.positive("gateway.alert.webhook.streams-shown"),
                Duration.ofMillis(settings.positive("gateway.alert.webhook.timeout-ms")), clock);
        registry.bind("alertChannels", channels);
        ClosedWithCamel.register(camelContext, "the chat webhooks' HTTP client", channels.poster());
        MailState mailState = new MailState(clock);
        registry.bind("mailState", mailState);
        registry.bind("webhookState", new WebhookState());
        registry.bind("undeliveredMail", new UndeliveredMail(Path.of(settings.text("gateway.alert.undelivered-dir")),
                settings.optional("gateway.alert.from"), clock));

        String instance = settings.instance();
        Duration silenceAfter = Duration.ofSeconds(settings.integer("gateway.alert.silence.after-seconds"));
        if (silenceAfter.isNegative()) {
            throw new IllegalStateException("gateway.alert.silence.after-seconds must be 0 (off) or more");
        }
        Duration forgetAfter = Duration.ofHours(settings.positive("gateway.alert.silence.forget-after-hours"));
        Duration heartbeat = Duration.ofMillis(settings.positive("gateway.alert.heartbeat-ms"));
        if (!silenceAfter.isZero() && heartbeat.multipliedBy(3).compareTo(silenceAfter) > 0) {
            throw new IllegalStateException("gateway.alert.heartbeat-ms (" + heartbeat.toMillis() + ") must be at most "
                    + "a third of gateway.alert.silence.after-seconds (" + silenceAfter.toSeconds() + " s), so that "
                    + "silence is seen in time");
        }
        SilenceWatch silence = new SilenceWatch(silenceAfter, settings.bool("gateway.alert.silence.per-domain"),
                settings.bool("gateway.alert.silence.overall"), new HashSet<>(settings.list("gateway.alert.silence.domains")),
                forgetAfter, heartbeat, domain -> {
                    Tenant tenant = tenants.ownerOfDomain(domain);
                    return tenant == null || tenant.alertTo().isEmpty() ? to : tenant.alertTo();
                }, clock);
        registry.bind("silenceWatch", silence);
        AcceptedCallbacks acceptedCallbacks = new AcceptedCallbacks(instance, forgetAfter,
                Path.of(settings.text("gateway.alert.silence.file")), clock);
        registry.bind("acceptedCallbacks", acceptedCallbacks);
        // the intake's step, bound by name (support.RouteStep says why)
        registry.bind("noteAccepted", (Processor) exchange -> acceptedCallbacks.accepted(
                exchange.getProperty(ExchangeProperties.CALLBACK, Callback.class),
                exchange.getProperty(ExchangeProperties.EVENT_ID, String.class)));
        registry.bind("gatewayTrouble", new GatewayTrouble(instance,
                Duration.ofMinutes(settings.positive("gateway.alert.reminder-minutes")), to, clock,
                conditions(settings, checks, mailState, silence, clock)));
        return mailState;
    }

    /** Whether the alert routes run ({@code gateway.alert.enabled}). */
    public static boolean enabled(Settings settings) {
        return settings.bool("gateway.alert.enabled");
    }

    /** Whether alerts are mailed: gateway.alert.from is set. */
    public static boolean mails(Settings settings) {
        return !settings.optional("gateway.alert.from").isEmpty();
    }

    /** The channels' names, as the metrics label them: "mail" when alerts are mailed, and each webhook's. */
    public static List<String> channelNames(Settings settings) {
        List<String> names = new ArrayList<>();
        if (mails(settings)) {
            names.add(AlertChannels.MAIL);
        }
        names.addAll(settings.list("gateway.alert.webhooks"));
        return names;
    }

    /** The alert queue's name ({@code gateway.alert.queue}). */
    public static String queue(Settings settings) {
        return settings.text("gateway.alert.queue");
    }

    /** The heartbeat queue's name ({@code gateway.alert.heartbeat-queue}): every instance sends, the lead reads. */
    public static String heartbeatQueue(Settings settings) {
        return settings.text("gateway.alert.heartbeat-queue");
    }

    /** Which categories alert ({@code gateway.alert.categories}), to whom, the most serious first. */
    public static AlertPolicy policy(Settings settings) {
        List<String> categories = settings.list("gateway.alert.categories");
        List<String> to = settings.list("gateway.alert.to");
        Map<String, List<String>> byCategory = new HashMap<>();
        for (String category : categories) {
            List<String> own = settings.list("gateway.alert.to." + category);
            if (!own.isEmpty()) {
                byCategory.put(category, own);
            }
        }
        return new AlertPolicy(categories, to, byCategory, settings.list("gateway.alert.severity"));
    }

    /**
     * The chat channels of gateway.alert.webhooks, each from gateway.alert.webhook.<name>.*; a channel a tenant names
     * (gateway.tenant.<name>.alert.webhooks) is narrowed to that tenant's push domains, besides its own.
     */
    static List<WebhookChannel> webhooks(Settings settings, Tenants tenants) {
        List<WebhookChannel> channels = new ArrayList<>();
        for (String name : settings.list("gateway.alert.webhooks")) {
            String prefix = "gateway.alert.webhook." + name + ".";
            String type = settings.optional(prefix + "type");
            String url = settings.optional(prefix + "url");
            // Settings gives "" for a key not set, stripped
            if (type.isEmpty() || url.isEmpty()) {
                throw new IllegalStateException("gateway.alert.webhooks lists '" + name + "': set " + prefix + "type "
                        + "(slack, teams, wecom, dingtalk, feishu, json) and " + prefix + "url (from the environment: "
                        + prefix + "url = {{env:ALERT_WEBHOOK_" + name.toUpperCase().replace('-', '_') + "_URL}})");
            }
            if (!url.startsWith("https://") && !url.startsWith("http://")) {
                throw new IllegalStateException(prefix + "url must be an http(s) URL");
            }
            Set<String> domains = new HashSet<>(settings.list(prefix + "domains"));
            tenants.all().stream().filter(t -> t.alertWebhooks().contains(name))
                    .forEach(t -> domains.addAll(t.domains()));
            channels.add(new WebhookChannel(name, ChatFormat.of(type, name), url,
                    settings.optional(prefix + "secret"), kinds(settings, prefix + "kinds"), domains));
        }
        return channels;
    }

    private static Set<String> kinds(Settings settings, String key) {
        Set<String> kinds = new HashSet<>(settings.list(key));
        kinds.stream().filter(k -> !Notice.KINDS.contains(k)).findFirst().ifPresent(k -> {
            throw new IllegalStateException(key + " names '" + k + "': the kinds are " + String.join(", ", Notice.KINDS));
        });
        return kinds;
    }

    private static List<Condition> conditions(Settings settings, TroubleChecks checks, MailState mail,
            SilenceWatch silence, Clock clock) {
        long brokerAfter = settings.positive("gateway.alert.broker.after-seconds");
        return List.of(
                new Condition("broker", () -> {
                    Instant since = checks.brokerDownSince().get();
                    if (since == null || Duration.between(since, clock.instant()).toSeconds() < brokerAfter) {
                        return null;
                    }
                    return new Finding("RabbitMQ has not taken events since " + AlertKind.TIME.format(since) + ": "
                            + checks.brokerDownReason().get(), List.of(
                                    Fact.named("fact.spool-depth", Integer.toString(checks.spoolDepth().getAsInt())),
                                    Fact.named("fact.spool-oldest", Long.toString(checks.spoolOldestSeconds().getAsLong()))));
                }),
                new Condition("folders", () -> {
                    String unwritable = checks.unwritableFolder().get();
                    return unwritable == null ? null : new Finding(unwritable, List.of());
                }),
                // one instance tells it, not each: the queue is shared
                new Condition("unrouted", () -> {
                    long parked = checks.unroutedMessages().getAsLong();
                    return parked <= 0 || !silence.isLead() ? null : new Finding(parked + " event(s) no binding takes "
                            + "wait on the unrouted queue " + settings.text("gateway.rabbitmq.unrouted-queue")
                            + ": a consumer's queue or binding is missing (docs/operating.md)",
                            List.of(Fact.named("fact.unrouted-messages", Long.toString(parked))));
                }),
                new Condition("mail", () -> mail.failing() ? new Finding(mail.failure(), List.of()) : null));
    }
}
