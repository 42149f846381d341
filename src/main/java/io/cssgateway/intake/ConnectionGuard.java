package io.cssgateway.intake;

import com.sun.management.UnixOperatingSystemMXBean;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what a client can hold on the intake port, which faces the internet and needs no key to reach: each
 * connection must deliver each whole request within the request timeout (counted from the moment it opened, or, on
 * a kept-alive connection, from the moment its previous answer went out), or it is closed; beyond the connection
 * limit, a new connection is closed at once, so that the process keeps the file descriptors that the spool, the
 * audit files and RabbitMQ need. Quiet connections are closed sooner by the HTTP server's idle timeout.
 * <p>
 * Every state change is one log line (limit reached, limit left, descriptors nearly exhausted), with a reminder at
 * most every 30 s while it lasts; a single slow connection is a DEBUG line, as an outsider chooses their rate.
 */
public final class ConnectionGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final long REMINDER_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Descriptors kept for everything but HTTP connections: files, broker connections, the JVM's own. */
    static final int RESERVED_DESCRIPTORS = 256;

    /** Why the gateway closed a connection: the label of {@code css_gateway_http_connections_closed_total}. */
    public enum Closed {
        /** nothing moved on it for the idle timeout (the HTTP server closed it) */
        IDLE,
        /** it did not deliver a whole request within the request timeout */
        SLOW,
        /** it came while the connection limit was reached, and was closed at once */
        LIMIT;

        /** The metric's label value: idle, slow, limit. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One connection: when it began to send the request it has not finished sending, or 0 while answered. */
    private static final class Receiving {
        volatile long since;

        Receiving(long since) {
            this.since = since;
        }
    }

    private final long idleTimeoutNanos;
    private final long requestTimeoutNanos;
    private final int maxConnections;
    private final Map<HttpConnection, Receiving> open = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong closedSlow = new AtomicLong();
    private final AtomicLong closedIdle = new AtomicLong();
    private boolean atLimit;
    private long limitReminder;
    private long refusedAtLimitStart;
    private boolean descriptorsLow;
    private long descriptorsReminder;

    /**
     * @param idleTimeout the HTTP server's: a connection it closes after waiting this long for a request is counted
     *     as closed idle
     * @param maxConnections open connections at most; a new one beyond is closed at once
     */
    ConnectionGuard(Duration idleTimeout, Duration requestTimeout, int maxConnections) {
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.requestTimeoutNanos = requestTimeout.toNanos();
        this.maxConnections = maxConnections;
    }

    /**
     * The limit of open connections: {@code configured}, or when 0, the process's file descriptor limit less
     * {@link #RESERVED_DESCRIPTORS}.
     */
    public static int maxConnections(long configured) {
        long descriptors = descriptorLimit();
        if (configured > 0) {
            if (descriptors > 0 && configured > descriptors - RESERVED_DESCRIPTORS) {
                LOG.warn("gateway.http.max-connections={} leaves fewer than {} of the process's {} file descriptors "
                        + "for files and broker connections: raise the limit (ulimit -n) or lower the setting",
                        configured, RESERVED_DESCRIPTORS, descriptors);
            }
            return (int) Math.min(Integer.MAX_VALUE, configured);
        }
        return descriptors > 0 ? (int) Math.max(16, Math.min(Integer.MAX_VALUE, descriptors - RESERVED_DESCRIPTORS)) : 10_000;
    }

    /** A new connection: counted, or closed at once beyond the limit. */
    void opened(HttpConnection connection) {
        if (open.size() >= maxConnections) {
            connection.close();
            refused();
            return;
        }
        Receiving receiving = new Receiving(System.nanoTime());
        open.put(connection, receiving);
        connection.closeHandler(closed -> {
            open.remove(connection);
            countIfClosedIdle(receiving);
        });
    }

    /**
     * A connection closed while it waited for a request at least the idle timeout after its clock started (its
     * opening, or its last answer): the HTTP server's idle timeout closed it. (A client that closes its own connection
     * does so sooner, or the idle timeout would have come first; one the guard closes as slow has its clock stopped.)
     * A tenth of the timeout is allowed for the moments between the last bytes the server saw and the guard's clock.
     */
    private void countIfClosedIdle(Receiving receiving) {
        long since = receiving.since;
        if (since != 0
                && System.nanoTime() - since >= idleTimeoutNanos - idleTimeoutNanos / 10) {
            closedIdle.incrementAndGet();
        }
    }

    private synchronized void refused() {
        long total = refused.incrementAndGet();
        long now = System.nanoTime();
        if (!atLimit) {
            atLimit = true;
            limitReminder = now;
            refusedAtLimitStart = total - 1;
            LOG.warn("HTTP connections at the limit of {} (gateway.http.max-connections): new connections are "
                    + "closed at once until some close", maxConnections);
        } else if (now - limitReminder > REMINDER_NANOS) {
            limitReminder = now;
            LOG.warn("HTTP connections still at the limit of {}: {} refused so far", maxConnections,
                    total - refusedAtLimitStart);
        }
    }

    /**
     * Each request, once its headers are in: the connection's clock stops when the whole request is in, and starts
     * again for the next request when its answer has gone out.
     */
    void track(RoutingContext request) {
        Receiving receiving = open.get(request.request().connection());
        if (receiving != null) {
            boolean[] answered = {false};
            request.request().end().onComplete(in -> {
                if (!answered[0]) {
                    receiving.since = 0;
                }
            });
            request.addEndHandler(out -> {
                answered[0] = true;
                receiving.since = System.nanoTime();
            });
        }
        request.next();
    }

    /** Closes the connections past their request timeout, and says when the limits change. Run every second. */
    void sweep() {
        long now = System.nanoTime();
        open.forEach((connection, receiving) -> {
            long since = receiving.since;
            if (since != 0 && now - since > requestTimeoutNanos) {
                receiving.since = 0;
                closedSlow.incrementAndGet();
                LOG.debug("HTTP connection from {} closed: no whole request within the request timeout",
                        connection.remoteAddress());
                connection.close();
            }
        });
        leaveLimit();
        watchDescriptors(now);
    }

    private synchronized void leaveLimit() {
        if (atLimit && open.size() < maxConnections) {
            atLimit = false;
            LOG.info("HTTP connections below the limit again ({} open); {} were refused meanwhile", open.size(),
                    refused.get() - refusedAtLimitStart);
        }
    }

    private void watchDescriptors(long now) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (!(os instanceof UnixOperatingSystemMXBean unix)) {
            return;
        }
        long max = unix.getMaxFileDescriptorCount();
        long used;
        try {
            used = unix.getOpenFileDescriptorCount();
        } catch (InternalError noDescriptorToCountWith) {
            // counting opens /proc/self/fd, which fails exactly when none is left
            used = max;
        }
        boolean low = max - used < RESERVED_DESCRIPTORS / 4;
        if (low && (!descriptorsLow || now - descriptorsReminder > REMINDER_NANOS)) {
            descriptorsReminder = now;
            LOG.error("The process has almost no file descriptors left ({} of {} open, {} of them HTTP connections): "
                    + "new connections, spool and audit files may fail; raise the limit (ulimit -n) or lower "
                    + "gateway.http.max-connections", used, max, open.size());
        } else if (!low && descriptorsLow) {
            LOG.info("File descriptors available again ({} of {} open)", used, max);
        }
        descriptorsLow = low;
    }

    /** Connections open now. */
    int openConnections() {
        return open.size();
    }

    /** Connections closed since the start for this reason. */
    long closed(Closed reason) {
        return switch (reason) {
            case IDLE -> closedIdle.get();
            case SLOW -> closedSlow.get();
            case LIMIT -> refused.get();
        };
    }

    private static long descriptorLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : -1;
    }
}
