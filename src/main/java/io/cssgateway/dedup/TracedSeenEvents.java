package io.cssgateway.dedup;

import io.cssgateway.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * With tracing on, the seen-set behind the intake's idempotent consumer, its check a span ({@code dedup}) within the
 * callback's: {@code css.duplicate} says what it found; with the shared store, the database query is a span within it.
 * The rest is the store's own.
 */
final class TracedSeenEvents extends ServiceSupport implements IdempotentRepository {

    private final IdempotentRepository store;
    private final Tracing tracing;

    TracedSeenEvents(IdempotentRepository store, Tracing tracing) {
        this.store = store;
        this.tracing = tracing;
    }

    @Override
    public boolean contains(Exchange exchange, String identity) {
        Span span = tracing.start(exchange, "dedup", SpanKind.INTERNAL);
        span.setAttribute("css.message_id", identity);
        try (Scope within = span.makeCurrent()) {
            boolean seen = store.contains(exchange, identity);
            span.setAttribute("css.duplicate", seen);
            Tracing.end(span, null);
            return seen;
        } catch (RuntimeException e) {
            Tracing.end(span, e);
            throw e;
        }
    }

    @Override
    public boolean contains(String identity) {
        return store.contains(identity);
    }

    @Override
    public boolean add(String identity) {
        return store.add(identity);
    }

    @Override
    public boolean add(Exchange exchange, String identity) {
        return store.add(exchange, identity);
    }

    @Override
    public boolean remove(String identity) {
        return store.remove(identity);
    }

    @Override
    public boolean remove(Exchange exchange, String identity) {
        return store.remove(exchange, identity);
    }

    @Override
    public boolean confirm(String identity) {
        return store.confirm(identity);
    }

    @Override
    public boolean confirm(Exchange exchange, String identity) {
        return store.confirm(exchange, identity);
    }

    @Override
    public void clear() {
        store.clear();
    }

    @Override
    protected void doStart() throws Exception {
        store.start();
    }

    @Override
    protected void doStop() throws Exception {
        store.stop();
    }
}
