package io.cssgateway.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.harness.RouteHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * routes/streams.camel.yaml's track-stream-state, on the real route files with RabbitMQ advised out: the events the
 * stream queue would deliver go in, the state messages the broker confirmed come out (mock:broker), the state is in
 * the local store.
 */
class StreamsRouteTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    private RouteHarness streamRoutes(String routingKeyPrefix) throws Exception {
        Properties configuration = new Properties();
        configuration.setProperty("gateway.streams.enabled", "true");
        // each event committed at once, so that the store says what the test just sent
        configuration.setProperty("gateway.streams.batch-size", "1");
        configuration.setProperty("gateway.streams.retry-delay-ms", "20");
        configuration.setProperty("gateway.streams.max-retry-delay-ms", "40");
        configuration.setProperty("gateway.rabbitmq.routing-key-prefix", routingKeyPrefix);
        return new RouteHarness(data, configuration, List.of("streams.camel.yaml"))
                .advise("track-stream-state", route -> route.replaceFromWith("direct:track-stream-state"))
                .start();
    }

    /** A push (1) or interruption (0) as it is published, and so as the stream queue delivers it. */
    private static void deliver(RouteHarness routes, int eventType, String stream, String sequence, long eventTime) {
        String body = "{\"event_type\":" + eventType + ",\"app\":\"live.example.com\",\"appname\":\"live\","
                + "\"stream_id\":\"" + stream + "\",\"sequence\":\"" + sequence + "\",\"event_time\":" + eventTime
                + ",\"event\":\"" + (eventType == 1 ? "push" : "interrupt") + "\"}";
        routes.send("direct:track-stream-state", body.getBytes(StandardCharsets.UTF_8),
                Map.of("CamelSpringRabbitmqMessageId", eventType + ":" + sequence));
    }

    private static JsonNode body(OutgoingEvent event) throws IOException {
        return JSON.readTree(event.body());
    }

    @Test
    void aPushAndItsInterruptionPublishOnlineThenOfflineWithGrowingVersions() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        try (RouteHarness routes = streamRoutes("")) {
            deliver(routes, 1, "s1", "100", now);
            deliver(routes, 1, "s1", "100", now);
            deliver(routes, 0, "s1", "100", now + 60);

            List<OutgoingEvent> published = routes.published();
            assertThat(published).extracting(OutgoingEvent::routingKey)
                    .containsExactly("stream.state.online", "stream.state.offline");
            assertThat(published).extracting(OutgoingEvent::messageId).containsExactly(
                    "stream-state:live.example.com/live/s1:1", "stream-state:live.example.com/live/s1:2");
            JsonNode online = body(published.get(0));
            assertThat(online.get("state").asText()).isEqualTo("online");
            assertThat(online.get("version").asLong()).isEqualTo(1);
            assertThat(online.get("open_sequences").get(0).asText()).isEqualTo("100");
            assertThat(online.get("app").asText()).isEqualTo("live.example.com");
            assertThat(online.get("appname").asText()).isEqualTo("live");
            assertThat(online.get("stream_id").asText()).isEqualTo("s1");
            assertThat(online.get("cause").get("message_id").asText()).isEqualTo("1:100");
            assertThat(online.get("cause").get("event_type").asInt()).isEqualTo(1);
            JsonNode offline = body(published.get(1));
            assertThat(offline.get("open_sequences")).isEmpty();
            assertThat(offline.get("cause").get("sequence").asText()).isEqualTo("100");
            assertThat(published.get(1).headers()).containsEntry("css_state", "offline").containsEntry("css_version", 2L)
                    .containsEntry("css_stream_id", "s1").containsEntry("css_app", "live.example.com");
        }
    }

    @Test
    void outOfOrderStandbyAndReplayedEventsPublishOnlyRealChanges() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        try (RouteHarness routes = streamRoutes("live.css.")) {
            // the interruption of 100 before its push; then a new push 200; its standby 300
            deliver(routes, 0, "s2", "100", now + 60);
            deliver(routes, 1, "s2", "100", now);
            deliver(routes, 1, "s2", "200", now + 61);
            deliver(routes, 1, "s2", "300", now + 62);
            deliver(routes, 0, "s2", "300", now + 90);
            // a replay of everything so far
            deliver(routes, 0, "s2", "100", now + 60);
            deliver(routes, 1, "s2", "100", now);
            deliver(routes, 1, "s2", "200", now + 61);

            assertThat(routes.published()).extracting(OutgoingEvent::routingKey)
                    .containsExactly("live.css.stream.state.online");
            assertThat(onlineStreams(routes).streams()).singleElement().satisfies(state -> {
                assertThat(state.stream().streamId()).isEqualTo("s2");
                assertThat(state.openSequences()).containsExactly("200");
            });
        }
    }

    @Test
    void theStateOutlivesARestartBetweenAPushAndItsInterruption() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        try (RouteHarness routes = streamRoutes("")) {
            deliver(routes, 1, "s3", "100", now);
        }
        try (RouteHarness routes = streamRoutes("")) {
            deliver(routes, 0, "s3", "100", now + 60);

            assertThat(routes.published()).singleElement().satisfies(event -> {
                assertThat(event.routingKey()).isEqualTo("stream.state.offline");
                assertThat(event.messageId()).isEqualTo("stream-state:live.example.com/live/s3:2");
            });
        }
    }

    @Test
    void aChangeTheBrokerDoesNotConfirmIsTriedAgainAndSavedOnlyOncePublished() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        try (RouteHarness routes = streamRoutes("")) {
            AtomicInteger tries = new AtomicInteger();
            routes.brokerDoes(exchange -> {
                if (tries.incrementAndGet() <= 3) {
                    throw new IOException("nack");
                }
            });
            deliver(routes, 1, "s4", "100", now);

            assertThat(tries.get()).isEqualTo(4);
            assertThat(routes.published()).extracting(OutgoingEvent::messageId)
                    .containsExactly("stream-state:live.example.com/live/s4:1");
            assertThat(onlineStreams(routes).streams()).extracting(s -> s.version()).containsExactly(1L);
        }
    }

    @Test
    void aMessageThatIsNoTrackablePushOrInterruptionChangesNothingAndLeavesTheQueue() throws Exception {
        try (RouteHarness routes = streamRoutes("")) {
            routes.send("direct:track-stream-state", "not json".getBytes(StandardCharsets.UTF_8), Map.of());
            routes.send("direct:track-stream-state", "{\"event_type\":1,\"stream_id\":\"s\"}"
                    .getBytes(StandardCharsets.UTF_8), Map.of());

            assertThat(routes.published()).isEmpty();
            assertThat(routes.bean("streamStates", StreamStates.class).untrackable()).isEqualTo(2);
        }
    }

    private static StreamStore.Page onlineStreams(RouteHarness routes) throws Exception {
        return routes.bean("streamStore", StreamStore.class).online(null, null, null, 100);
    }
}
