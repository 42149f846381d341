package io.cssgateway.intake;

import io.cssgateway.support.ExchangeProperties;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests that end while their body is read, before any route runs, each sent to the audit route like every
 * other request: a body over the limit (the HTTP server refuses it from its Content-Length, or as soon as a chunked
 * body passes the bound) is answered 413; a client that closes its connection in the middle of its body gets no
 * answer, and is an ordinary network event (logged at DEBUG, never an ERROR that an outsider could raise at will).
 * A failure handler of the intake's router.
 */
final class BodyReadFailures implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(BodyReadFailures.class);
    static final String TOO_LARGE = "{\"code\":413,\"message\":\"body too large\"}";

    private final CamelContext camelContext;
    private final String auditEndpoint;
    private volatile ProducerTemplate producer;

    BodyReadFailures(CamelContext camelContext, String auditEndpoint) {
        this.camelContext = camelContext;
        this.auditEndpoint = auditEndpoint;
    }

    @Override
    public void handle(RoutingContext request) {
        if (request.statusCode() == 413) {
            audit(request, 413, "too-large");
            request.response().setStatusCode(413).putHeader("Content-Type", "application/json").end(TOO_LARGE);
        } else if (request.failure() instanceof HttpClosedException || request.response().closed()) {
            LOG.debug("Client {} closed its connection before its request was read", remote(request));
            audit(request, null, "client-closed");
        } else {
            request.next();
        }
    }

    private void audit(RoutingContext request, Integer status, String reason) {
        Exchange exchange = new DefaultExchange(camelContext);
        exchange.setProperty(ExchangeProperties.REMOTE_ADDRESS, remote(request));
        exchange.setProperty(ExchangeProperties.HTTP_STATUS, status);
        exchange.setProperty(ExchangeProperties.VERDICT, "rejected");
        exchange.setProperty(ExchangeProperties.REASON, reason);
        producer().send(auditEndpoint, exchange);
    }

    private ProducerTemplate producer() {
        if (producer == null) {
            producer = camelContext.createProducerTemplate();
        }
        return producer;
    }

    private static String remote(RoutingContext request) {
        SocketAddress remote = request.request().remoteAddress();
        return remote == null ? null : remote.hostAddress();
    }
}
