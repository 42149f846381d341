package io.cssgateway.alert;

import io.cssgateway.event.EventTypes;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which categories raise alerts (interruption categories, and the events of the event-type table named as one:
 * push-error, record-error), who receives them, and which category is the most serious (named first in a digest's
 * subject). All of it is configuration.
 */
public final class AlertPolicy {

    private final Set<String> alerting;
    private final List<String> defaultRecipients;
    private final Map<String, List<String>> recipientsByCategory;
    private final List<String> severity;

    /**
     * @param severity categories from the most serious down; a category not listed ranks below all listed ones
     */
    public AlertPolicy(Collection<String> alerting, List<String> defaultRecipients,
            Map<String, List<String>> recipientsByCategory, List<String> severity) {
        this.alerting = Set.copyOf(alerting);
        this.defaultRecipients = List.copyOf(defaultRecipients);
        this.recipientsByCategory = Map.copyOf(recipientsByCategory);
        this.severity = List.copyOf(severity);
    }

    public boolean alerts(String category) {
        return alerting.contains(category);
    }

    public Set<String> alertingCategories() {
        return alerting;
    }

    /**
     * The routing keys the alert queue is bound with, prefixed as every published key is: for an alerting category
     * that names an event of the table, its routing key (push-error: push.error), else the interruptions of that
     * category (network: stream.interrupt.network).
     */
    public List<String> bindingKeys(EventTypes eventTypes, String routingKeyPrefix) {
        return alerting.stream().map(category -> {
            EventTypes.EventType event = eventTypes.named(category);
            return routingKeyPrefix + (event != null && event.code() != 0 ? event.routingKey()
                    : "stream.interrupt." + category);
        }).sorted().toList();
    }

    /** The recipients of a category's alerts: its own list when it has one, else the default list. */
    public List<String> recipientsFor(String category) {
        return recipientsByCategory.getOrDefault(category, defaultRecipients);
    }

    /** The most serious category first. */
    public Comparator<String> bySeverity() {
        return Comparator.comparingInt(this::rank).thenComparing(c -> c);
    }

    private int rank(String category) {
        int index = severity.indexOf(category);
        return index < 0 ? severity.size() : index;
    }
}
