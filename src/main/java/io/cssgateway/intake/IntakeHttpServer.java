package io.cssgateway.intake;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server the callbacks arrive at, in place of Camel's own ({@code camel.server.enabled=false}), because
 * Camel's creates its Vert.x server with default options, which keep a connection open for ever: this one closes
 * quiet connections (idle timeout), connections that do not deliver a whole request in time, and, beyond a limit,
 * new connections at once ({@link ConnectionGuard}). Everything else is Camel's: platform-http's routes are mounted
 * on its router, registered under the name platform-http looks up for the port, with Vert.x's body handler bounded
 * by the maximum body size; bodies over it are answered 413 and clients that leave mid-body are audited
 * ({@link BodyReadFailures}).
 * <p>
 * The port opens before the routes have started, and stays open while Camel stops: a callback that comes while the
 * gateway is not ready (starting, or stopping) is answered 503 with {@code Retry-After} here, before any route, never
 * 404 (the provider retries a 503). When Camel begins to stop, new callbacks are answered so at once, and Camel
 * waits for those already inside before it stops its routes: each is published or spooled and answered.
 */
public final class IntakeHttpServer extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeHttpServer.class);

    /**
     * @param workerThreads Vert.x worker threads: they run each callback's route up to its publish
     * @param idleTimeout a connection on which nothing moves for this long is closed
     * @param requestTimeout a connection must deliver each whole request within this long
     * @param maxConnections open connections at most (see {@link ConnectionGuard#maxConnections(long)})
     * @param retryAfterSeconds the {@code Retry-After} of a 503 answered while the gateway is not ready
     * @param tls the key store of the intake's certificate, or null for plain HTTP
     */
    public record Options(String host, int port, long maxBodyBytes, int workerThreads, Duration idleTimeout,
            Duration requestTimeout, int maxConnections, int retryAfterSeconds, Tls tls) {}

    /**
     * HTTPS on the intake: the server's certificate and key from a key store (PKCS12 or JKS), so that {@code t} and
     * {@code sign} cannot be read off the wire.
     */
    public record Tls(Path keyStore, String password, String type) {}

    private final CamelContext camelContext;
    private final Options settings;
    private final Handler<RoutingContext> bodyReadFailures;
    private final Counter notReadyAnswers;
    private volatile boolean stopping;
    private Vertx vertx;
    private Router router;
    private HttpServer server;
    private ConnectionGuard guard;

    /**
     * @param notReadyAnswers counts the callbacks answered 503 while the gateway was starting or stopping
     */
    public IntakeHttpServer(CamelContext camelContext, Options settings, String auditEndpoint,
            Counter notReadyAnswers) {
        this.camelContext = camelContext;
        this.settings = settings;
        this.bodyReadFailures = new BodyReadFailures(camelContext, auditEndpoint);
        this.notReadyAnswers = notReadyAnswers;
        camelContext.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext context) {
                refuseNewCallbacks();
            }
        });
    }

    /** Creates the router and registers it for platform-http, whose consumers look it up as routes initialise. */
    @Override
    protected void doInit() {
        vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(settings.workerThreads()));
        guard = new ConnectionGuard(settings.idleTimeout(), settings.requestTimeout(), settings.maxConnections());
        router = Router.router(vertx);
        router.route().handler(guard::track);
        router.route().handler(this::whenReady);
        Router routes = Router.router(vertx);
        // a failure handler on platform-http's own router sees the body handler's failures before they bubble up
        routes.route().failureHandler(bodyReadFailures);
        router.route("/*").subRouter(routes);
        camelContext.getRegistry().bind(VertxPlatformHttpRouter.getRouterNameFromPort(settings.port()),
                new VertxPlatformHttpRouter(null, vertx, routes,
                        VertxPlatformHttpRouter.getRouterNameFromPort(settings.port()),
                        VertxPlatformHttpRouter.SERVER_TYPE_SERVER) {
                    @Override
                    public Handler<RoutingContext> bodyHandler() {
                        // JSON bodies only: no file uploads, no form parsing to disk
                        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes());
                        return request -> {
                            request.request().resume();
                            bodies.handle(request);
                        };
                    }
                });
    }

    @Override
    protected void doStart() throws Exception {
        stopping = false;
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host()).setPort(settings.port())
                // HTTP/1.1 only, as the provider posts: a connection is then an HTTP connection from its first
                // moment, which the guard counts, rather than once its first bytes tell HTTP/1 from HTTP/2
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout((int) settings.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        Tls tls = settings.tls();
        if (tls != null) {
            if (!Files.isReadable(tls.keyStore())) {
                throw new IllegalStateException("gateway.http.tls.key-store " + tls.keyStore() + " cannot be read");
            }
            options.setSsl(true).setKeyCertOptions(new KeyStoreOptions().setType(tls.type())
                    .setPath(tls.keyStore().toString()).setPassword(tls.password()));
        }
        server = vertx.createHttpServer(options).connectionHandler(guard::opened).requestHandler(router);
        vertx.setPeriodic(1000, tick -> guard.sweep());
        server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.info("{} intake listening on {}:{}: connections closed after {} s without traffic or {} s without a "
                + "whole request; at most {} open", tls == null ? "HTTP" : "HTTPS", settings.host(), server.actualPort(),
                settings.idleTimeout().toSeconds(), settings.requestTimeout().toSeconds(), settings.maxConnections());
    }

    @Override
    protected void doStop() throws Exception {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            server = null;
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            vertx = null;
        }
    }

    /** Lets a request on to the routes once Camel has started them all, and until Camel begins to stop; else 503. */
    private void whenReady(RoutingContext request) {
        if (!stopping && camelContext.isStarted()) {
            request.next();
            return;
        }
        notReadyAnswers.increment();
        request.response().setStatusCode(503)
                .putHeader("Retry-After", Integer.toString(settings.retryAfterSeconds()))
                .putHeader("Content-Type", "application/json")
                .end("{\"code\":503,\"message\":\"the gateway is " + (stopping ? "stopping" : "starting")
                        + ", retry later\"}");
    }

    /**
     * Camel is about to stop: new callbacks are answered 503 from now on, before Camel stops its routes, which it does
     * once those already inside have been handed on (published or spooled) and answered (Camel's graceful shutdown,
     * within camel.main.shutdown-timeout).
     */
    private void refuseNewCallbacks() {
        stopping = true;
        LOG.info("Stopping: new callbacks are answered 503 (Retry-After); the {} in flight are answered first",
                camelContext.getInflightRepository().size());
    }

    /** Vert.x worker threads that run the callbacks' routes. */
    public int workerThreads() {
        return settings.workerThreads();
    }

    /** HTTP connections open now. */
    public int openConnections() {
        ConnectionGuard connections = guard;
        return connections == null ? 0 : connections.openConnections();
    }

    /** HTTP connections the gateway closed since the start, for this reason. */
    public long connectionsClosed(ConnectionGuard.Closed reason) {
        ConnectionGuard connections = guard;
        return connections == null ? 0 : connections.closed(reason);
    }
}
