package io.cssgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cssgateway.harness.RouterServer;
import io.cssgateway.streams.StreamEvent;
import io.cssgateway.streams.StreamKey;
import io.cssgateway.streams.StreamState;
import io.cssgateway.streams.StreamStore;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /api/streams as a client sees it, on a real HTTP server over the local store. */
class StreamsApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");

    @TempDir
    Path dir;

    private RouterServer server;
    private StreamStore store;

    private void serve(String readToken) throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.resolve("streams"));
        store = new StreamStore(h2, "test", "css_gateway_streams", "css.events", 2, Duration.ofSeconds(5));
        server = RouterServer.start(new StreamsApi(store, new ApiAccess(readToken, readToken != null))::mount);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private void online(StreamKey stream, String sequence) throws Exception {
        StreamState.Transition t = store.load(stream).apply(new StreamEvent(stream, true, sequence, "1:" + sequence,
                NOW), false, Instant.EPOCH);
        store.save(t, NOW);
    }

    private HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        return server.send("GET", pathAndQuery, headers);
    }

    private static JsonNode json(HttpResponse<String> answer) throws Exception {
        return JSON.readTree(answer.body());
    }

    @Test
    void theOnlineStreamsComePageByPageWithTheirState() throws Exception {
        serve(null);
        for (int i = 0; i < 5; i++) {
            online(new StreamKey("live.example.com", "live", "s" + i), "q" + i);
        }
        online(new StreamKey("other.example.com", "live", "x"), "q");

        List<String> seen = new ArrayList<>();
        String next = null;
        do {
            HttpResponse<String> page = get("/api/streams?app=live.example.com&limit=2"
                    + (next == null ? "" : "&cursor=" + next));
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode body = json(page);
            body.get("streams").forEach(s -> seen.add(s.get("stream_id").asText()));
            next = body.get("next").isNull() ? null : body.get("next").asText();
        } while (next != null);

        assertThat(seen).containsExactly("s0", "s1", "s2", "s3", "s4");
        JsonNode first = json(get("/api/streams?limit=1")).get("streams").get(0);
        assertThat(first.get("state").asText()).isEqualTo("online");
        assertThat(first.get("open_sequences").get(0).asText()).isEqualTo("q0");
        assertThat(first.get("since").asText()).isEqualTo("2026-12-04T10:00:00.000Z");
        assertThat(first.get("version").asLong()).isEqualTo(1);
    }

    @Test
    void oneStreamIsFoundByItsUrlEncodedNameAndOneNeverSeenIs404() throws Exception {
        serve(null);
        StreamKey odd = new StreamKey("live.example.com", "app/path", "room 1/ä+b");
        online(odd, "100");

        HttpResponse<String> found = get("/api/streams/" + odd.path());
        assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
        JsonNode body = json(found);
        assertThat(body.get("stream_id").asText()).isEqualTo("room 1/ä+b");
        assertThat(body.get("appname").asText()).isEqualTo("app/path");
        assertThat(body.get("last_events").get(0).get("effect").asText()).isEqualTo("opened");
        assertThat(body.get("last_events").get(0).get("message_id").asText()).isEqualTo("1:100");

        HttpResponse<String> missing = get("/api/streams/live.example.com/live/nobody");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).get("message").asText()).contains("live.example.com/live/nobody was never seen");
        assertThat(get("/api/streams/only/two").statusCode()).isEqualTo(404);
    }

    @Test
    void aMalformedParameterIsA400NamingIt() throws Exception {
        serve(null);
        assertThat(json(get("/api/streams?limit=0")).get("message").asText()).startsWith("limit must be");
        assertThat(get("/api/streams?limit=abc").statusCode()).isEqualTo(400);
        assertThat(get("/api/streams?limit=1001").statusCode()).isEqualTo(400);
        HttpResponse<String> cursor = get("/api/streams?cursor=bm90LW91cnM");
        assertThat(cursor.statusCode()).isEqualTo(400);
        assertThat(json(cursor).get("message").asText()).startsWith("cursor 'bm90LW91cnM'");
        HttpResponse<String> unknown = get("/api/streams?stream=x");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).get("message").asText()).startsWith("unknown parameter 'stream'");
    }

    @Test
    void withTheReadTokenRequiredARequestWithoutItIs401AndWithAnotherIs403() throws Exception {
        serve("the-token");
        assertThat(get("/api/streams").statusCode()).isEqualTo(401);
        assertThat(get("/api/streams", "Authorization", "Bearer not-it").statusCode()).isEqualTo(403);
        assertThat(get("/api/streams", "Authorization", "Bearer the-token").statusCode()).isEqualTo(200);
    }
}
