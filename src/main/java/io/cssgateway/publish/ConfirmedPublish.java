package io.cssgateway.publish;

import io.cssgateway.event.OutgoingEvent;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * The publish step of the routes ({@code process: confirmedPublish} in publish-to-broker): publishes the exchange's
 * body, an {@link OutgoingEvent}, with the {@link ConfirmedPublisher}, and lets the route go on once RabbitMQ
 * confirmed it, in the publisher's threads; a failure is the exchange's exception. No thread waits meanwhile.
 */
public final class ConfirmedPublish extends AsyncProcessorSupport {

    private final ConfirmedPublisher publisher;
    private final Timer confirmLatency;

    /** @param confirmLatency times each publish until it is confirmed or fails */
    public ConfirmedPublish(ConfirmedPublisher publisher, Timer confirmLatency) {
        this.publisher = publisher;
        this.confirmLatency = confirmLatency;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        OutgoingEvent event;
        try {
            event = exchange.getMessage().getMandatoryBody(OutgoingEvent.class);
        } catch (InvalidPayloadException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        long start = System.nanoTime();
        publisher.publish(event, exchange).whenComplete((confirmed, failure) -> {
            confirmLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            if (failure != null) {
                exchange.setException(failure instanceof CompletionException wrapped && wrapped.getCause() != null
                        ? wrapped.getCause() : failure);
            }
            callback.done(false);
        });
        return false;
    }
}
