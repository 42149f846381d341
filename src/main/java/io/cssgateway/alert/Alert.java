package io.cssgateway.alert;

import java.util.function.Predicate;

/**
 * Something to tell the people on call, on every channel that takes it: a digest of interruptions, silence, the
 * gateway's own trouble. A channel narrowed to some push domains gets the part that is theirs.
 */
public interface Alert {

    /** One of {@link Notice#KINDS}. */
    String kind();

    /** The mail recipients (gateway.alert.to, or a category's own list for a digest). */
    java.util.List<String> recipients();

    /** The notice for the push domains a channel takes (every domain passes for most); null when none is theirs. */
    Notice notice(Predicate<String> domains);

    /**
     * The trace contexts ({@code traceparent}) of the events it tells of, which its mail's span links to (tracing
     * on); none for most.
     */
    default java.util.List<String> traceLinks() {
        return java.util.List.of();
    }

    /** Every channel has delivered it, or given up and audited it: a digest's interruptions leave the alert queue. */
    default void delivered() {}
}
