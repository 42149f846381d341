package io.cssgateway.replay;

import io.cssgateway.audit.AuditLine;
import io.cssgateway.support.TopicPattern;
import java.time.Instant;
import java.util.Set;

/**
 * Which audit lines are replayed: accepted events (not duplicates, not refusals) received from {@code from}
 * (inclusive) to {@code to} (exclusive), narrowed by event types, stream, app and a routing-key topic pattern
 * ({@code *} one word, {@code #} zero or more, as a RabbitMQ binding key); an empty or null filter selects all.
 */
public record Selection(Instant from, Instant to, Set<Integer> eventTypes, String stream, String app,
        String routingKeyPattern) {

    public Selection {
        eventTypes = eventTypes == null ? Set.of() : Set.copyOf(eventTypes);
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("--from (" + from + ") must be before --to (" + to + ")");
        }
    }

    public boolean selects(AuditLine line) {
        Instant received = line.receivedAt();
        Integer eventType = line.eventType();
        String routingKey = line.routingKey();
        return AuditLine.ACCEPTED.equals(line.verdict()) && received != null
                && !received.isBefore(from) && received.isBefore(to)
                && (eventTypes.isEmpty() || eventType != null && eventTypes.contains(eventType))
                && (stream == null || stream.equals(line.streamId()))
                && (app == null || app.equals(line.app()))
                && (routingKeyPattern == null
                        || TopicPattern.matches(routingKeyPattern, routingKey == null ? "" : routingKey));
    }
}
