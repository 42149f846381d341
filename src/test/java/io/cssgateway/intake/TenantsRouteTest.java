package io.cssgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.harness.RouteHarness;
import io.cssgateway.harness.RouteTestSupport;
import io.cssgateway.harness.TestCallbacks;
import io.cssgateway.harness.TestTenants;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/**
 * Keys bound to push domains, through the real route files: every key bound (no flat list), tenant a with a
 * routing-key prefix, an allow-list and a rate limit of its own; what a client sees (the answer), what RabbitMQ
 * gets (routing key, css_tenant) and the audit line.
 */
class TenantsRouteTest extends RouteTestSupport {

    private static final int A_PER_SECOND = 4;

    @Override
    protected Properties configuration() {
        Properties configuration = TestTenants.configuration();
        // every key bound: no unbound key signs for any domain
        configuration.setProperty("gateway.signature.keys", "");
        configuration.setProperty("gateway.tenant.a.routing-key-prefix", "tenant-a.");
        configuration.setProperty("gateway.tenant.a.allowed-sources", "203.0.113.0/24");
        configuration.setProperty("gateway.tenant.a.rate-limit", Integer.toString(A_PER_SECOND));
        return configuration;
    }

    private static String push(String app, String key) {
        return TestCallbacks.sample("1-push.doc.json").withUniqueSequence().with("app", app).freshlySignedWith(key)
                .asString();
    }

    @Test
    void aCallbackSignedWithItsTenantsKeyIsPublishedUnderItsPrefixWithCssTenant() {
        Exchange answered = routes.postFrom("203.0.113.5:4000", push("push.a.example.com", TestTenants.KEY_A));

        assertThat(RouteHarness.status(answered)).isEqualTo(200);
        OutgoingEvent event = routes.published().get(0);
        assertThat(event.routingKey()).isEqualTo("tenant-a.stream.push");
        assertThat(event.headers()).containsEntry("css_tenant", "a").containsEntry("css_app", "push.a.example.com");
        JsonNode line = routes.lastAuditLine();
        assertThat(line.get("tenant").asText()).isEqualTo("a");
        assertThat(line.get("routing_key").asText()).isEqualTo("tenant-a.stream.push");

        // tenant b has no prefix; an interruption of its domain keeps its own key
        Exchange other = routes.postFrom("198.51.100.7:4000", TestCallbacks.sample("0-interrupt.doc.json")
                .withUniqueSequence().with("app", "live.b.example.net").freshlySignedWith(TestTenants.KEY_B).asString());
        assertThat(RouteHarness.status(other)).isEqualTo(200);
        assertThat(routes.published().get(1).routingKey()).startsWith("stream.interrupt.");
        assertThat(routes.published().get(1).headers()).containsEntry("css_tenant", "b");
    }

    @Test
    void aCallbackForOneTenantSignedWithAnothersKeyIs401AndAuditedWithItsReason() {
        Exchange answered = routes.postFrom("203.0.113.5:4000", push("push.a.example.com", TestTenants.KEY_B));

        assertThat(RouteHarness.status(answered)).isEqualTo(401);
        // the answer is any bad signature's: nothing tells of tenant b
        assertThat(RouteHarness.answer(answered)).isEqualTo("{\"code\":401,\"message\":\"invalid signature\"}");
        JsonNode line = routes.lastAuditLine();
        assertThat(line.get("verdict").asText()).isEqualTo("rejected");
        assertThat(line.get("reason").asText()).isEqualTo("key-of-another-tenant");
        assertThat(line.get("tenant").asText()).isEqualTo("a");
        assertThat(line.toString()).doesNotContain(TestTenants.KEY_A).doesNotContain(TestTenants.KEY_B);
        assertThat(routes.publishAttempts()).isZero();
    }

    @Test
    void aDomainNoKeyIsBoundToIs401NamingIt() {
        Exchange answered = routes.post(push("push.other.example.org", TestTenants.KEY_A));

        assertThat(RouteHarness.status(answered)).isEqualTo(401);
        assertThat(RouteHarness.answer(answered))
                .isEqualTo("{\"code\":401,\"message\":\"no key for push domain push.other.example.org\"}");
        JsonNode line = routes.lastAuditLine();
        assertThat(line.get("reason").asText()).isEqualTo("no-key-for-domain");
        assertThat(line.get("tenant").isNull()).isTrue();
        assertThat(routes.publishAttempts()).isZero();
    }

    @Test
    void aTenantsAllowListRefusesOtherAddressesForItsDomainsOnly() {
        Exchange refused = routes.postFrom("198.51.100.7:4000", push("push.a.example.com", TestTenants.KEY_A));

        assertThat(RouteHarness.status(refused)).isEqualTo(403);
        assertThat(RouteHarness.answer(refused)).isEqualTo("{\"code\":403,\"message\":\"source address not allowed\"}");
        assertThat(routes.lastAuditLine().get("reason").asText()).isEqualTo("source-not-allowed");
        assertThat(routes.lastAuditLine().get("tenant").asText()).isEqualTo("a");
        // tenant b has no list of its own
        assertThat(RouteHarness.status(routes.postFrom("198.51.100.7:4000", push("c.example.com", TestTenants.KEY_B))))
                .isEqualTo(200);
    }

    @Test
    void aTenantsRateLimitCountsItsDomainsFromEverySourceAndLeavesOthersAlone() throws InterruptedException {
        // the other tests' callbacks for tenant a (one harness for the class) leave its budget after a second
        Thread.sleep(1100);
        List<Integer> statuses = new ArrayList<>();
        Exchange refused = null;
        for (int i = 0; i < A_PER_SECOND + 2; i++) {
            // from several addresses of its list: the limit is the tenant's, not an address's
            Exchange answered = routes.postFrom("203.0.113." + (10 + i) + ":4000",
                    push("x.a.example.com", TestTenants.KEY_A));
            statuses.add(RouteHarness.status(answered));
            if (RouteHarness.status(answered) == 429) {
                refused = answered;
            }
        }
        assertThat(RouteHarness.status(routes.post(push("c.example.com", TestTenants.KEY_B)))).isEqualTo(200);

        assertThat(statuses).filteredOn(s -> s == 200).hasSize(A_PER_SECOND);
        assertThat(statuses).filteredOn(s -> s == 429).hasSize(2);
        assertThat(refused.getMessage().getHeader("Retry-After")).isEqualTo("1");
        assertThat(RouteHarness.answer(refused))
                .isEqualTo("{\"code\":429,\"message\":\"too many callbacks for this push domain, retry later\"}");
        JsonNode line = routes.auditLines().stream().filter(l -> l.get("http_status").asInt() == 429).findFirst()
                .orElseThrow();
        assertThat(line.get("reason").asText()).isEqualTo("tenant-rate-limited");
        assertThat(line.get("tenant").asText()).isEqualTo("a");
    }

    @Test
    void forgedCallbacksDoNotUseUpATenantsBudget() throws InterruptedException {
        Thread.sleep(1100);
        for (int i = 0; i < A_PER_SECOND * 3; i++) {
            assertThat(RouteHarness.status(routes.postFrom("203.0.113.9:4000",
                    push("x.a.example.com", "Forged00000000000001")))).isEqualTo(401);
        }
        assertThat(RouteHarness.status(routes.postFrom("203.0.113.9:4000",
                push("x.a.example.com", TestTenants.KEY_A)))).isEqualTo(200);
    }
}
