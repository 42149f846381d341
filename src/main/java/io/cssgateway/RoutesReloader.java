package io.cssgateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads a route file when it is saved (the dev profile), after reading it apart from the running gateway:
 * a file that does not read (broken YAML, an unknown option) leaves the running routes as they are, and the
 * log says what is wrong and where.
 */
public final class RoutesReloader extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(RoutesReloader.class);

    private final CamelContext camelContext;
    private final List<Path> folders;
    private WatchService watcher;
    private Thread thread;

    public RoutesReloader(CamelContext camelContext, List<Path> folders) {
        this.camelContext = camelContext;
        this.folders = folders;
    }

    @Override
    protected void doStart() throws IOException {
        watcher = FileSystems.getDefault().newWatchService();
        for (Path folder : folders) {
            if (Files.isDirectory(folder)) {
                folder.register(watcher, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
            }
        }
        thread = new Thread(this::watch, "routes-reloader");
        thread.setDaemon(true);
        thread.start();
        LOG.info("Route files in {} are reloaded when saved", folders);
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                // editors save in several steps: let the file settle
                Thread.sleep(300);
                for (WatchEvent<?> event : key.pollEvents()) {
                    Path file = ((Path) key.watchable()).resolve((Path) event.context());
                    if (file.toString().endsWith(".yaml") && Files.isRegularFile(file)) {
                        reload(file);
                    }
                }
                key.reset();
            }
        } catch (InterruptedException | ClosedWatchServiceException stopped) {
            // the gateway stops
        }
    }

    /** Reads the file apart; if it reads, replaces the routes it defines. Returns whether it was applied. */
    public boolean reload(Path file) {
        String location = "file:" + file;
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.error("Route file {} not reloaded: {}", file, e.toString());
            return false;
        }
        Resource resource = ResourceHelper.fromString(location, text);
        try (DefaultCamelContext scratch = new DefaultCamelContext()) {
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(scratch).findRoutesBuilders(resource)) {
                ((RouteBuilder) builder).configureRoutes(scratch);
            }
        } catch (Exception e) {
            LOG.error("Route file {} not reloaded, the running routes stay as they are: {}", file, describe(e));
            return false;
        }
        try {
            var updated = PluginHelper.getRoutesLoader(camelContext).updateRoutes(resource);
            LOG.info("Route file {} reloaded: routes {}", file, updated);
            return true;
        } catch (Exception e) {
            LOG.error("Route file {} could not be applied: {}", file, describe(e));
            return false;
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
    protected void doStop() throws IOException {
        if (watcher != null) {
            watcher.close();
        }
    }
}
