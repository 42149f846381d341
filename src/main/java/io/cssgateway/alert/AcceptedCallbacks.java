package io.cssgateway.alert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.event.Callback;
import io.cssgateway.support.ExchangeProperties;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.ExchangeProperty;

/**
 * When this instance last accepted a callback, per push domain ({@code app}), and which: what the silence alerts are
 * made of. Kept in memory on the request path (one map write per accepted callback) and sent, every few seconds, as
 * a heartbeat to the instance that watches for silence on behalf of all ({@link SilenceWatch}).
 */
public final class AcceptedCallbacks {

    /** The last callback accepted for one domain: when (epoch ms), its event_type, stream_id, message_id. */
    record Last(long at, int eventType, String streamId, String messageId) {}

    private final String instance;
    private final Duration forgetAfter;
    private final Clock clock;
    private final Map<String, Last> byApp = new ConcurrentHashMap<>();

    /** @param forgetAfter a domain not heard of for this long is left out of the heartbeats */
    public AcceptedCallbacks(String instance, Duration forgetAfter, Clock clock) {
        this.instance = instance;
        this.forgetAfter = forgetAfter;
        this.clock = clock;
    }

    /** A callback was accepted (published or spooled). */
    public void accepted(@ExchangeProperty(ExchangeProperties.CALLBACK) Callback callback,
            @ExchangeProperty(ExchangeProperties.EVENT_ID) String eventId) {
        String app = callback.app();
        byApp.put(app == null ? "" : app, new Last(clock.millis(), callback.getEventType(), callback.streamId(), eventId));
    }

    /** This instance's heartbeat: its name, the time, and the last accepted callback of each domain it still knows. */
    public String heartbeat() {
        long now = clock.millis();
        byApp.values().removeIf(last -> now - last.at() > forgetAfter.toMillis());
        ObjectNode heartbeat = ChatFormat.JSON.createObjectNode();
        heartbeat.put("instance", instance);
        heartbeat.put("at", now);
        ObjectNode apps = heartbeat.putObject("apps");
        byApp.forEach((app, last) -> apps.putObject(app).put("at", last.at()).put("event_type", last.eventType())
                .put("stream_id", last.streamId()).put("message_id", last.messageId()));
        return heartbeat.toString();
    }
}
