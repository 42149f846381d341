package io.cssgateway.reload;

import io.cssgateway.intake.CallbackGate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.direct.DirectEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.processor.SendProcessor;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the route files when one is saved ({@code gateway.routes.reload}, on in the dev profile). The saved file is
 * first read apart from the running gateway: one that does not read (broken YAML, an unknown option) leaves the
 * running routes as they are, and the log says what is wrong and where. Then every route file is applied anew while
 * callbacks wait in front of the {@link CallbackGate} and those inside are answered first, so that no callback is
 * answered anything but its normal answer:
 * <ul>
 * <li>every file, not only the saved one: a route keeps the error handling of the route configuration it was built
 * with, and its {@code direct:} producers keep the consumer they last found. Camel's {@code DirectProducer} renews that
 * consumer non-atomically, so two callbacks at once can still reach a replaced route (measured: 1 in 15,000 answered
 * 500 under load); routes built anew start with none.</li>
 * <li>the routes not in files (the HTTP endpoint, {@link io.cssgateway.intake.ReceiveCallbackRoute}) get their {@code direct:} producers
 * renewed, for the same reason.</li>
 * </ul>
 */
public final class RoutesReloader extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(RoutesReloader.class);

    /** How long a reload waits for the callbacks inside to be answered. */
    private static final int QUIET_WAIT_SECONDS = 10;

    /** The route files of one {@code file:} location: a folder, and the files in it the pattern takes. */
    record Location(Path folder, PathMatcher files) {

        boolean takes(Path file) {
            return file.getParent() != null && file.getParent().equals(folder) && files.matches(file.getFileName());
        }
    }

    private final CamelContext camelContext;
    private final List<Location> locations;
    private final CallbackGate gate;
    private WatchService watcher;
    private Thread watching;

    /**
     * @param includePattern {@code camel.main.routes-include-pattern}: its {@code file:} locations are watched
     * @param gate shut while the files are swapped in
     */
    public RoutesReloader(CamelContext camelContext, String includePattern, CallbackGate gate) {
        this.camelContext = camelContext;
        this.locations = locationsOf(includePattern);
        this.gate = gate;
    }

    /**
     * The {@code file:} locations of {@code camel.main.routes-include-pattern}, e.g. routes/*.yaml and
     * routes/dev/*.yaml for {@code file:routes/*.yaml,file:routes/dev/*.yaml}.
     */
    static List<Location> locationsOf(String includePattern) {
        List<Location> locations = new ArrayList<>();
        for (String location : includePattern.split(",")) {
            String trimmed = location.strip();
            if (trimmed.startsWith("file:")) {
                Path pattern = Path.of(trimmed.substring("file:".length()));
                Path folder = pattern.getParent() == null ? Path.of(".") : pattern.getParent();
                locations.add(new Location(folder,
                        FileSystems.getDefault().getPathMatcher("glob:" + pattern.getFileName())));
            }
        }
        return locations;
    }

    /** The route files the locations take now, in the order of the locations, each folder's files by name. */
    List<Path> routeFiles() throws IOException {
        Set<Path> files = new LinkedHashSet<>();
        for (Location location : locations) {
            if (!Files.isDirectory(location.folder())) {
                continue;
            }
            List<Path> inFolder = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(location.folder())) {
                for (Path file : stream) {
                    if (location.takes(file) && Files.isRegularFile(file)) {
                        inFolder.add(file);
                    }
                }
            }
            inFolder.sort(null);
            files.addAll(inFolder);
        }
        return List.copyOf(files);
    }

    @Override
    protected void doInit() {
        // the first thing Camel does when it stops: no reload may swap routes in while they are being shut down
        camelContext.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext context) {
                stopWatching();
            }
        });
    }

    @Override
    protected void doStart() throws IOException {
        watcher = FileSystems.getDefault().newWatchService();
        Set<Path> folders = new LinkedHashSet<>();
        for (Location location : locations) {
            if (Files.isDirectory(location.folder()) && folders.add(location.folder())) {
                location.folder().register(watcher, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_CREATE);
            }
        }
        watching = new Thread(this::watch, "routes-reloader");
        watching.setDaemon(true);
        watching.start();
        LOG.info("Route files in {} are reloaded when saved", folders);
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                // editors save in several steps: let the file settle
                Thread.sleep(300);
                Set<Path> saved = new LinkedHashSet<>();
                for (WatchEvent<?> event : key.pollEvents()) {
                    Path file = ((Path) key.watchable()).resolve((Path) event.context());
                    if (locations.stream().anyMatch(l -> l.takes(file)) && Files.isRegularFile(file)) {
                        saved.add(file);
                    }
                }
                key.reset();
                for (Path file : saved) {
                    reload(file);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException stopped) {
            // the gateway stops
        }
    }

    /** Reads the saved file apart; if it reads, applies every route file anew. Returns whether it was applied. */
    public boolean reload(Path saved) {
        List<Resource> resources = new ArrayList<>();
        // the files are read in a context of their own, together (a route id twice is an error there too)
        DefaultCamelContext scratch = new DefaultCamelContext();
        try {
            for (Path file : routeFiles()) {
                Resource resource = ResourceHelper.fromString("file:" + file,
                        Files.readString(file, StandardCharsets.UTF_8));
                String problem = problemOf(scratch, resource);
                if (problem != null) {
                    LOG.error("Route file {} not reloaded, the running routes stay as they are: {}{}", saved,
                            file.equals(saved) ? "" : file + " does not read: ", problem);
                    return false;
                }
                resources.add(resource);
            }
        } catch (IOException e) {
            LOG.error("Route file {} not reloaded: {}", saved, e.toString());
            return false;
        } finally {
            // shut down, not only stopped (close): stopping leaves its shutdown thread for a minute (in Karaf, holding
            // the bundle's class loader after an update)
            scratch.shutdown();
        }
        try {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("the gateway stops");
            }
            if (!gate.shut(Duration.ofSeconds(QUIET_WAIT_SECONDS))) {
                LOG.warn("Callbacks still inside after {} s: route file {} is applied all the same", QUIET_WAIT_SECONDS,
                        saved);
            }
            Set<String> updated = PluginHelper.getRoutesLoader(camelContext).updateRoutes(resources);
            renewDirectProducersOfRoutesNotIn(updated);
            LOG.info("Route file {} reloaded: routes {}", saved, updated);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.error("Route file {} could not be applied: {}", saved, describe(e));
            return false;
        } finally {
            gate.open();
        }
    }

    /** What is wrong with a route file, read into the scratch context; null when it reads. */
    private static String problemOf(CamelContext scratch, Resource resource) {
        try {
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(scratch).findRoutesBuilders(resource)) {
                ((RouteBuilder) builder).configureRoutes(scratch);
            }
            return null;
        } catch (Exception e) {
            return describe(e);
        }
    }

    private void renewDirectProducersOfRoutesNotIn(Set<String> reloaded) {
        for (Route route : camelContext.getRoutes()) {
            if (reloaded.contains(route.getRouteId())) {
                continue;
            }
            for (Processor processor : route.filter("*")) {
                if (processor instanceof SendProcessor send && send.getDestination() instanceof DirectEndpoint) {
                    ServiceHelper.stopService(send);
                    ServiceHelper.startService(send);
                }
            }
        }
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(" / ").append(cause.getMessage());
        }
        return text.toString();
    }

    @Override
    protected void doStop() {
        stopWatching();
    }

    /** Stops watching, and waits for a reload under way to end (one waiting at the gate gives up). */
    private synchronized void stopWatching() {
        try {
            if (watcher != null) {
                watcher.close();
            }
            if (watching != null) {
                watching.interrupt();
                watching.join(TimeUnit.SECONDS.toMillis(QUIET_WAIT_SECONDS + 5));
            }
        } catch (IOException e) {
            LOG.debug("Route file watcher did not close: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watcher = null;
            watching = null;
        }
    }
}
