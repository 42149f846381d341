package io.cssgateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.cssgateway.audit.AuditIndex;
import io.cssgateway.publish.BrokerFailures;
import io.cssgateway.publish.BrokerState;
import io.cssgateway.publish.ConfirmedPublisher;
import io.cssgateway.replay.UnroutedRedrive;
import io.cssgateway.spool.Spool;
import io.cssgateway.support.IsoTime;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * What waits, JSON on the management port:
 * <ul>
 * <li>{@code GET /api/spool}: every instance's spool (depth, the oldest's age, by event type) and RabbitMQ as it sees
 *     it, from the status each instance writes to the audit index every few seconds (this instance's own, now, when
 *     the index is off);</li>
 * <li>{@code GET /api/unrouted?limit=}: how many messages wait on the unrouted queue, and the first of them (routing
 *     key, message id, event type), left in place; {@code limit=0} the count alone;</li>
 * <li>{@code POST /api/unrouted/redrive}: those messages moved back to the exchange, each confirmed before it is
 *     acknowledged, as {@code replay --unrouted} moves them; needs the API token.</li>
 * </ul>
 */
public final class OperationsApi {

    private static final Logger LOG = LoggerFactory.getLogger(OperationsApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The spooled files read for the count by event type: the oldest ones. */
    static final int SPOOL_FILES_READ = 1000;
    /** An instance whose status is older than this is no longer listed (stopped, or cut off from the index). */
    private static final Duration SEEN_WITHIN = Duration.ofMinutes(5);

    private final AuditIndex index;
    private final ApiAccess access;
    private final String instance;
    private final Spool spool;
    private final BrokerState broker;
    private final CachingConnectionFactory rabbit;
    private final String exchange;
    private final String unroutedQueue;
    private final Duration confirmTimeout;
    private final Clock clock;

    /**
     * @param index null when the index is off: this instance answers for itself alone
     * @param rabbit null where there is no broker
     */
    public OperationsApi(AuditIndex index, ApiAccess access, String instance, Spool spool, BrokerState broker,
            CachingConnectionFactory rabbit, String exchange, String unroutedQueue, Duration confirmTimeout,
            Clock clock) {
        this.index = index;
        this.access = access;
        this.instance = instance;
        this.spool = spool;
        this.broker = broker;
        this.rabbit = rabbit;
        this.exchange = exchange;
        this.unroutedQueue = unroutedQueue;
        this.confirmTimeout = confirmTimeout;
        this.clock = clock;
    }

    public void mount(Router router) {
        router.route("/api/spool").blockingHandler(this::spool, false);
        router.route("/api/unrouted/redrive").blockingHandler(this::redrive, false);
        router.route("/api/unrouted").blockingHandler(this::unrouted, false);
    }

    /** An instance's status as it writes it to the index: its spool and RabbitMQ as it sees them. */
    public static String status(Spool spool, BrokerState broker) {
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        ObjectNode spooled = status.putObject("spool").put("depth", spool.depth())
                .put("oldest_age_seconds", spool.oldestAgeSeconds());
        spooled.set("by_event_type", JSON.valueToTree(spool.byEventType(SPOOL_FILES_READ)));
        ObjectNode rabbitmq = status.putObject("rabbitmq").put("up", broker.isUp())
                .put("down_reason", broker.downReason());
        rabbitmq.put("down_since", broker.downSince() == null ? null : IsoTime.format(broker.downSince()));
        return status.toString();
    }

    private void spool(RoutingContext request) {
        if (!access.read(request)) {
            return;
        }
        if (!request.queryParams().isEmpty()) {
            ApiAccess.badRequest(request, "unknown parameter '" + request.queryParams().names().iterator().next()
                    + "': /api/spool takes none");
            return;
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode instances = body.putArray("instances");
        long depth = 0;
        try {
            if (index == null) {
                depth += add(instances, instance, clock.millis(), status(spool, broker));
            } else {
                for (AuditIndex.InstanceStatus each : index.statuses(clock.millis() - SEEN_WITHIN.toMillis())) {
                    depth += add(instances, each.instance(), each.seenMs(), each.status());
                }
            }
        } catch (Exception e) {
            LOG.warn("/api/spool could not read the instances' status: {}", e.getMessage());
            ApiAccess.unavailable(request, "the instances' status cannot be read now: " + e.getMessage());
            return;
        }
        body.put("depth", depth);
        body.put("note", "each instance writes its status every 5 s; one not heard from for 5 minutes is left out");
        ApiAccess.answer(request, 200, body);
    }

    private static long add(ArrayNode instances, String name, long seenMs, String status) throws Exception {
        JsonNode parsed = JSON.readTree(status);
        ObjectNode entry = instances.addObject().put("instance", name)
                .put("seen_at", IsoTime.format(Instant.ofEpochMilli(seenMs)));
        entry.setAll((ObjectNode) parsed);
        return parsed.path("spool").path("depth").asLong();
    }

    private void unrouted(RoutingContext request) {
        if (!access.read(request) || !brokerBound(request)) {
            return;
        }
        for (String name : request.queryParams().names()) {
            if (!name.equals("limit")) {
                ApiAccess.badRequest(request, "unknown parameter '" + name + "': the only one is limit");
                return;
            }
        }
        // limit=0: the count alone, no message taken (what the console asks every few seconds)
        Integer limit = "0".equals(request.queryParams().get("limit")) ? Integer.valueOf(0) : ApiAccess.limit(request);
        if (limit == null) {
            return;
        }
        // a channel of the gateway's shared connection (the console asks every few seconds): given back when closed
        try (Channel channel = rabbit.createConnection().createChannel(false)) {
            UnroutedRedrive.Look look = redrive(channel).look(limit);
            ObjectNode body = JsonNodeFactory.instance.objectNode().put("queue", unroutedQueue)
                    .put("count", look.count());
            ArrayNode messages = body.putArray("messages");
            for (UnroutedRedrive.Parked parked : look.first()) {
                messages.addObject().put("routing_key", parked.routingKey()).put("message_id", parked.messageId())
                        .put("timestamp", parked.timestamp() == null ? null
                                : IsoTime.format(Instant.ofEpochMilli(parked.timestamp())))
                        .put("event_type", parked.eventType())
                        .put("replayed", parked.replayed());
            }
            ApiAccess.answer(request, 200, body);
        } catch (Exception e) {
            ApiAccess.unavailable(request, "the unrouted queue " + unroutedQueue + " cannot be read: "
                    + BrokerFailures.describe(e));
        }
    }

    private void redrive(RoutingContext request) {
        if (!access.write(request) || !brokerBound(request)) {
            return;
        }
        // a connection of its own: its channel is put in confirm mode, which the shared connection's cached channels
        // must not be
        try (Connection connection = rabbit.getRabbitConnectionFactory().newConnection(
                ConfirmedPublisher.CONNECTION_NAME + " api"); Channel channel = connection.createChannel()) {
            UnroutedRedrive.Moved moved = redrive(channel).moveAll(() -> { });
            LOG.info("Unrouted queue {} redriven through the API ({}): {} of {} messages moved to {}", unroutedQueue,
                    request.request().remoteAddress(), moved.moved(), moved.parked(), exchange);
            ApiAccess.answer(request, 200, JsonNodeFactory.instance.objectNode().put("queue", unroutedQueue)
                    .put("parked", moved.parked()).put("moved", moved.moved()).put("exchange", exchange)
                    .put("message", "each message published again (css_replayed=true), confirmed, then taken off "
                            + "the queue; one still unroutable is back on it"));
        } catch (Exception e) {
            ApiAccess.unavailable(request, "the unrouted queue " + unroutedQueue + " could not be moved: "
                    + BrokerFailures.describe(e));
        }
    }

    private UnroutedRedrive redrive(Channel channel) {
        return new UnroutedRedrive(channel, unroutedQueue, exchange, confirmTimeout);
    }

    private boolean brokerBound(RoutingContext request) {
        if (rabbit == null) {
            ApiAccess.unavailable(request, "no broker is bound in this gateway");
            return false;
        }
        return true;
    }
}
