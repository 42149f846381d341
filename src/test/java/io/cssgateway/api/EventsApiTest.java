package io.cssgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.audit.AuditIndex;
import io.cssgateway.event.EventMessage;
import io.cssgateway.harness.RouterServer;
import io.cssgateway.replay.ReplayedEvents;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /api/events, /api/refusals and /console as a client sees them, on a real HTTP server over a local index. */
class EventsApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private RouterServer server;
    private AuditIndex index;

    private void serve(String token, boolean readTokenRequired, boolean indexOn) throws Exception {
        if (indexOn) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:file:" + dir.resolve("index"));
            index = new AuditIndex(h2, false, "test", "css_gateway_audit", 2, Duration.ofSeconds(5));
            index.add("gw", List.of(new AuditIndex.NewLine(1_796_380_000_000L, "gw", "10.0.0.1", 200, "accepted", null,
                    "1:7", 1, "push", "s<1>", "live.example.com", null, "stream.push", null,
                    "{\"received_at\":\"2026-12-04T10:26:40.000Z\",\"verdict\":\"accepted\",\"body\":{\"x\":1.10}}")),
                    Map.of("audit-2026-12-04.jsonl", new long[] {100, 0}));
        }
        EventsApi events = new EventsApi(index, new ApiAccess(token, readTokenRequired),
                new ReplayedEvents(new EventMessage(List.of())), null, Duration.ofSeconds(1), Clock.systemUTC());
        server = RouterServer.start(router -> {
            events.mount(router);
            new Console().mount(router);
        });
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
            server = null;
        }
        if (index != null) {
            index.close();
        }
    }

    private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        return server.send(method, path, headers);
    }

    private String message(HttpResponse<String> answer) throws Exception {
        return JSON.readTree(answer.body()).path("message").asText();
    }

    @Test
    void eachMalformedParameterIsA400ThatNamesIt() throws Exception {
        serve("t", false, true);
        Map<String, String> wrong = Map.of(
                "/api/events?cursor=abc", "cursor 'abc' is not one this API gave",
                "/api/events?from=2026-12-04", "from must be an ISO-8601 time",
                "/api/events?to=noon", "to must be an ISO-8601 time",
                "/api/events?from=2026-12-04T11:00:00Z&to=2026-12-04T10:00:00Z", "from (2026-12-04T11:00:00Z) must be before to",
                "/api/events?event_type=push", "event_type must be a whole number",
                "/api/events?verdict=ok", "verdict must be accepted, duplicate or rejected",
                "/api/events?routing_key=stream..push", "routing_key 'stream..push' is not a topic pattern",
                "/api/events?limit=0", "limit must be a whole number from 1 to 1000",
                "/api/events?stream=s", "unknown parameter 'stream'",
                "/api/refusals?since=an%20hour", "since must be an ISO-8601 time");
        for (Map.Entry<String, String> each : wrong.entrySet()) {
            HttpResponse<String> answer = send("GET", each.getKey());
            assertThat(answer.statusCode()).as(each.getKey()).isEqualTo(400);
            assertThat(message(answer)).as(each.getKey()).contains(each.getValue());
        }
        JsonNode found = JSON.readTree(send("GET", "/api/events?routing_key=%23.push&from=2026-12-04T18:00:00%2B08:00")
                .body());
        assertThat(found.path("events")).hasSize(1);
        assertThat(found.path("events").get(0).path("stream_id").asText()).isEqualTo("s<1>");
        // the body as audited, decimals as written
        assertThat(send("GET", "/api/events/1:7").body()).contains("\"body\":{\"x\":1.10}");
    }

    @Test
    void aWriteNeedsTheTokenAndAReadOnlyWhenConfigured() throws Exception {
        serve("right", false, true);
        assertThat(send("GET", "/api/events").statusCode()).isEqualTo(200);
        HttpResponse<String> none = send("POST", "/api/events/1:7/replay");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(send("POST", "/api/events/1:7/replay", "Authorization", "Bearer wrong").statusCode()).isEqualTo(403);
        assertThat(send("POST", "/api/events/1:7/replay", "Authorization", "Basic cmlnaHQ=").statusCode()).isEqualTo(401);
        // the right token: past the check (no broker bound in this test: 503 saying so)
        HttpResponse<String> right = send("POST", "/api/events/1:7/replay", "Authorization", "Bearer right");
        assertThat(right.statusCode()).isEqualTo(503);
        assertThat(message(right)).contains("no broker");
        assertThat(send("POST", "/api/events/1:8/replay", "Authorization", "Bearer right").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/api/events/1:7/replay").statusCode()).isEqualTo(405);
        assertThat(send("DELETE", "/api/events").statusCode()).isEqualTo(405);
    }

    @Test
    void readsCanBeClosedAndWritesAreOffWithoutAToken() throws Exception {
        serve("right", true, true);
        assertThat(send("GET", "/api/events").statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/refusals", "Authorization", "Bearer wrong").statusCode()).isEqualTo(403);
        assertThat(send("GET", "/api/refusals", "Authorization", "Bearer right").statusCode()).isEqualTo(200);
        stop();
        index = null;
        serve(null, false, true);
        HttpResponse<String> off = send("POST", "/api/events/1:7/replay", "Authorization", "Bearer anything");
        assertThat(off.statusCode()).isEqualTo(403);
        assertThat(message(off)).contains("writes are off");
    }

    @Test
    void withTheIndexOffTheAnswerSaysSo() throws Exception {
        serve(null, false, false);
        HttpResponse<String> answer = send("GET", "/api/events");
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(message(answer)).contains("gateway.audit.index.enabled=false");
    }

    @Test
    void theConsoleIsServedWithAPolicyThatAllowsNoInlineScript() throws Exception {
        serve(null, false, false);
        for (String file : List.of("/console", "/console/console.js", "/console/console.css")) {
            HttpResponse<String> answer = send("GET", file);
            assertThat(answer.statusCode()).as(file).isEqualTo(200);
            assertThat(answer.headers().firstValue("Content-Security-Policy")).as(file)
                    .hasValue(Console.CONTENT_SECURITY_POLICY);
            assertThat(answer.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        }
        assertThat(Console.CONTENT_SECURITY_POLICY).contains("script-src 'self'").doesNotContain("unsafe");
        String page = send("GET", "/console").body();
        // no inline script, no inline handler, in the page; the script never writes HTML
        assertThat(page).doesNotContainPattern("<script>|<script [^>]*>[^<]").doesNotContainPattern(" on[a-z]+=");
        assertThat(send("GET", "/console/console.js").body()).doesNotContain("innerHTML").doesNotContain("outerHTML")
                .doesNotContain("insertAdjacentHTML").doesNotContain("document.write");
        assertThat(send("GET", "/console/other.js").statusCode()).isEqualTo(404);
    }
}
