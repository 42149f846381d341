package io.cssgateway.publish;

import io.cssgateway.event.OutgoingEvent;
import java.util.concurrent.CompletionException;
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

    public ConfirmedPublish(ConfirmedPublisher publisher) {
        this.publisher = publisher;
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
        publisher.publish(event).whenComplete((confirmed, failure) -> {
            if (failure != null) {
                exchange.setException(failure instanceof CompletionException wrapped && wrapped.getCause() != null
                        ? wrapped.getCause() : failure);
            }
            callback.done(false);
        });
        return false;
    }
}
