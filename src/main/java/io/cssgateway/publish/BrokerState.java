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
    private volatile String downReason;

    /** @param spoolDepth how many events wait in the spool, for the reminders */
    public BrokerState(Clock clock, IntSupplier spoolDepth) {
        this.clock = clock;
        this.spoolDepth = spoolDepth;
    }

    public boolean isUp() {
        return downSince.get() == null;
    }

    /** Why RabbitMQ went down, as {@link BrokerFailures} says it; meaningful while it is down. */
    public String downReason() {
        return downReason;
    }

    /** Since when RabbitMQ has not taken events; null while it does. */
    public Instant downSince() {
        return downSince.get();
    }

    /** Why the gateway is not ready for RabbitMQ's sake, for readiness; null while RabbitMQ takes events. */
    public String notTakingEvents() {
        Instant since = downSince.get();
        return since == null ? null : "RabbitMQ does not take events since " + since + " (" + downReason
                + "): they are spooled (" + spoolDepth.getAsInt() + " waiting) and published once it does";
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
            downReason = BrokerFailures.describe(cause);
            LOG.warn("RabbitMQ does not take events: {}; they are spooled until it does", downReason);
            lastReminder = now;
        } else if (!now.isBefore(lastReminder.plusSeconds(REMINDER_SECONDS))) {
            lastReminder = now;
            LOG.warn("RabbitMQ still does not take events, for {} s now: {} event(s) wait in the spool",
                    now.getEpochSecond() - downSince.get().getEpochSecond(), spoolDepth.getAsInt());
        }
    }

    /**
     * RabbitMQ could be reached (watch-broker): up again when it was down and no spooled event waits; while some
     * wait, the drain's first confirm marks it up, so that a broker that takes connections but not events (a
     * resource alarm) does not flap between down and up.
     */
    public void reachable() {
        if (!isUp() && spoolDepth.getAsInt() == 0) {
            markUp();
        }
    }

    public void markUp() {
        Instant since = downSince.getAndSet(null);
        if (since != null) {
            LOG.info("RabbitMQ takes events again after {} s down", clock.instant().getEpochSecond() - since.getEpochSecond());
        }
    }
}
