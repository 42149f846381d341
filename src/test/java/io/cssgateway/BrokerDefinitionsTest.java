package io.cssgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.publish.BrokerDefinitions;
import io.cssgateway.support.Settings;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** The broker definitions docs/rabbitmq.md gives are the ones the gateway's configuration makes. */
class BrokerDefinitionsTest {

    private static BrokerDefinitions definitions(Properties overrides) throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getPropertiesComponent().setLocation("file:application.properties");
            camel.getPropertiesComponent().setOverrideProperties(overrides);
            return BrokerDefinitionsCommand.definitions(camel, new Settings(camel));
        }
    }

    @Test
    void theDocumentedDefinitionsAreTheDefaultConfigurationsWithAlertsOn() throws Exception {
        Properties alertsOn = new Properties();
        alertsOn.setProperty("gateway.alert.enabled", "true");
        BrokerDefinitions made = definitions(alertsOn);
        JsonNode documented = new ObjectMapper().readTree(Path.of("docs/rabbitmq-definitions.json").toFile());
        assertThat(made.json()).isEqualTo(documented);
        assertThat(made.verifyPermissions()).containsExactly("^$", "^css\\.events$",
                "^(css\\.events\\.alerts|css\\.events\\.heartbeats|css\\.events\\.streams)$");
    }

    @Test
    void theQueuesAreNamedAfterTheExchangeAndTheBindingsCarryThePrefix() throws Exception {
        Properties house = new Properties();
        house.setProperty("gateway.alert.enabled", "true");
        house.setProperty("gateway.rabbitmq.exchange", "staging.css");
        house.setProperty("gateway.rabbitmq.routing-key-prefix", "live.css.");
        JsonNode json = definitions(house).json();

        assertThat(json.get("queues").findValuesAsText("name")).containsExactly("staging.css.unrouted",
                "staging.css.alerts", "staging.css.heartbeats", "staging.css.streams");
        assertThat(json.get("exchanges").get(0).get("arguments").get("alternate-exchange").asText())
                .isEqualTo("staging.css.unrouted");
        assertThat(json.get("bindings").findValuesAsText("routing_key")).contains("live.css.stream.interrupt.network",
                "live.css.push.error", "live.css.record.error", "live.css.stream.push", "live.css.stream.interrupt.#")
                .doesNotContain("stream.interrupt.network");
    }

    @Test
    void withoutAlertsTheUserReadsOnlyTheStreamQueueAndWithoutTheStreamStateNothing() throws Exception {
        BrokerDefinitions streams = definitions(new Properties());
        assertThat(streams.json().get("queues").findValuesAsText("name")).containsExactly("css.events.unrouted",
                "css.events.streams");
        assertThat(streams.verifyPermissions()).containsExactly("^$", "^css\\.events$", "^(css\\.events\\.streams)$");

        Properties off = new Properties();
        off.setProperty("gateway.streams.enabled", "false");
        BrokerDefinitions made = definitions(off);
        assertThat(made.json().get("queues").findValuesAsText("name")).containsExactly("css.events.unrouted");
        assertThat(made.verifyPermissions()).containsExactly("^$", "^css\\.events$", "^$");
    }
}
