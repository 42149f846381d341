package io.cssgateway.intake;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The door every callback passes on its way in (ReceiveCallbackRoute), counting those inside until their answer has
 * gone out. A route file is swapped in while the door is shut: new callbacks wait in front of it, those inside
 * finish first, so no callback ever meets a route while it is stopped and replaced. (Suspending the intake's
 * {@code direct:} consumer does not do this: a concurrent caller can still reach the old consumer.)
 */
public final class CallbackGate implements Processor {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean shut;
    private int inside;

    private final SynchronizationAdapter leave = new SynchronizationAdapter() {
        @Override
        public void onDone(Exchange exchange) {
            lock.lock();
            try {
                inside--;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    };

    /** Lets the callback in, once the door is open; it counts as inside until its exchange is done. */
    @Override
    public void process(Exchange exchange) throws InterruptedException {
        lock.lock();
        try {
            while (shut) {
                changed.await();
            }
            inside++;
        } finally {
            lock.unlock();
        }
        exchange.getExchangeExtension().addOnCompletion(leave);
    }

    /** Shuts the door and waits until no callback is inside, or {@code atMost}; false when some still were. */
    public boolean shut(Duration atMost) throws InterruptedException {
        long left = atMost.toNanos();
        lock.lock();
        try {
            shut = true;
            while (inside > 0 && left > 0) {
                left = changed.awaitNanos(left);
            }
            return inside == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Opens the door: the callbacks waiting in front of it go in. */
    public void open() {
        lock.lock();
        try {
            shut = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Callbacks inside now. */
    public int inside() {
        lock.lock();
        try {
            return inside;
        } finally {
            lock.unlock();
        }
    }
}
