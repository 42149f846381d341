package io.cssgateway.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.harness.RouteHarness;
import io.cssgateway.harness.RouteTestSupport;
import io.cssgateway.harness.TestCallbacks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** A type the provider ships next year: one line added to a copy of the event-type table, no build. */
class AddedEventTypeRouteTest extends RouteTestSupport {

    @Override
    protected Properties configuration() throws Exception {
        Path table = Files.createTempFile("event-types", ".txt");
        Files.writeString(table, Files.readString(Path.of("src/main/resources/event-types.txt"))
                + "777 | stream-monitor | monitor.stream | task_id | no\n");
        Properties configuration = new Properties();
        configuration.setProperty("gateway.classify.event-types", "file:" + table);
        configuration.setProperty("gateway.signature.unsigned-event-types", "777");
        return configuration;
    }

    @Test
    void theAddedTypeIsRoutedNamedAndIdentifiedByTheTable() throws Exception {
        String task = "t" + TestCallbacks.uniqueSequence();
        String monitor = "{\"event_type\":777,\"task_id\":\"" + task + "\",\"stream_id\":\"s1\",\"domain\":\"d\"}";

        assertThat(RouteHarness.status(routes.post(monitor))).isEqualTo(200);
        assertThat(RouteHarness.status(routes.post(monitor))).isEqualTo(200);

        assertThat(routes.published()).hasSize(1);
        OutgoingEvent event = routes.published().get(0);
        assertThat(event.routingKey()).isEqualTo("monitor.stream");
        assertThat(event.messageId()).isEqualTo("777:" + task);
        assertThat(new ObjectMapper().readTree(event.body()).get("event").asText()).isEqualTo("stream-monitor");
        assertThat(routes.lastAuditLine().get("verdict").asText()).isEqualTo("duplicate");
    }
}
