package io.cssgateway.alert;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether alert mail gets through, said in the log once per change: a line when a digest first fails (SMTP down or
 * refusing), a reminder at most every 30 s while digests keep failing, a line when one is mailed again. Camel's
 * retry of each digest (alert-mail-retries) calls it before each new try ({@code onRedeliveryRef}), so its own
 * per-try lines stay at DEBUG.
 */
public final class MailState implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(MailState.class);
    private static final Duration REMINDER = Duration.ofSeconds(30);

    private final Clock clock;
    private final AtomicLong retries = new AtomicLong();
    private Instant failingSince;
    private Instant lastReminder;
    private int failures;
    private String lastCause;

    public MailState(Clock clock) {
        this.clock = clock;
    }

    /** A try failed and the digest is tried again (alert-mail-retries' onRedeliveryRef). */
    @Override
    public void process(Exchange exchange) {
        retries.incrementAndGet();
        failed(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
    }

    /** How many times a digest was tried again since the start, whether it was mailed in the end or kept. */
    public long retries() {
        return retries.get();
    }

    /** A try failed: the first failure, or a reminder, in the log. */
    public synchronized void failed(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        Instant now = clock.instant();
        failures++;
        lastCause = cause == null ? "unknown cause" : cause.getMessage();
        if (failingSince == null) {
            failingSince = now;
            lastReminder = now;
            LOG.warn("Alert mail cannot be sent ({}): each digest is tried again with back-off, then kept as a file",
                    cause == null ? "unknown cause" : cause.getMessage());
        } else if (Duration.between(lastReminder, now).compareTo(REMINDER) >= 0) {
            lastReminder = now;
            LOG.warn("Alert mail still cannot be sent, for {} s now ({} tries failed)",
                    Duration.between(failingSince, now).toSeconds(), failures);
        }
    }

    /** A digest was mailed: a line if mail was failing until now. */
    public synchronized void sent() {
        if (failingSince != null) {
            LOG.info("Alert mail is sent again, after {} s of failures", Duration.between(failingSince, clock.instant())
                    .toSeconds());
            failingSince = null;
            failures = 0;
        }
    }

    /** What the gateway's trouble alert says while mail fails. */
    public synchronized String failure() {
        return failingSince == null ? null : "alert mail fails since " + failingSince + " (" + failures
                + " tries failed), the last with: " + lastCause;
    }

    /** Whether the last try failed. */
    public synchronized boolean failing() {
        return failingSince != null;
    }
}
