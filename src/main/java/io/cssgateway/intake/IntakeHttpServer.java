package io.cssgateway.intake;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
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
 */
public final class IntakeHttpServer extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeHttpServer.class);

    /**
     * @param workerThreads Vert.x worker threads: they run each callback's route up to its publish
     * @param idleTimeout a connection on which nothing moves for this long is closed
     * @param requestTimeout a connection must deliver each whole request within this long
     * @param maxConnections open connections at most (see {@link ConnectionGuard#maxConnections(long)})
     */
    public record Settings(String host, int port, long maxBodyBytes, int workerThreads, Duration idleTimeout,
            Duration requestTimeout, int maxConnections) {}

    private final CamelContext camelContext;
    private final Settings settings;
    private final Handler<RoutingContext> bodyReadFailures;
    private Vertx vertx;
    private Router router;
    private HttpServer server;
    private ConnectionGuard guard;

    public IntakeHttpServer(CamelContext camelContext, Settings settings, String auditEndpoint) {
        this.camelContext = camelContext;
        this.settings = settings;
        this.bodyReadFailures = new BodyReadFailures(camelContext, auditEndpoint);
    }

    /** Creates the router and registers it for platform-http, whose consumers look it up as routes initialise. */
    @Override
    protected void doInit() {
        vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(settings.workerThreads()));
        guard = new ConnectionGuard(settings.requestTimeout(), settings.maxConnections());
        router = Router.router(vertx);
        router.route().handler(guard::track);
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
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host()).setPort(settings.port())
                // HTTP/1.1 only, as the provider posts: a connection is then an HTTP connection from its first
                // moment, which the guard counts, rather than once its first bytes tell HTTP/1 from HTTP/2
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout((int) settings.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        server = vertx.createHttpServer(options).connectionHandler(guard::opened).requestHandler(router);
        vertx.setPeriodic(1000, tick -> guard.sweep());
        server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.info("HTTP intake listening on {}:{}: connections closed after {} s without traffic or {} s without a "
                + "whole request; at most {} open", settings.host(), server.actualPort(),
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

    /** Vert.x worker threads that run the callbacks' routes. */
    public int workerThreads() {
        return settings.workerThreads();
    }

    /** What the connection limits did so far. */
    ConnectionGuard connections() {
        return guard;
    }
}
