package io.cssgateway.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cssgateway.intake.SignatureVerifier;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;

/**
 * Posts an audited callback to another receiver as the provider would: the body as received (without its sign), with
 * a fresh {@code t} (the signature's expiry, {@code validity} ahead) and {@code sign = md5(key + t)}.
 */
public final class CallbackReposter {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final URI url;
    private final String key;
    private final Duration validity;
    private final Clock clock;

    public CallbackReposter(URI url, String key, Duration validity, Clock clock) {
        this.url = url;
        this.key = key;
        this.validity = validity;
        this.clock = clock;
    }

    /** The receiver's HTTP status; -1 when it could not be reached. */
    public int post(JsonNode auditedBody) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(resigned(auditedBody))).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException unreachable) {
            return -1;
        }
    }

    byte[] resigned(JsonNode auditedBody) throws IOException {
        ObjectNode body = auditedBody.deepCopy();
        long t = clock.instant().plus(validity).getEpochSecond();
        body.put("t", t);
        body.put("sign", SignatureVerifier.sign(key, Long.toString(t)));
        return json.writeValueAsBytes(body);
    }
}
