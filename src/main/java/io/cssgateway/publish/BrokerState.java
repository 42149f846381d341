package io.cssgateway.publish;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether RabbitMQ takes events now. Down after a publish failed (or went unconfirmed): new events go straight
 * to the spool, so that answers stay fast during an outage; up again as soon as a spooled event is confirmed.
 */
public final class BrokerState {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerState.class);

    private static final long REMINDER_SECONDS = 30;

    private final Clock clock;
    private final IntSupplier spoolDepth;
    private final AtomicReference<Instant> downSince = new AtomicReference<>();
    private volatile Instant lastReminder = Instant.EPOCH;

    /** @param spoolDepth how many events wait in the spool, for the reminders */
    public BrokerState(Clock clock, IntSupplier spoolDepth) {
        this.clock = clock;
        this.spoolDepth = spoolDepth;
    }

    public boolean isUp() {
        return downSince.get() == null;
    }

    /** Throws {@link BrokerDownException} while RabbitMQ is marked down: the event goes to the spool at once. */
    public void requireUp() {
        if (!isUp()) {
            throw new BrokerDownException();
        }
    }

    public void markDown(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        Instant now = clock.instant();
        if (downSince.compareAndSet(null, now)) {
            LOG.warn("RabbitMQ does not take events ({}): they are spooled until it does",
                    cause == null ? "unknown cause" : cause.toString());
            lastReminder = now;
        } else if (now.isAfter(lastReminder.plusSeconds(REMINDER_SECONDS))) {
            lastReminder = now;
            LOG.warn("RabbitMQ still does not take events, for {} s now: {} event(s) wait in the spool",
                    now.getEpochSecond() - downSince.get().getEpochSecond(), spoolDepth.getAsInt());
        }
    }

    public void markUp() {
        Instant since = downSince.getAndSet(null);
        if (since != null) {
            LOG.info("RabbitMQ takes events again after {} s down", clock.instant().getEpochSecond() - since.getEpochSecond());
        }
    }
}
