package io.cssgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cssgateway.harness.RouteHarness;
import io.cssgateway.harness.RouteTestSupport;
import io.cssgateway.harness.TestCallbacks;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/**
 * The intake's defences in routes/intake.camel.yaml: the source allow-list (403, audited) and the rate limit per
 * source address (429 with Retry-After, audited), through the real route files.
 */
class SourceDefencesRouteTest extends RouteTestSupport {

    private static final int PER_SECOND = 5;

    @Override
    protected Properties configuration() {
        Properties configuration = new Properties();
        configuration.setProperty("gateway.http.allowed-sources", "203.0.113.0/24, 2001:db8::/32, 198.51.100.9");
        configuration.setProperty("gateway.http.rate-limit.enabled", "true");
        configuration.setProperty("gateway.http.rate-limit.per-source", Integer.toString(PER_SECOND));
        return configuration;
    }

    private static String push() {
        return TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(RouteHarness.KEY)
                .asString();
    }

    @Test
    void anAddressOffTheAllowListIs403AndAudited() {
        Exchange answered = routes.postFrom("192.0.2.1:40000", push());

        assertThat(RouteHarness.status(answered)).isEqualTo(403);
        assertThat(RouteHarness.answer(answered))
                .isEqualTo("{\"code\":403,\"message\":\"source address not allowed\"}");
        JsonNode line = routes.lastAuditLine();
        assertThat(line.get("verdict").asText()).isEqualTo("rejected");
        assertThat(line.get("reason").asText()).isEqualTo("source-not-allowed");
        assertThat(line.get("http_status").asInt()).isEqualTo(403);
        assertThat(routes.publishAttempts()).isZero();
    }

    @Test
    void addressesInTheListedBlocksArePublished() {
        for (String source : List.of("203.0.113.200:1234", "[2001:db8:0:1::5]:4321", "198.51.100.9:80")) {
            assertThat(RouteHarness.status(routes.postFrom(source, push()))).as(source).isEqualTo(200);
        }
        assertThat(RouteHarness.status(routes.postFrom("198.51.100.10:80", push()))).isEqualTo(403);
        assertThat(routes.published()).hasSize(3);
    }

    @Test
    void aSourceOverItsRateIs429WithRetryAfterWhileOthersAreServed() {
        List<Integer> fromOne = new ArrayList<>();
        Exchange refused = null;
        for (int i = 0; i < PER_SECOND + 3; i++) {
            Exchange answered = routes.postFrom("203.0.113.50:5000", push());
            fromOne.add(RouteHarness.status(answered));
            if (RouteHarness.status(answered) == 429) {
                refused = answered;
            }
        }
        // another address has a budget of its own
        assertThat(RouteHarness.status(routes.postFrom("203.0.113.51:5000", push()))).isEqualTo(200);

        assertThat(fromOne).filteredOn(status -> status == 200).hasSize(PER_SECOND);
        assertThat(fromOne).filteredOn(status -> status == 429).hasSize(3);
        assertThat(refused.getMessage().getHeader("Retry-After")).isEqualTo("1");
        assertThat(RouteHarness.answer(refused))
                .isEqualTo("{\"code\":429,\"message\":\"too many callbacks from this address, retry later\"}");
        JsonNode line = routes.auditLines().stream().filter(l -> l.get("http_status").asInt() == 429).findFirst()
                .orElseThrow();
        assertThat(line.get("reason").asText()).isEqualTo("rate-limited");
        assertThat(routes.published()).hasSize(PER_SECOND + 1);
    }
}
