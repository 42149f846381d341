package io.cssgateway.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.harness.RouteHarness;
import io.cssgateway.harness.TencentCloudApiStandIn;
import io.cssgateway.harness.TencentCloudApiStandIn.Online;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconciliation with the provider's list of online streams (gateway.streams.reconcile.*), on the real route files
 * with RabbitMQ advised out and the provider's API a local stand-in that checks each request's signature as the
 * provider documents it.
 */
class StreamsReconcileRouteTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET_ID = "AKIDstandin";
    private static final String SECRET_KEY = "stand-in-secret-key";

    @TempDir
    Path data;

    private TencentCloudApiStandIn provider;
    private RouteHarness routes;

    @BeforeEach
    void start() throws Exception {
        provider = new TencentCloudApiStandIn(SECRET_ID, SECRET_KEY);
        Properties configuration = new Properties();
        configuration.setProperty("gateway.streams.enabled", "true");
        // each event committed at once, so that the store says what the test just sent
        configuration.setProperty("gateway.streams.batch-size", "1");
        configuration.setProperty("gateway.streams.reconcile.enabled", "true");
        configuration.setProperty("gateway.streams.reconcile.endpoint", provider.endpoint());
        configuration.setProperty("gateway.streams.reconcile.secret-id", SECRET_ID);
        configuration.setProperty("gateway.streams.reconcile.secret-key", SECRET_KEY);
        configuration.setProperty("gateway.streams.reconcile.grace-seconds", "1");
        configuration.setProperty("gateway.streams.reconcile.interval-ms", "200");
        configuration.setProperty("gateway.streams.reconcile.page-size", "2");
        configuration.setProperty("gateway.streams.reconcile.throttled-pause-ms", "50");
        routes = new RouteHarness(data, configuration, List.of("streams.camel.yaml"))
                .advise("track-stream-state", route -> route.replaceFromWith("direct:track-stream-state"))
                .start();
    }

    @AfterEach
    void stop() {
        routes.close();
        provider.close();
    }

    private void push(String stream, String sequence) {
        String body = "{\"event_type\":1,\"app\":\"live.example.com\",\"appname\":\"live\",\"stream_id\":\"" + stream
                + "\",\"sequence\":\"" + sequence + "\",\"event_time\":" + System.currentTimeMillis() / 1000 + "}";
        routes.send("direct:track-stream-state", body.getBytes(StandardCharsets.UTF_8),
                Map.of("CamelSpringRabbitmqMessageId", "1:" + sequence));
    }

    /** A tick as the stream queue delivers it, once half an interval has passed since the last one. */
    private void tick() throws InterruptedException {
        Thread.sleep(150);
        routes.send("direct:track-stream-state", "{}".getBytes(StandardCharsets.UTF_8),
                Map.of("CamelSpringRabbitmqRoutingKey", "stream.reconcile"));
    }

    private List<OutgoingEvent> stateMessages() {
        return routes.published().stream().filter(e -> e.routingKey().startsWith("stream.state.")).toList();
    }

    private StreamState state(String stream) throws Exception {
        return routes.bean("streamStore", StreamStore.class).find(new StreamKey("live.example.com", "live", stream));
    }

    @Test
    void aStreamTheProviderAndTheStateDisagreeAboutForTheGracePeriodIsCorrected() throws Exception {
        push("left-online", "1");
        // the provider lists three streams (two pages of two): one the state has never seen go online
        provider.online(new Online("live.example.com", "live", "missed-push"),
                new Online("live.example.com", "live", "other-a"), new Online("live.example.com", "live", "other-b"));
        push("other-a", "2");
        push("other-b", "3");
        assertThat(stateMessages()).hasSize(3);

        tick();
        assertThat(stateMessages()).as("not within the grace period").hasSize(3);
        Thread.sleep(1100);
        tick();

        List<OutgoingEvent> corrections = stateMessages().subList(3, stateMessages().size());
        assertThat(corrections).extracting(OutgoingEvent::routingKey)
                .containsExactlyInAnyOrder("stream.state.offline", "stream.state.online");
        for (OutgoingEvent correction : corrections) {
            JsonNode body = JSON.readTree(correction.body());
            assertThat(body.get("cause").get("event").asText()).isEqualTo("reconciled");
            assertThat(body.get("cause").get("event_type").isNull()).isTrue();
        }
        assertThat(state("left-online").online()).isFalse();
        assertThat(state("left-online").version()).isEqualTo(2);
        assertThat(state("missed-push").online()).isTrue();
        assertThat(state("missed-push").openSequences()).singleElement().asString().startsWith("reconciled:");
        assertThat(state("missed-push").lastEvents().get(0).effect()).isEqualTo("reconciled-online");
        assertThat(provider.refusals()).as("every request signed as documented").isEmpty();
        assertThat(provider.pagesAnswered()).isEqualTo(4);

        // the late interruption of the sequence closed by the correction changes nothing
        routes.send("direct:track-stream-state", ("{\"event_type\":0,\"app\":\"live.example.com\",\"appname\":\"live\","
                + "\"stream_id\":\"left-online\",\"sequence\":\"1\",\"event_time\":" + System.currentTimeMillis() / 1000
                + "}").getBytes(StandardCharsets.UTF_8), Map.of("CamelSpringRabbitmqMessageId", "0:1"));
        assertThat(stateMessages()).hasSize(5);
    }

    @Test
    void aProviderThatFailsOrThrottlesPastItsTriesNeverChangesAState() throws Exception {
        push("live-1", "1");
        provider.online();
        provider.failing(true);
        tick();
        Thread.sleep(1100);
        tick();
        assertThat(state("live-1").online()).isTrue();

        provider.failing(false);
        provider.throttle(10);
        tick();
        assertThat(state("live-1").online()).isTrue();
        assertThat(stateMessages()).hasSize(1);
    }

    @Test
    void aThrottledCallIsTriedAgainAndTheCorrectionFollows() throws Exception {
        push("live-2", "1");
        provider.online();
        tick();
        Thread.sleep(1100);
        provider.throttle(1);
        tick();

        assertThat(state("live-2").online()).isFalse();
        assertThat(stateMessages()).extracting(OutgoingEvent::routingKey)
                .containsExactly("stream.state.online", "stream.state.offline");
    }
}
