package io.cssgateway.karaf;

import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.main.SimpleMainShutdownStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the gateway inside the container: the same Camel Main as standalone ({@code GatewayMain}), in a thread
 * of its own, with the bundle's class loader. Its keys: {@code karaf.properties} (where Karaf's defaults differ:
 * folders under {@code karaf.etc} and {@code karaf.data}), then application.properties, both in the bundle, and
 * over them the ConfigAdmin configuration, the environment and system properties as standalone.
 */
final class EmbeddedGateway {

    /** how long a stop waits for the callbacks in flight (camel.main.shutdown-timeout) and a little more */
    static final int STOP_TIMEOUT_SECONDS = 40;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedGateway.class);

    private final Main main;
    private final Thread thread;

    private EmbeddedGateway(Main main, Thread thread) {
        this.main = main;
        this.thread = thread;
    }

    static EmbeddedGateway start(Properties configuration, ClassLoader bundleClassLoader) {
        Main main = new Main();
        // no JVM shutdown hook (standalone's hangup support): the container stops the bundle, and each start
        // would otherwise leave one more hook behind
        main.setShutdownStrategy(new SimpleMainShutdownStrategy());
        // the first location that has a key gives its value, as standalone; the configuration goes over both
        main.setPropertyPlaceholderLocations("classpath:karaf.properties,classpath:application.properties");
        main.setOverrideProperties(configuration);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport support) {
                // beans, routes and resources resolve through the bundle, which embeds Camel and the gateway
                support.getCamelContext().setApplicationContextClassLoader(bundleClassLoader);
            }
        });
        Thread thread = new Thread(() -> {
            try {
                main.run();
            } catch (Exception e) {
                LOG.error("The gateway could not start; fix {} and save it to start again: {}",
                        "etc/" + GatewayActivator.PID + ".cfg", e.toString(), e);
            }
        }, "css-callback-gateway-main");
        thread.setContextClassLoader(bundleClassLoader);
        thread.start();
        return new EmbeddedGateway(main, thread);
    }

    /** Stops Camel (callbacks in flight are answered first) and waits for it. */
    void stop() {
        main.completed();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("The gateway's Camel context did not stop within {} s", STOP_TIMEOUT_SECONDS);
        }
    }
}
