package io.cssgateway.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The operator console, {@code /console} on the management port: one page, its script and its style, from this
 * bundle's {@code console/} folder, no build step. It shows only what the API answers. Served with a
 * Content-Security-Policy that allows no inline script, no other origin and no framing: whatever a callback's fields
 * hold, the page writes it as text (the script never builds HTML from data), and a script slipped in could not run.
 */
public final class Console {

    /** The policy of every file of the console. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    private record File(Buffer content, String type) {}

    private final Map<String, File> files = Map.of(
            "/console", new File(read("index.html"), "text/html; charset=utf-8"),
            "/console/", new File(read("index.html"), "text/html; charset=utf-8"),
            "/console/console.js", new File(read("console.js"), "text/javascript; charset=utf-8"),
            "/console/console.css", new File(read("console.css"), "text/css; charset=utf-8"));

    public void mount(Router router) {
        router.get("/console").handler(this::serve);
        router.get("/console/*").handler(this::serve);
    }

    private void serve(RoutingContext request) {
        File file = files.get(request.request().path());
        if (file == null) {
            request.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("not a file of the console");
            return;
        }
        request.response().putHeader("Content-Type", file.type())
                .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Content-Type-Options", "nosniff").putHeader("Referrer-Policy", "no-referrer")
                .putHeader("X-Frame-Options", "DENY").putHeader("Cache-Control", "no-cache")
                .end(file.content());
    }

    private static Buffer read(String name) {
        try (InputStream in = Console.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console/" + name + " is missing from the gateway's jar");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
