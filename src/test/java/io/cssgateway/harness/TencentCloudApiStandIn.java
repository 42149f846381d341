package io.cssgateway.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A local stand-in for the provider's live-stream API (live.tencentcloudapi.com), for DescribeLiveStreamOnlineList
 * only: it checks each request as the provider documents it (POST, JSON, X-TC-Action / X-TC-Version /
 * X-TC-Timestamp, and the TC3-HMAC-SHA256 signature recomputed from the account's key), answers
 * {@code AuthFailure.SignatureFailure} to a wrong one, and otherwise the online streams it was given, paged as the
 * request's PageNum and PageSize ask, in the documented response format. It can throttle
 * ({@code RequestLimitExceeded}) or fail ({@code InternalError}) the next requests.
 */
public final class TencentCloudApiStandIn implements AutoCloseable {

    /** An online stream as the API lists it. */
    public record Online(String domain, String app, String stream) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final HttpServer server;
    private final String secretId;
    private final String secretKey;
    private final List<Online> online = new CopyOnWriteArrayList<>();
    private final AtomicInteger throttleNext = new AtomicInteger();
    private volatile boolean failing;
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private final AtomicInteger answered = new AtomicInteger();

    public TencentCloudApiStandIn(String secretId, String secretKey) throws IOException {
        this.secretId = secretId;
        this.secretKey = secretKey;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** What the provider lists online from now on. */
    public void online(Online... streams) {
        online.clear();
        online.addAll(List.of(streams));
    }

    /** The next {@code times} requests are answered RequestLimitExceeded. */
    public void throttle(int times) {
        throttleNext.set(times);
    }

    /** Every request is answered InternalError while true. */
    public void failing(boolean failing) {
        this.failing = failing;
    }

    /** The requests that did not pass the documented checks, with why. */
    public List<String> refusals() {
        return List.copyOf(refusals);
    }

    /** Pages answered with streams. */
    public int pagesAnswered() {
        return answered.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String problem = problem(exchange, body);
        ObjectNode response = JSON.createObjectNode();
        ObjectNode inner = response.putObject("Response");
        inner.put("RequestId", "standin-" + System.nanoTime());
        if (problem != null) {
            refusals.add(problem);
            error(inner, "AuthFailure.SignatureFailure", problem);
        } else if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            error(inner, "RequestLimitExceeded", "The number of requests exceeds the frequency limit.");
        } else if (failing) {
            error(inner, "InternalError", "Internal error.");
        } else {
            JsonNode request = JSON.readTree(body);
            int page = request.path("PageNum").asInt(1);
            int size = request.path("PageSize").asInt(10);
            int pages = Math.max(1, (online.size() + size - 1) / size);
            inner.put("TotalNum", online.size()).put("TotalPage", pages).put("PageNum", page).put("PageSize", size);
            ArrayNode list = inner.putArray("OnlineInfo");
            for (Online stream : online.subList(Math.min(online.size(), (page - 1) * size),
                    Math.min(online.size(), page * size))) {
                ObjectNode info = list.addObject().put("StreamName", stream.stream()).put("AppName", stream.app())
                        .put("DomainName", stream.domain());
                info.putArray("PublishTimeList").addObject().put("PublishTime", "2026-12-04T10:00:00Z");
            }
            answered.incrementAndGet();
        }
        byte[] bytes = response.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static void error(ObjectNode inner, String code, String message) {
        inner.putObject("Error").put("Code", code).put("Message", message);
    }

    /** What is wrong with the request, by the provider's documents; null when nothing. */
    private String problem(HttpExchange exchange, String body) {
        var headers = exchange.getRequestHeaders();
        if (!exchange.getRequestMethod().equals("POST")) {
            return "method " + exchange.getRequestMethod();
        }
        if (!"DescribeLiveStreamOnlineList".equals(headers.getFirst("X-TC-Action"))
                || !"2018-08-01".equals(headers.getFirst("X-TC-Version"))) {
            return "action/version " + headers.getFirst("X-TC-Action") + "/" + headers.getFirst("X-TC-Version");
        }
        String contentType = headers.getFirst("Content-Type");
        String host = headers.getFirst("Host");
        String timestamp = headers.getFirst("X-TC-Timestamp");
        String authorization = headers.getFirst("Authorization");
        if (contentType == null || host == null || timestamp == null || authorization == null) {
            return "a header is missing";
        }
        long seconds = Long.parseLong(timestamp);
        if (Math.abs(Instant.now().getEpochSecond() - seconds) > 300) {
            return "timestamp out of range";
        }
        String day = DAY.format(Instant.ofEpochSecond(seconds));
        String scope = day + "/live/tc3_request";
        String canonical = String.join("\n", "POST", "/", "",
                "content-type:" + contentType + "\nhost:" + host + "\nx-tc-action:describelivestreamonlinelist\n",
                "content-type;host;x-tc-action", sha256(body));
        String toSign = String.join("\n", "TC3-HMAC-SHA256", timestamp, scope, sha256(canonical));
        byte[] key = hmac(hmac(hmac(("TC3" + secretKey).getBytes(StandardCharsets.UTF_8), day), "live"),
                "tc3_request");
        String expected = "TC3-HMAC-SHA256 Credential=" + secretId + "/" + scope
                + ", SignedHeaders=content-type;host;x-tc-action, Signature=" + HexFormat.of().formatHex(hmac(key, toSign));
        return expected.equals(authorization) ? null : "signature: got " + authorization;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
