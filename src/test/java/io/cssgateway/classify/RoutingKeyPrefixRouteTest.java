package io.cssgateway.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.harness.RouteHarness;
import io.cssgateway.harness.RouteTestSupport;
import io.cssgateway.harness.TestCallbacks;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** gateway.rabbitmq.routing-key-prefix: every published routing key in the site's topic scheme, the audit line's too. */
class RoutingKeyPrefixRouteTest extends RouteTestSupport {

    @Override
    protected Properties configuration() {
        Properties configuration = new Properties();
        configuration.setProperty("gateway.rabbitmq.routing-key-prefix", "live.css.");
        return configuration;
    }

    @Test
    void everyRoutingKeyCarriesThePrefix() {
        routes.post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(RouteHarness.KEY)
                .asString());
        routes.post(TestCallbacks.sample("0-interrupt.doc.json").withUniqueSequence().with("errcode", 12)
                .freshlySignedWith(RouteHarness.KEY).asString());
        routes.post(TestCallbacks.sample("1-push.doc.json").withUniqueSequence().with("event_type", 9999)
                .freshlySignedWith(RouteHarness.KEY).asString());

        assertThat(routes.published()).extracting(e -> e.routingKey())
                .containsExactly("live.css.stream.push", "live.css.stream.interrupt.network", "live.css.unknown.9999");
        assertThat(routes.lastAuditLine().get("routing_key").asText()).isEqualTo("live.css.unknown.9999");
    }
}
