package io.cssgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.EventFamily;
import io.cssgateway.harness.GatewayTestSupport;
import io.cssgateway.harness.TestCallbacks;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Every sample of the CSS event family through the whole gateway to the real RabbitMQ. */
class EventFamilyEndToEndIT extends GatewayTestSupport {

    @Override
    protected Properties moreProperties() {
        Properties properties = new Properties();
        properties.setProperty("gateway.signature.unsigned-event-types", EventFamily.UNSIGNED);
        return properties;
    }

    @Test
    void everySampleArrivesOnceUnderItsRoutingKeyAndItsRetryIsADuplicate() throws Exception {
        String queue = broker.bindQueue(exchange, "#");
        Map<String, String> expected = new HashMap<>();
        for (String file : TestCallbacks.samples()) {
            TestCallbacks callback = EventFamily.prepared(file, KEY);
            assertThat(post(callback.asString()).statusCode()).as(file).isEqualTo(200);
            assertThat(post(callback.asString()).statusCode()).as(file + ", retried").isEqualTo(200);
            int type = callback.json().get("event_type").asInt();
            expected.put(file, EventFamily.FAMILY.get(type).get(0));
        }

        List<GetResponse> arrived = broker.drain(queue, Duration.ofSeconds(2));

        assertThat(arrived).hasSize(expected.size());
        assertThat(arrived).extracting(m -> m.getProps().getMessageId()).doesNotHaveDuplicates();
        for (GetResponse message : arrived) {
            JsonNode body = json.readTree(message.getBody());
            List<String> family = EventFamily.FAMILY.get(body.get("event_type").asInt());
            assertThat(message.getEnvelope().getRoutingKey()).startsWith(family.get(0));
            assertThat(body.get("event").asText()).isEqualTo(family.get(1));
            assertThat(message.getProps().getHeaders()).containsKey("css_signed");
        }
    }
}
