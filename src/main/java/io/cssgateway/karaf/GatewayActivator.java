package io.cssgateway.karaf;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ManagedService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundle's activator: runs the gateway ({@link EmbeddedGateway}) with the configuration of the ConfigAdmin PID
 * {@value #PID} ({@code etc/io.cssgateway.cfg}: the keys of application.properties), and runs it anew when that
 * configuration changes. On its first start it puts the gateway's route files into
 * {@code etc/css-callback-gateway/routes/}, where they are edited as standalone's {@code routes/}.
 */
public final class GatewayActivator implements BundleActivator, ManagedService {

    public static final String PID = "io.cssgateway";
    /** what ConfigAdmin and Karaf's file installer add to a configuration: not the gateway's keys */
    private static final Set<String> CONTAINER_KEYS = Set.of(Constants.SERVICE_PID, "service.bundleLocation",
            "felix.fileinstall.filename", "service.factoryPid");

    private static final Logger LOG = LoggerFactory.getLogger(GatewayActivator.class);

    /**
     * starts and stops the gateway one after the other, never in ConfigAdmin's thread; its thread ends when idle
     */
    private final ThreadPoolExecutor lifecycle = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), task -> {
                Thread thread = new Thread(task, "css-callback-gateway-lifecycle");
                thread.setDaemon(true);
                return thread;
            });
    private ServiceRegistration<ManagedService> registration;
    private EmbeddedGateway running;
    private ClassLoader bundleClassLoader;

    @Override
    public void start(BundleContext context) throws IOException {
        lifecycle.allowCoreThreadTimeOut(true);
        bundleClassLoader = GatewayActivator.class.getClassLoader();
        installRoutes(context, Path.of(System.getProperty("karaf.etc", "etc"), "css-callback-gateway", "routes"));
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(Constants.SERVICE_PID, PID);
        // ConfigAdmin calls updated() with the configuration, or with null when there is none
        registration = context.registerService(ManagedService.class, this, properties);
    }

    @Override
    public void updated(Dictionary<String, ?> configuration) {
        Properties settings = settings(configuration);
        lifecycle.execute(() -> {
            stopRunning();
            running = EmbeddedGateway.start(settings, bundleClassLoader);
        });
    }

    @Override
    public void stop(BundleContext context) throws InterruptedException {
        if (registration != null) {
            registration.unregister();
        }
        lifecycle.execute(this::stopRunning);
        lifecycle.shutdown();
        if (!lifecycle.awaitTermination(EmbeddedGateway.STOP_TIMEOUT_SECONDS + 5, TimeUnit.SECONDS)) {
            LOG.warn("The gateway did not stop within {} s", EmbeddedGateway.STOP_TIMEOUT_SECONDS + 5);
        }
    }

    private void stopRunning() {
        if (running != null) {
            running.stop();
            running = null;
        }
    }

    /** The gateway's keys of a ConfigAdmin configuration, as text. */
    static Properties settings(Dictionary<String, ?> configuration) {
        Properties settings = new Properties();
        if (configuration != null) {
            for (String key : Collections.list(configuration.keys())) {
                if (!CONTAINER_KEYS.contains(key)) {
                    settings.setProperty(key, String.valueOf(configuration.get(key)));
                }
            }
        }
        return settings;
    }

    /** Copies the bundle's route files to the folder when it does not exist yet: an edited one is never replaced. */
    static void installRoutes(BundleContext context, Path folder) throws IOException {
        if (Files.exists(folder)) {
            return;
        }
        Files.createDirectories(folder);
        List<URL> routes = Collections.list(context.getBundle().findEntries("karaf/routes", "*.yaml", false));
        for (URL route : routes) {
            String name = route.getPath().substring(route.getPath().lastIndexOf('/') + 1);
            try (InputStream in = route.openStream()) {
                Files.copy(in, folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        LOG.info("Route files {} put into {}: edit them there", routes.size(), folder);
    }
}
