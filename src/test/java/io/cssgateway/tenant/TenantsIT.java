package io.cssgateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.Eventually;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.TestCallbacks;
import io.cssgateway.harness.TestTenants;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys bound to push domains in the packaged gateway, standalone, with the real RabbitMQ: two tenants (a with a
 * routing-key prefix, b without), their keys from the environment, none unbound. What the provider sees (the
 * answer), what a consumer gets (routing key, css_tenant), the audit line and the metric; the rotation of a's key
 * across restarts leaving b untouched; a configuration error refused at start with its sentence, no key in the output.
 */
class TenantsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String exchange = "css.events.tenants-" + run;
    private final String unrouted = "css.unrouted.tenants-" + run;

    @AfterEach
    void removeTopology() throws Exception {
        try (BrokerProbe broker = new BrokerProbe()) {
            broker.deleteQueue(unrouted);
            broker.deleteExchange(exchange);
            broker.deleteExchange(unrouted);
        }
    }

    private GatewayProcess start(int port, String keysOfA, String... more) throws Exception {
        List<String> options = new ArrayList<>(List.of("-Dcamel.server.port=" + port,
                "-Dgateway.rabbitmq.exchange=" + exchange, "-Dgateway.rabbitmq.alternate-exchange=" + unrouted,
                "-Dgateway.rabbitmq.unrouted-queue=" + unrouted, "-Dgateway.spool.dir=" + dir.resolve("spool"),
                "-Dgateway.tenants=a,b",
                "-Dgateway.tenant.a.domains=push.a.example.com",
                "-Dgateway.tenant.a.keys={{env:CSS_CALLBACK_KEYS_A:}}",
                "-Dgateway.tenant.a.routing-key-prefix=tenant-a.",
                "-Dgateway.tenant.b.domains=*.b.example.com",
                "-Dgateway.tenant.b.keys={{env:CSS_CALLBACK_KEYS_B:}}"));
        options.addAll(List.of(more));
        Map<String, String> environment = new HashMap<>();
        environment.put("CSS_CALLBACK_KEYS_A", keysOfA);
        environment.put("CSS_CALLBACK_KEYS_B", TestTenants.KEY_B);
        return GatewayProcess.start(dir, environment, options.toArray(String[]::new));
    }

    private static String push(String app, String key) {
        return TestCallbacks.sample("1-push.doc.json").withUniqueSequence().with("app", app).freshlySignedWith(key)
                .asString();
    }

    private static String events(GatewayProcess gateway, String query) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.managementPort()
                    + "/api/events?" + query)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private List<JsonNode> auditLines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("audit"))) {
            for (Path file : files.sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    lines.add(JSON.readTree(line));
                }
            }
        }
        return lines;
    }

    private JsonNode auditLineOf(String body) throws Exception {
        String sequence = JSON.readTree(body).get("sequence").asText();
        return auditLines().stream().filter(l -> sequence.equals(l.path("sequence").asText())).reduce((x, y) -> y)
                .orElseThrow();
    }

    @Test
    void eachTenantsCallbacksAreValidWithItsOwnKeyAndPublishedUnderItsPrefix() throws Exception {
        int port = GatewayProcess.freePort();
        try (BrokerProbe broker = new BrokerProbe(); GatewayProcess gateway = start(port, TestTenants.KEY_A)) {
            gateway.awaitStarted();
            String ofA = broker.bindQueue(exchange, "tenant-a.stream.#");
            String ofB = broker.bindQueue(exchange, "stream.#");

            String forged = push("push.a.example.com", TestTenants.KEY_B);
            HttpResponse<String> refused = gateway.post(port, forged);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).isEqualTo("{\"code\":401,\"message\":\"invalid signature\"}");
            JsonNode refusal = auditLineOf(forged);
            assertThat(refusal.get("reason").asText()).isEqualTo("key-of-another-tenant");
            assertThat(refusal.get("tenant").asText()).isEqualTo("a");

            String ofDomainA = push("push.a.example.com", TestTenants.KEY_A);
            assertThat(gateway.post(port, ofDomainA).statusCode()).isEqualTo(200);
            GetResponse message = broker.next(ofA, Duration.ofSeconds(5));
            assertThat(message).isNotNull();
            assertThat(message.getEnvelope().getRoutingKey()).isEqualTo("tenant-a.stream.push");
            assertThat(message.getProps().getHeaders().get("css_tenant")).hasToString("a");
            assertThat(auditLineOf(ofDomainA).get("tenant").asText()).isEqualTo("a");

            assertThat(gateway.post(port, push("live.b.example.com", TestTenants.KEY_B)).statusCode()).isEqualTo(200);
            GetResponse ofTenantB = broker.next(ofB, Duration.ofSeconds(5));
            assertThat(ofTenantB.getEnvelope().getRoutingKey()).isEqualTo("stream.push");
            assertThat(ofTenantB.getProps().getHeaders().get("css_tenant")).hasToString("b");
            // nothing of a's under b's keys, nothing refused published
            assertThat(broker.next(ofB, Duration.ofMillis(300))).isNull();
            assertThat(broker.next(ofA, Duration.ofMillis(300))).isNull();

            // every key is bound: a domain no tenant owns has none
            HttpResponse<String> unbound = gateway.post(port, push("push.c.example.org", TestTenants.KEY_A));
            assertThat(unbound.statusCode()).isEqualTo(401);
            assertThat(unbound.body()).contains("no key for push domain push.c.example.org");

            assertThat(gateway.metric("css_gateway_requests_total{reason=\"key-of-another-tenant\",tenant=\"a\","
                    + "verdict=\"rejected\"}")).isEqualTo(1.0);
            assertThat(gateway.metric("css_gateway_events_total{event_type=\"1\",routing_key=\"tenant-a.stream.push\","
                    + "tenant=\"a\"}")).isEqualTo(1.0);
            assertThat(gateway.output()).doesNotContain(TestTenants.KEY_A).doesNotContain(TestTenants.KEY_B)
                    .contains("Tenant a: domains [push.a.example.com], appids [], 1 key(s), routing keys tenant-a.*");

            // the events API (and the console) select a tenant's lines, its refusals with them
            Eventually.holds(() -> {
                String events = events(gateway, "tenant=a");
                return events.contains("\"reason\":\"key-of-another-tenant\"")
                        && events.contains("\"routing_key\":\"tenant-a.stream.push\"");
            }, "tenant a's lines in the events API");
            JsonNode ofTenantA = JSON.readTree(events(gateway, "tenant=a")).get("events");
            assertThat(ofTenantA).hasSize(2).allSatisfy(entry -> assertThat(entry.get("tenant").asText()).isEqualTo("a"));
        }
    }

    @Test
    void rotatingOneTenantsKeyLeavesTheOtherUntouched() throws Exception {
        int port = GatewayProcess.freePort();
        // both keys of a while the template's key is changed at the provider
        try (GatewayProcess gateway = start(port, TestTenants.KEY_A + "," + TestTenants.KEY_A2)) {
            gateway.awaitStarted();
            assertThat(gateway.post(port, push("push.a.example.com", TestTenants.KEY_A)).statusCode()).isEqualTo(200);
            assertThat(gateway.post(port, push("push.a.example.com", TestTenants.KEY_A2)).statusCode()).isEqualTo(200);
            assertThat(gateway.post(port, push("x.b.example.com", TestTenants.KEY_B)).statusCode()).isEqualTo(200);
        }
        // the old key removed
        try (GatewayProcess gateway = start(port, TestTenants.KEY_A2)) {
            gateway.awaitStarted();
            String old = push("push.a.example.com", TestTenants.KEY_A);
            assertThat(gateway.post(port, old).statusCode()).isEqualTo(401);
            assertThat(auditLineOf(old).get("reason").asText()).isEqualTo("bad-signature");
            assertThat(gateway.post(port, push("push.a.example.com", TestTenants.KEY_A2)).statusCode()).isEqualTo(200);
            assertThat(gateway.post(port, push("x.b.example.com", TestTenants.KEY_B)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aConfigurationErrorStopsTheStartWithItsSentence() throws Exception {
        int port = GatewayProcess.freePort();
        try (GatewayProcess bound = start(port, TestTenants.KEY_A, "-Dgateway.tenant.b.domains=push.a.example.com")) {
            assertThat(bound.awaitExit()).isNotZero();
            assertThat(bound.output()).contains("Push domain push.a.example.com is bound to two tenants, a and b")
                    .doesNotContain(TestTenants.KEY_A).doesNotContain(TestTenants.KEY_B);
        }
        // the variable of a's keys not set
        try (GatewayProcess keyless = start(port, "")) {
            assertThat(keyless.awaitExit()).isNotZero();
            assertThat(keyless.output()).contains("Tenant a has no key, so none of its callbacks could be verified");
        }
    }
}
