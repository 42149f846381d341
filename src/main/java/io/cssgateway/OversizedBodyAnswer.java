package io.cssgateway;

import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.apache.camel.spi.CamelEvent;

/**
 * Answers 413 to a body over {@code camel.server.max-body-size}, which the HTTP server refuses before any route
 * runs (from its Content-Length, or as soon as a chunked body passes the bound), and sends the request to the
 * audit route like every other. Installed on the platform-http router once Camel has started.
 */
public final class OversizedBodyAnswer extends SimpleEventNotifierSupport {

    static final String BODY = "{\"code\":413,\"message\":\"body too large\"}";

    private final CamelContext camelContext;
    private final int port;
    private final String auditEndpoint;
    private ProducerTemplate producer;

    /** @param port the platform-http server's port ({@code camel.server.port}), whose router gets the answer */
    public OversizedBodyAnswer(CamelContext camelContext, int port, String auditEndpoint) {
        this.camelContext = camelContext;
        this.port = port;
        this.auditEndpoint = auditEndpoint;
        setIgnoreCamelContextEvents(false);
        // only the start matters: with the rest ignored, Camel makes no event per exchange and step for it
        setIgnoreExchangeEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreCamelContextInitEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStartedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        producer = camelContext.createProducerTemplate();
        // platform-http's router is mounted under the server's own: a failure handler on its routes sees the
        // body handler's 413 before it bubbles up (an error handler on this router would never be called)
        VertxPlatformHttpRouter.lookup(camelContext, VertxPlatformHttpRouter.getRouterNameFromPort(port))
                .route().failureHandler(request -> {
                    if (request.statusCode() == 413) {
                        answer(request);
                    } else {
                        request.next();
                    }
                });
    }

    private void answer(RoutingContext request) {
        Exchange exchange = new DefaultExchange(camelContext);
        SocketAddress remote = request.request().remoteAddress();
        exchange.setProperty("remoteAddress", remote == null ? null : remote.hostAddress());
        exchange.setProperty("httpStatus", 413);
        exchange.setProperty("verdict", "rejected");
        exchange.setProperty("reason", "too-large");
        producer.send(auditEndpoint, exchange);
        request.response().setStatusCode(413).putHeader("Content-Type", "application/json").end(BODY);
    }
}
