package io.cssgateway.alert;

import io.cssgateway.support.Settings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * The beans of routes/alerts.camel.yaml, from {@code gateway.alert.*}: the digests ({@code alertDigests}), whether mail
 * gets through ({@code mailState}), and the digests kept as files after their last try ({@code undeliveredDigests}).
 */
public final class AlertBeans {

    private AlertBeans() {}

    /**
     * Binds them; refused when alerts are on without a sender, or without recipients for a category. Returns whether
     * mail gets through, with its count of retries.
     */
    public static MailState bind(CamelContext camelContext, Settings settings) {
        Registry registry = camelContext.getRegistry();
        AlertPolicy policy = policy(settings);
        if (enabled(settings) && (settings.optional("gateway.alert.from").isEmpty()
                || policy.alertingCategories().stream().anyMatch(c -> policy.recipientsFor(c).isEmpty()))) {
            throw new IllegalStateException("gateway.alert.enabled=true needs gateway.alert.from and "
                    + "gateway.alert.to (or gateway.alert.to.<category> for every alerting category)");
        }
        registry.bind("alertDigests", new AlertDigests(policy,
                Duration.ofSeconds(settings.integer("gateway.alert.window-seconds")),
                (int) settings.integer("gateway.alert.streams-shown"),
                settings.bool("gateway.alert.first-at-once"), Clock.systemUTC()));
        MailState mailState = new MailState(Clock.systemUTC());
        registry.bind("mailState", mailState);
        registry.bind("undeliveredDigests", new UndeliveredDigests(
                Path.of(settings.text("gateway.alert.undelivered-dir")), settings.optional("gateway.alert.from"),
                Clock.systemUTC()));
        return mailState;
    }

    /** Whether the alert routes run ({@code gateway.alert.enabled}). */
    public static boolean enabled(Settings settings) {
        return settings.bool("gateway.alert.enabled");
    }

    /** The alert queue's name ({@code gateway.alert.queue}). */
    public static String queue(Settings settings) {
        return settings.text("gateway.alert.queue");
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
}
