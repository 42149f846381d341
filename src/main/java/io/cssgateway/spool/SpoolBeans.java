package io.cssgateway.spool;

import io.cssgateway.support.ClosedWithCamel;
import io.cssgateway.support.Settings;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;

/**
 * The spool of routes/spool.camel.yaml and of publish-event's fallback ({@code spool}, in {@code gateway.spool.dir}),
 * and the threads that write it ({@code spoolWriters}, {@code gateway.spool.threads}).
 */
public final class SpoolBeans {

    private SpoolBeans() {}

    public static Spool bind(CamelContext camelContext, Settings settings) throws Exception {
        Registry registry = camelContext.getRegistry();
        Spool spool = new Spool(Path.of(settings.text("gateway.spool.dir")));
        // the spool folder's lock is let go when Camel stops
        ClosedWithCamel.register(camelContext, "the spool folder", spool::close);
        registry.bind("spool", spool);
        // the gateway's threads, so that a reload of the route file does not shut them down under the events in
        // flight; when all are busy, the caller writes
        int threads = (int) settings.positive("gateway.spool.threads");
        registry.bind("spoolWriters", camelContext.getExecutorServiceManager().newThreadPool(SpoolBeans.class,
                "spool", new ThreadPoolProfileBuilder("spool").poolSize(threads).maxPoolSize(threads)
                        .maxQueueSize(1000).rejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns).build()));
        return spool;
    }
}
