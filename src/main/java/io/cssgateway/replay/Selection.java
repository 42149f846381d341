package io.cssgateway.replay;

import io.cssgateway.audit.AuditLine;
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
                && (routingKeyPattern == null || topicMatches(routingKeyPattern, routingKey == null ? "" : routingKey));
    }

    /** RabbitMQ's topic matching: words split on dots, {@code *} one word, {@code #} zero or more. */
    static boolean topicMatches(String pattern, String routingKey) {
        return matches(pattern.split("\\.", -1), 0, routingKey.split("\\.", -1), 0);
    }

    private static boolean matches(String[] pattern, int p, String[] key, int k) {
        if (p == pattern.length) {
            return k == key.length;
        }
        if (pattern[p].equals("#")) {
            for (int skip = k; skip <= key.length; skip++) {
                if (matches(pattern, p + 1, key, skip)) {
                    return true;
                }
            }
            return false;
        }
        return k < key.length && (pattern[p].equals("*") || pattern[p].equals(key[k]))
                && matches(pattern, p + 1, key, k + 1);
    }
}
