package io.cssgateway.harness;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real HTTP server on 127.0.0.1 around a Vert.x router the test mounts its handlers on, as the management server
 * mounts the API: the API as a client sees it, without a gateway.
 */
public final class RouterServer implements AutoCloseable {

    private final HttpClient http = HttpClient.newHttpClient();
    private final Vertx vertx;
    private final int port;

    private RouterServer(Vertx vertx, int port) {
        this.vertx = vertx;
        this.port = port;
    }

    public static RouterServer start(Consumer<Router> mount) throws Exception {
        Vertx vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        mount.accept(router);
        int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        return new RouterServer(vertx, port);
    }

    /** A request without a body; {@code headers} as name, value, name, value. */
    public HttpResponse<String> send(String method, String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
