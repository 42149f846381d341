package io.cssgateway.support;

import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes what a bean holds (a file, a folder's lock, a pool of threads) when Camel stops: Camel stops the services
 * added to it, not the beans bound in its registry, and a bean left open would keep its handle across a Karaf
 * bundle restart.
 */
public final class ClosedWithCamel extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ClosedWithCamel.class);

    private final String what;
    private final AutoCloseable resource;

    private ClosedWithCamel(String what, AutoCloseable resource) {
        this.what = what;
        this.resource = resource;
    }

    /** @param what names the resource in the log line of a close that fails */
    public static void register(CamelContext camelContext, String what, AutoCloseable resource) throws Exception {
        camelContext.addService(new ClosedWithCamel(what, resource));
    }

    @Override
    protected void doStop() {
        try {
            resource.close();
        } catch (Exception e) {
            LOG.warn("{} could not be closed as the gateway stopped: {}", what, e.toString());
        }
    }
}
