package io.cssgateway.dedup;

import io.cssgateway.event.Callback;
import io.cssgateway.event.EventTypes;
import io.cssgateway.support.ExchangeProperties;
import io.cssgateway.support.RouteStep;
import io.cssgateway.support.Settings;
import io.cssgateway.trace.Tracing;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.spi.Registry;

/**
 * The de-duplication the intake's idempotent consumer does: the event identity ({@code eventIdentity}) and the
 * seen-set ({@code seenEvents}) as {@code gateway.dedup.*} says: a file (one instance), memory, or PostgreSQL (several
 * instances).
 */
public final class DedupBeans {

    private DedupBeans() {}

    /**
     * What the metrics read: how many identities the store holds in memory now (with jdbc, its front), and how many
     * new identities were checked in the database (with jdbc; 0 otherwise).
     */
    public record Counts(IntSupplier inMemory, LongSupplier databaseChecks) {
    }

    /** Binds both. */
    public static Counts bind(CamelContext camelContext, Settings settings, EventTypes eventTypes,
            Tracing tracing) {
        Registry registry = camelContext.getRegistry();
        EventIdentity eventIdentity = new EventIdentity(eventTypes);
        registry.bind("eventIdentity", eventIdentity);
        // the intake's step (RouteStep)
        registry.bind("callbackIdentity", RouteStep.expression("callbackIdentity",
                exchange -> eventIdentity.of(exchange.getProperty(ExchangeProperties.CALLBACK, Callback.class))));
        int capacity = (int) settings.positive("gateway.dedup.capacity");
        String store = settings.text("gateway.dedup.store");
        switch (store) {
            case "file", "memory" -> {
                SeenEvents seen = store.equals("file")
                        ? new SeenEvents(capacity, Path.of(settings.text("gateway.dedup.file"))) : new SeenEvents(capacity);
                registry.bind("seenEvents", traced(seen, tracing));
                return new Counts(seen::size, () -> 0);
            }
            case "jdbc" -> {
                SharedSeenEvents shared = new SharedSeenEvents(new SharedSeenEvents.Database(
                        settings.text("gateway.dedup.jdbc.url"), settings.optional("gateway.dedup.jdbc.username"),
                        settings.optional("gateway.dedup.jdbc.password"),
                        (int) settings.positive("gateway.dedup.jdbc.pool-size"),
                        Duration.ofMillis(settings.positive("gateway.dedup.jdbc.connect-timeout-ms"))),
                        settings.text("gateway.dedup.jdbc.table"), settings.text("gateway.dedup.jdbc.processor-name"),
                        Duration.ofSeconds(settings.positive("gateway.dedup.retention-seconds")),
                        Duration.ofSeconds(settings.positive("gateway.dedup.jdbc.expiry-interval-seconds")),
                        Duration.ofSeconds(settings.integer("gateway.dedup.jdbc.memory-window-seconds")), capacity);
                shared.trace(tracing);
                registry.bind("seenEvents", traced(shared, tracing));
                return new Counts(shared::size, shared::databaseChecks);
            }
            default -> throw new IllegalStateException("gateway.dedup.store=" + store
                    + " is not supported; use file (the default, one instance), memory, or jdbc (several instances)");
        }
    }

    /** The store, its checks spans with tracing on. */
    private static IdempotentRepository traced(IdempotentRepository store, Tracing tracing) {
        return tracing.enabled() ? new TracedSeenEvents(store, tracing) : store;
    }
}
