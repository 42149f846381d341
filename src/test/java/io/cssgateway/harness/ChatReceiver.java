package io.cssgateway.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Local stand-ins for the chat tools' incoming webhooks, one path each ({@code /slack}, {@code /teams},
 * {@code /wecom}, {@code /dingtalk}, {@code /feishu}, {@code /json}), on 127.0.0.1. Each checks a request as its
 * tool's documents say (a JSON POST; DingTalk's and Feishu's signatures recomputed from the secret, within the hour
 * they allow) and answers as the tool does (WeCom and DingTalk {"errcode":0}, Feishu {"code":0}, Teams 202, Slack
 * "ok"); a request that fails its check is answered as the tool answers it (an error code) and kept apart. A test
 * can make a path fail ({@link #failNext}) or never answer ({@link #hang}).
 */
public final class ChatReceiver implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, String> secrets;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, List<JsonNode>> taken = new ConcurrentHashMap<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
    private final Map<String, Boolean> hanging = new ConcurrentHashMap<>();

    /** @param secrets the signing secret of /dingtalk and /feishu, when they sign */
    public ChatReceiver(Map<String, String> secrets) throws IOException {
        this.secrets = secrets;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        for (String tool : List.of("slack", "teams", "wecom", "dingtalk", "feishu", "json")) {
            taken.put(tool, new CopyOnWriteArrayList<>());
            server.createContext("/" + tool, exchange -> handle(tool, exchange));
        }
        server.start();
    }

    /** The URL of one tool's stand-in, with the token a real one carries. */
    public String url(String tool) {
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/" + tool;
        return switch (tool) {
            case "dingtalk" -> base + "?access_token=ding-token-" + tool;
            default -> base + "/token-" + tool + "-T0K3N";
        };
    }

    /** The next {@code count} requests to this tool are answered 500. */
    public void failNext(String tool, int count) {
        failures.computeIfAbsent(tool, t -> new AtomicInteger()).set(count);
    }

    /** Requests to this tool are read and never answered (until the server closes). */
    public void hang(String tool) {
        hanging.put(tool, true);
    }

    /** The messages a tool took, their bodies as JSON. */
    public List<JsonNode> taken(String tool) {
        return List.copyOf(taken.get(tool));
    }

    /** How many requests reached a tool, taken or not. */
    public int tries(String tool) {
        return tries.computeIfAbsent(tool, t -> new AtomicInteger()).get();
    }

    /** Requests that failed a check, with why. */
    public List<String> refused() {
        return List.copyOf(refused);
    }

    private void handle(String tool, HttpExchange exchange) throws IOException {
        tries.computeIfAbsent(tool, t -> new AtomicInteger()).incrementAndGet();
        byte[] request = exchange.getRequestBody().readAllBytes();
        if (hanging.getOrDefault(tool, false)) {
            return;
        }
        AtomicInteger failing = failures.get(tool);
        if (failing != null && failing.getAndDecrement() > 0) {
            answer(exchange, 500, "{\"error\":\"try later\"}");
            return;
        }
        String problem = check(tool, exchange, request);
        if (problem != null) {
            refused.add(tool + ": " + problem);
            switch (tool) {
                case "wecom", "dingtalk" -> answer(exchange, 200, "{\"errcode\":310000,\"errmsg\":\"" + problem + "\"}");
                case "feishu" -> answer(exchange, 200, "{\"code\":19021,\"msg\":\"" + problem + "\"}");
                default -> answer(exchange, 400, problem);
            }
            return;
        }
        taken.get(tool).add(json.readTree(request));
        switch (tool) {
            case "wecom", "dingtalk" -> answer(exchange, 200, "{\"errcode\":0,\"errmsg\":\"ok\"}");
            case "feishu" -> answer(exchange, 200, "{\"code\":0,\"msg\":\"success\",\"data\":{}}");
            case "teams" -> answer(exchange, 202, "");
            default -> answer(exchange, 200, "ok");
        }
    }

    /** Why a request is not what the tool takes, or null. */
    private String check(String tool, HttpExchange exchange, byte[] request) {
        if (!exchange.getRequestMethod().equals("POST")) {
            return "not a POST";
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.startsWith("application/json")) {
            return "Content-Type " + type;
        }
        JsonNode body;
        try {
            body = json.readTree(request);
        } catch (IOException e) {
            return "not JSON";
        }
        long now = System.currentTimeMillis();
        if (tool.equals("dingtalk") && secrets.containsKey(tool)) {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String timestamp = query.get("timestamp");
            if (timestamp == null || Math.abs(now - Long.parseLong(timestamp)) > 3_600_000) {
                return "timestamp missing or more than an hour off";
            }
            // sign = urlencode(base64(HmacSHA256(secret, timestamp + "\n" + secret)))
            String expected = hmac(secrets.get(tool), timestamp + "\n" + secrets.get(tool));
            if (!expected.equals(query.get("sign"))) {
                return "sign mismatch";
            }
        }
        if (tool.equals("feishu") && secrets.containsKey(tool)) {
            String timestamp = body.path("timestamp").asText();
            if (timestamp.isEmpty() || Math.abs(now / 1000 - Long.parseLong(timestamp)) > 3600) {
                return "timestamp missing or more than an hour off";
            }
            // sign = base64(HmacSHA256 keyed with timestamp + "\n" + secret, of no data)
            if (!hmac(timestamp + "\n" + secrets.get(tool), "").equals(body.path("sign").asText())) {
                return "sign match fail";
            }
        }
        return null;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new ConcurrentHashMap<>();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            query.put(kv[0], kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return query;
    }

    private static String hmac(String key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Every message a tool took, as the text a person would read in it. */
    public List<String> texts(String tool) {
        List<String> texts = new ArrayList<>();
        for (JsonNode body : taken(tool)) {
            texts.add(switch (tool) {
                case "slack" -> body.path("text").asText();
                case "teams" -> body.path("attachments").path(0).path("content").path("body").toString();
                case "wecom" -> body.path("markdown").path("content").asText();
                case "dingtalk" -> body.path("markdown").path("text").asText();
                case "feishu" -> body.path("content").path("text").asText();
                default -> body.path("title").asText() + "\n" + body.path("text").asText();
            });
        }
        return texts;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
