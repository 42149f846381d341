package io.cssgateway.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.event.Callback;
import io.cssgateway.support.ExchangeProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When this instance last accepted a callback, per push domain ({@code app}), and which: what the silence alerts are
 * made of. Kept in memory on the request path (one map write per accepted callback) and sent, every few seconds, as
 * a heartbeat to the instance that watches for silence on behalf of all ({@link SilenceWatch}). Each heartbeat is also
 * written to a file (gateway.alert.silence.file) and read back at start, so that a restart forgets no domain: one
 * that went silent before it is still watched after it.
 */
public final class AcceptedCallbacks {

    private static final Logger LOG = LoggerFactory.getLogger(AcceptedCallbacks.class);

    /** The last callback accepted for one domain: when (epoch ms), its event_type, stream_id, message_id. */
    record Last(long at, int eventType, String streamId, String messageId) {}

    private final String instance;
    private final Duration forgetAfter;
    private final Path file;
    private final Clock clock;
    private final Map<String, Last> byApp = new ConcurrentHashMap<>();

    /**
     * @param forgetAfter a domain not heard of for this long is left out of the heartbeats
     * @param file where the last heartbeat is kept across restarts; null: nowhere
     */
    public AcceptedCallbacks(String instance, Duration forgetAfter, Path file, Clock clock) {
        this.instance = instance;
        this.forgetAfter = forgetAfter;
        this.file = file;
        this.clock = clock;
        if (file != null) {
            load(file);
        }
    }

    /** A callback was accepted (published or spooled). */
    public void accepted(@ExchangeProperty(ExchangeProperties.CALLBACK) Callback callback,
            @ExchangeProperty(ExchangeProperties.EVENT_ID) String eventId) {
        String app = callback.app();
        byApp.put(app == null ? "" : app, new Last(clock.millis(), callback.getEventType(), callback.streamId(), eventId));
    }

    /**
     * This instance's heartbeat: its name, the time, and the last accepted callback of each domain it still knows;
     * kept in the file too.
     */
    public String heartbeat() {
        long now = clock.millis();
        byApp.values().removeIf(last -> now - last.at() > forgetAfter.toMillis());
        ObjectNode heartbeat = ChatFormat.JSON.createObjectNode();
        heartbeat.put("instance", instance);
        heartbeat.put("at", now);
        ObjectNode apps = heartbeat.putObject("apps");
        byApp.forEach((app, last) -> apps.putObject(app).put("at", last.at()).put("event_type", last.eventType())
                .put("stream_id", last.streamId()).put("message_id", last.messageId()));
        String text = heartbeat.toString();
        if (file != null) {
            keep(text);
        }
        return text;
    }

    /** Written beside, then moved over the old one: a crash leaves the old file or the new one, never half of one. */
    private void keep(String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path next = file.resolveSibling(file.getFileName() + ".next");
            Files.writeString(next, text, StandardCharsets.UTF_8);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // the heartbeat still goes out; only a restart would forget
            LOG.debug("The last callbacks could not be kept in {}: {}", file, e.toString());
        }
    }

    private void load(Path from) {
        if (!Files.exists(from)) {
            return;
        }
        try {
            JsonNode kept = ChatFormat.JSON.readTree(Files.readString(from, StandardCharsets.UTF_8));
            long now = clock.millis();
            kept.path("apps").fields().forEachRemaining(app -> {
                JsonNode last = app.getValue();
                if (now - last.path("at").asLong() <= forgetAfter.toMillis()) {
                    byApp.put(app.getKey(), new Last(last.path("at").asLong(), last.path("event_type").asInt(),
                            last.path("stream_id").asText(null), last.path("message_id").asText(null)));
                }
            });
            LOG.info("Silence: the last callbacks of {} push domain(s) read from {}", byApp.size(), from);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Silence: {} cannot be read ({}); the push domains are learned again from their callbacks",
                    from, e.toString());
        }
    }
}
