package io.cssgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.GetResponse;
import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.SharedDatabase;
import io.cssgateway.harness.TcpProxy;
import io.cssgateway.harness.TestCallbacks;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The events API across two packaged gateways that share PostgreSQL (de-duplication and audit index), with real
 * traffic on the real RabbitMQ: an event accepted by one and its retry a duplicate on the other, a refusal, an event
 * spooled while RabbitMQ was cut off from one of them, an event no binding takes; each instance answers for both.
 */
class EventsApiIT {

    private static final String KEY = "api-key-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String exchange = "css.events.api-" + run;
    private final String token = "api-token-" + run;
    private final String seenTable = SharedDatabase.uniqueTable("seen_api");
    private final String indexTable = SharedDatabase.uniqueTable("audit_api");
    private final List<GatewayProcess> gateways = new ArrayList<>();
    private BrokerProbe broker;
    private TcpProxy proxy;

    @AfterEach
    void cleanUp() throws Exception {
        for (GatewayProcess gateway : gateways) {
            gateway.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (broker != null) {
            broker.deleteGatewayTopology(exchange);
            broker.deleteQueues();
            broker.close();
        }
        SharedDatabase.drop(seenTable);
        SharedDatabase.dropAuditIndex(indexTable);
    }

    private GatewayProcess gateway(String name, int port, String rabbitmq) throws Exception {
        Path home = Files.createDirectories(dir.resolve(name));
        GatewayProcess gateway = GatewayProcess.start(home, Map.of("CSS_CALLBACK_KEYS", KEY, "GATEWAY_API_TOKEN", token),
                "-Dcamel.server.port=" + port, "-Dgateway.instance=" + name,
                "-Dgateway.spool.dir=" + home.resolve("spool"), "-Dgateway.rabbitmq.exchange=" + exchange,
                "-Dgateway.rabbitmq.addresses=" + rabbitmq, "-Dgateway.rabbitmq.confirm-timeout-ms=1000",
                "-Dgateway.rabbitmq.watch-interval-ms=1000",
                "-Dgateway.dedup.store=jdbc", "-Dgateway.dedup.jdbc.url=" + SharedDatabase.URL,
                "-Dgateway.dedup.jdbc.username=" + SharedDatabase.USER, "-Dgateway.dedup.jdbc.table=" + seenTable,
                "-Dgateway.audit.index.table=" + indexTable, "-Dgateway.audit.index.interval-ms=200");
        gateways.add(gateway);
        return gateway.awaitStarted();
    }

    private HttpResponse<String> get(GatewayProcess gateway, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.managementPort() + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(GatewayProcess gateway, String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + gateway.managementPort() + path)).POST(HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(GatewayProcess gateway, String path) throws Exception {
        HttpResponse<String> answer = get(gateway, path);
        assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    /** The answer to {@code path} once {@code holds} (the index lags the files by a pass), 20 s at most. */
    private JsonNode jsonOnce(GatewayProcess gateway, String path, Predicate<JsonNode> holds) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        JsonNode answer = json(gateway, path);
        while (!holds.test(answer) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            answer = json(gateway, path);
        }
        assertThat(holds).as(path + " answered " + answer).accepts(answer);
        return answer;
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void eitherInstanceAnswersForBothAndReplaysAnEventOnlyWithTheToken() throws Exception {
        broker = new BrokerProbe();
        proxy = new TcpProxy(5672);
        int portA = GatewayProcess.freePort();
        int portB = GatewayProcess.freePort();
        GatewayProcess a = gateway("api-a", portA, "127.0.0.1:" + proxy.port());
        GatewayProcess b = gateway("api-b", portB, "127.0.0.1:5672");
        String pushes = broker.bindQueue(exchange, "stream.push");

        // accepted by A; its retry on B a duplicate; a refusal on B
        String stream = "api-" + run;
        TestCallbacks push = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().with("stream_id", stream)
                .freshlySignedWith(KEY);
        String eventId = "1:" + push.text("sequence");
        assertThat(a.post(portA, push.asString()).statusCode()).isEqualTo(200);
        assertThat(b.post(portB, push.asString()).statusCode()).isEqualTo(200);
        assertThat(b.post(portB, TestCallbacks.sample("1-push.doc.json").withUniqueSequence().with("stream_id", stream)
                .signedWith("not-the-key").asString()).statusCode()).isEqualTo(401);
        // the same body signed with another key (a forged copy, a rotated key): refused, and one of its identity's lines
        assertThat(a.post(portA, push.signedWith("not-the-key").asString()).statusCode()).isEqualTo(401);
        assertThat(broker.next(pushes, Duration.ofSeconds(10)).getProps().getMessageId()).isEqualTo(eventId);

        // RabbitMQ cut off from A: its next event is spooled, and B's API tells
        proxy.cut();
        TestCallbacks spooled = TestCallbacks.sample("1-push.doc.json").withUniqueSequence().with("stream_id",
                stream + "-spooled").freshlySignedWith(KEY);
        assertThat(a.post(portA, spooled.asString()).statusCode()).isEqualTo(200);
        JsonNode spool = jsonOnce(b, "/api/spool", answer -> answer.path("depth").asLong() == 1);
        JsonNode ofA = instance(spool, "api-a");
        assertThat(ofA.path("spool").path("by_event_type").path("1").asInt()).isEqualTo(1);
        assertThat(ofA.path("rabbitmq").path("up").asBoolean()).isFalse();
        assertThat(instance(spool, "api-b").path("rabbitmq").path("up").asBoolean()).isTrue();
        proxy.restore();
        assertThat(broker.next(pushes, Duration.ofSeconds(20)).getProps().getMessageId())
                .isEqualTo("1:" + spooled.text("sequence"));
        jsonOnce(b, "/api/spool", answer -> answer.path("depth").asLong() == 0);

        // B lists A's lines and its own, newest first, each with its instance
        JsonNode events = jsonOnce(b, "/api/events?stream_id=" + query(stream), answer -> answer.path("events").size() == 4);
        assertThat(events.path("events")).extracting(e -> e.path("verdict").asText() + " " + e.path("instance").asText())
                .containsExactly("rejected api-a", "rejected api-b", "duplicate api-b", "accepted api-a");
        JsonNode refused = events.path("events").get(1);
        assertThat(refused.path("reason").asText()).isEqualTo("bad-signature");
        assertThat(refused.path("http_status").asInt()).isEqualTo(401);
        assertThat(refused.path("remote_addr").asText()).isEqualTo("127.0.0.1");
        JsonNode accepted = events.path("events").get(3);
        assertThat(accepted.path("routing_key").asText()).isEqualTo("stream.push");
        assertThat(accepted.path("event_id").asText()).isEqualTo(eventId);
        assertThat(accepted.has("body")).isFalse();
        // the spooled event too, with its own stream; by verdict and routing key; paged
        assertThat(jsonOnce(a, "/api/events?stream_id=" + query(stream + "-spooled"),
                answer -> answer.path("events").size() == 1).path("events").get(0).path("instance").asText())
                .isEqualTo("api-a");
        assertThat(json(a, "/api/events?verdict=duplicate&routing_key=" + query("#")).path("events")).isEmpty();
        assertThat(json(a, "/api/events?verdict=rejected&reason=bad-signature").path("events")).hasSize(2);
        JsonNode firstPage = json(a, "/api/events?limit=2");
        assertThat(firstPage.path("events")).hasSize(2);
        JsonNode secondPage = json(a, "/api/events?limit=2&cursor=" + firstPage.path("next").asText());
        assertThat(secondPage.path("events")).hasSize(2);
        assertThat(secondPage.path("events").get(0).path("received_at").asText())
                .isLessThanOrEqualTo(firstPage.path("events").get(1).path("received_at").asText());

        // one identity: its acceptance, its duplicate and the refusal of its body, each with the body as audited (no sign)
        JsonNode lines = json(a, "/api/events/" + query(eventId)).path("lines");
        assertThat(lines).extracting(line -> line.path("verdict").asText() + " " + line.path("reason").asText(""))
                .containsExactly("accepted ", "duplicate ", "rejected bad-signature");
        assertThat(lines.get(0).path("body").path("stream_id").asText()).isEqualTo(stream);
        assertThat(lines.get(0).path("body").has("sign")).isFalse();
        assertThat(get(a, "/api/events/1:never-seen").statusCode()).isEqualTo(404);

        // refusals by reason and by source
        JsonNode refusals = json(b, "/api/refusals");
        assertThat(refusals.path("by_reason").path("bad-signature").asLong()).isEqualTo(2);
        assertThat(refusals.path("by_source").path("127.0.0.1").asLong()).isEqualTo(2);

        // replay: not without the token, not with another; with it, the event again on RabbitMQ, marked replayed
        assertThat(post(b, "/api/events/" + query(eventId) + "/replay", null).statusCode()).isEqualTo(401);
        assertThat(post(b, "/api/events/" + query(eventId) + "/replay", "wrong").statusCode()).isEqualTo(403);
        assertThat(broker.drain(pushes, Duration.ofMillis(500))).isEmpty();
        HttpResponse<String> replayed = post(b, "/api/events/" + query(eventId) + "/replay", token);
        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
        assertThat(JSON.readTree(replayed.body()).path("confirmed").asBoolean()).isTrue();
        GetResponse again = broker.next(pushes, Duration.ofSeconds(10));
        assertThat(again.getProps().getMessageId()).isEqualTo(eventId);
        assertThat(again.getEnvelope().getRoutingKey()).isEqualTo("stream.push");
        assertThat(again.getProps().getHeaders()).containsEntry("css_replayed", true);
        assertThat(JSON.readTree(again.getBody()).path("stream_id").asText()).isEqualTo(stream);
        // a refused event was never published: nothing to replay
        assertThat(post(b, "/api/events/" + query(refused.path("event_id").asText()) + "/replay", token).statusCode())
                .isEqualTo(404);

        // malformed inputs: a 400 that names the parameter
        assertThat(get(a, "/api/events?cursor=not-ours").body()).contains("cursor 'not-ours'");
        assertThat(get(a, "/api/events?from=yesterday").body()).contains("from must be an ISO-8601 time");
        assertThat(get(a, "/api/events?routing_key=stream..push").statusCode()).isEqualTo(400);
        assertThat(get(a, "/api/events?verdict=maybe").body()).contains("verdict must be");
        assertThat(get(a, "/api/refusals?since=1h").statusCode()).isEqualTo(400);
    }

    @Test
    void theUnroutedQueueIsShownInPlaceAndRedrivenWithTheToken() throws Exception {
        broker = new BrokerProbe();
        int port = GatewayProcess.freePort();
        GatewayProcess gateway = gateway("api-c", port, "127.0.0.1:5672");
        broker.bindQueue(exchange, "stream.push");
        // a recording no binding takes: parked on the unrouted queue
        TestCallbacks record = TestCallbacks.sample("100-record-file.doc-2022.json").freshlySignedWith(KEY);
        assertThat(gateway.post(port, record.asString()).statusCode()).isEqualTo(200);
        JsonNode unrouted = jsonOnce(gateway, "/api/unrouted", answer -> answer.path("count").asLong() == 1);
        assertThat(unrouted.path("queue").asText()).isEqualTo(exchange + ".unrouted");
        JsonNode parked = unrouted.path("messages").get(0);
        assertThat(parked.path("routing_key").asText()).startsWith("record.");
        assertThat(parked.path("event_type").asText()).isEqualTo("100");
        // shown, not taken: still there; limit=0 counts without taking any (not even to give it back)
        JsonNode counted = json(gateway, "/api/unrouted?limit=0");
        assertThat(counted.path("count").asLong()).isEqualTo(1);
        assertThat(counted.path("messages")).isEmpty();
        assertThat(json(gateway, "/api/unrouted").path("count").asLong()).isEqualTo(1);

        assertThat(post(gateway, "/api/unrouted/redrive", null).statusCode()).isEqualTo(401);
        String records = broker.bindQueue(exchange, "record.#");
        HttpResponse<String> moved = post(gateway, "/api/unrouted/redrive", token);
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        assertThat(JSON.readTree(moved.body()).path("moved").asLong()).isEqualTo(1);
        GetResponse message = broker.next(records, Duration.ofSeconds(10));
        assertThat(message.getProps().getMessageId()).isEqualTo(parked.path("message_id").asText());
        assertThat(message.getProps().getHeaders()).containsEntry("css_replayed", true);
        assertThat(json(gateway, "/api/unrouted").path("count").asLong()).isZero();
    }

    private static JsonNode instance(JsonNode spool, String name) {
        for (JsonNode each : spool.path("instances")) {
            if (each.path("instance").asText().equals(name)) {
                return each;
            }
        }
        throw new AssertionError(name + " is not in " + spool);
    }
}
