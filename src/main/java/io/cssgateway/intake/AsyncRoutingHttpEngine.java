package io.cssgateway.intake;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.ext.web.RoutingContext;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpSupport;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's Vert.x platform-http engine, except that a route runs asynchronously: Camel's consumer runs each
 * request on a Vert.x worker thread that stays blocked until the route ends, so a route that waits for
 * RabbitMQ's publisher confirm parks one thread per callback in flight. Here the worker thread starts the route
 * and is free as soon as the route waits (the publish step is asynchronous); when the route ends, in whichever
 * thread ends it, the answer is written on the request's event loop, as Camel's consumer writes it. Measured in
 * bench/: the parked threads cost more CPU than the publish.
 * <p>
 * Everything else is Camel's: the router, body handling, the request's headers and body in the exchange,
 * and the answer built from the exchange (status, headers, body) by Camel's own response writer. Left out, as
 * the gateway takes JSON only (RequestGuard refuses other types with 415): Camel's parsing of form and
 * multipart bodies into headers, and its HTTP proxy mode.
 * Bound as {@code platform-http-engine}, which platform-http looks up before its default engine.
 */
public final class AsyncRoutingHttpEngine extends VertxPlatformHttpEngine {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncRoutingHttpEngine.class);

    /** Camel's writer of the answer from the exchange, package-private in its class: found once, at start. */
    private static final MethodHandle WRITE_RESPONSE = writeResponse();

    private final int port;

    /** @param port the intake's port, whose router ({@link IntakeHttpServer}) the consumers use */
    public AsyncRoutingHttpEngine(int port) {
        this.port = port;
    }

    @Override
    public int getServerPort() {
        return port;
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        return new Consumer(endpoint, processor, getHandlers(),
                VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()));
    }

    private static MethodHandle writeResponse() {
        try {
            Method method = VertxPlatformHttpSupport.class.getDeclaredMethod("writeResponse", RoutingContext.class,
                    Exchange.class, HeaderFilterStrategy.class, boolean.class);
            method.setAccessible(true);
            return MethodHandles.lookup().unreflect(method)
                    .asType(MethodType.methodType(Future.class, RoutingContext.class, Exchange.class,
                            HeaderFilterStrategy.class, boolean.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("This Camel version's platform-http-vertx has no "
                    + "VertxPlatformHttpSupport.writeResponse(RoutingContext, Exchange, HeaderFilterStrategy, boolean); "
                    + "AsyncRoutingHttpEngine needs it", e);
        }
    }

    /** Camel's consumer with its request handling made asynchronous. */
    static final class Consumer extends VertxPlatformHttpConsumer {

        Consumer(PlatformHttpEndpoint endpoint, Processor processor,
                List<Handler<RoutingContext>> handlers, String routerName) {
            super(endpoint, processor, handlers, routerName);
        }

        @Override
        protected void handleRequest(RoutingContext ctx) {
            if (isSuspended()) {
                ctx.response().setStatusCode(503);
                ctx.end();
                return;
            }
            Context context = Vertx.currentContext();
            Exchange exchange = createExchange(false);
            exchange.setPattern(ExchangePattern.InOut);
            processHttpRequest(exchange, ctx).onComplete(read -> {
                if (read.failed()) {
                    fail(exchange, ctx, read.cause());
                    return;
                }
                ctx.vertx().executeBlocking(() -> {
                    createUoW(exchange);
                    // the answer goes out on the request's event loop, as Camel's consumer does it
                    getAsyncProcessor().process(exchange, doneSync -> context.runOnContext(v -> answer(exchange, ctx)));
                    return null;
                }, false).onFailure(failure -> fail(exchange, ctx, failure));
            });
        }

        @SuppressWarnings("unchecked")
        private void answer(Exchange exchange, RoutingContext ctx) {
            Future<Void> written;
            try {
                written = (Future<Void>) WRITE_RESPONSE.invokeExact(ctx, exchange,
                        getEndpoint().getHeaderFilterStrategy(), getEndpoint().isMuteException());
            } catch (Throwable e) {
                fail(exchange, ctx, e);
                return;
            }
            written.onComplete(result -> {
                if (result.succeeded()) {
                    done(exchange);
                } else {
                    fail(exchange, ctx, result.cause());
                }
            });
        }

        private void fail(Exchange exchange, RoutingContext ctx, Throwable failure) {
            if (failure instanceof HttpClosedException || ctx.response().closed()) {
                // the client left before its answer: an ordinary network event, at a rate an outsider chooses
                LOG.debug("Client {} closed its connection before its answer", ctx.request().remoteAddress());
            } else {
                getExceptionHandler().handleException(
                        "Failed handling platform-http endpoint " + getEndpoint().getPath(), failure);
                ctx.fail(failure);
            }
            done(exchange);
        }

        private void done(Exchange exchange) {
            doneUoW(exchange);
            releaseExchange(exchange, false);
        }
    }
}
