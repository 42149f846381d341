package io.cssgateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may use {@code /api}, and how every answer is written. A write (replay, redrive) needs {@code Authorization:
 * Bearer <GATEWAY_API_TOKEN>}: 401 without it, 403 with another token, 403 too while no token is set (writes are
 * then off). A read needs it only with {@code gateway.api.read-token-required=true}. Tokens are compared in constant
 * time. Answers are JSON, never cached, never sniffed as anything else.
 */
public final class ApiAccess {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A page's size when none is asked for, and the largest asked for. */
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    private final byte[] token;
    private final boolean readTokenRequired;

    /** @param token the API token; empty or null when none is set */
    public ApiAccess(String token, boolean readTokenRequired) {
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
        if (readTokenRequired && this.token == null) {
            throw new IllegalStateException("gateway.api.read-token-required=true needs the API token: set "
                    + "GATEWAY_API_TOKEN in the environment");
        }
        this.readTokenRequired = readTokenRequired;
    }

    /** A GET that may read: false when it was answered (another method, or a token missing or wrong). */
    public boolean read(RoutingContext request) {
        return method(request, "GET") && (!readTokenRequired || authorized(request));
    }

    /** A POST that may write: false when it was answered (another method, or a token missing or wrong). */
    public boolean write(RoutingContext request) {
        if (!method(request, "POST")) {
            return false;
        }
        if (token == null) {
            answer(request, 403, error(403, "writes are off: no API token is set on the gateway (GATEWAY_API_TOKEN)"));
            return false;
        }
        return authorized(request);
    }

    private static boolean method(RoutingContext request, String allowed) {
        if (request.request().method().name().equals(allowed)) {
            return true;
        }
        request.response().putHeader("Allow", allowed);
        answer(request, 405, error(405, "only " + allowed + " is answered here"));
        return false;
    }

    private boolean authorized(RoutingContext request) {
        String authorization = request.request().getHeader("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            request.response().putHeader("WWW-Authenticate", "Bearer");
            answer(request, 401, error(401, "this needs Authorization: Bearer <GATEWAY_API_TOKEN>"));
            return false;
        }
        byte[] given = authorization.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token)) {
            answer(request, 403, error(403, "wrong API token"));
            return false;
        }
        return true;
    }

    /** Answers with this status and JSON body. */
    public static void answer(RoutingContext request, int status, JsonNode body) {
        try {
            request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store").putHeader("X-Content-Type-Options", "nosniff")
                    .end(JSON.writeValueAsString(body));
        } catch (Exception e) {
            request.fail(e);
        }
    }

    /** A 400 that names what was wrong with the request. */
    public static void badRequest(RoutingContext request, String message) {
        answer(request, 400, error(400, message));
    }

    /** A 503 with Retry-After: what the answer needs cannot be read now. */
    public static void unavailable(RoutingContext request, String message) {
        request.response().putHeader("Retry-After", "5");
        answer(request, 503, error(503, message));
    }

    /** The body of an answer that is not a success: its code, and a sentence. */
    public static ObjectNode error(int code, String message) {
        return JsonNodeFactory.instance.objectNode().put("code", code).put("message", message);
    }

    /**
     * The page size the request asks for ({@code limit}): absent, the default; else 1 to the maximum. Null when it is
     * neither, and then the request is answered 400.
     */
    public static Integer limit(RoutingContext request) {
        String text = request.queryParams().get("limit");
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.strip());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException notANumber) {
            // answered below
        }
        badRequest(request, "limit must be a whole number from 1 to " + MAX_LIMIT + ", got '" + text + "'");
        return null;
    }
}
