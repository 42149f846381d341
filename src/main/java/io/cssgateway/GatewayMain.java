package io.cssgateway;

import io.cssgateway.config.ReplayCommand;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.camel.main.Main;

/**
 * Starts the gateway: Camel Main with {@code ./application.properties} (overridable per key with
 * {@code -Dkey=value} or the environment), overridden by {@code ./application-<profile>.properties} when present
 * ({@code -Dcamel.main.profile=dev} or {@code CAMEL_MAIN_PROFILE=dev}; prod when unset), and the routes under
 * {@code ./routes/}. {@code replay ...} runs the replay command instead ({@code replay --help}).
 */
public final class GatewayMain {

    private static final String LOG_FORMAT = "gateway.log.format";

    private GatewayMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("replay")) {
            ReplayCommand.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        String profile = System.getProperty("camel.main.profile",
                System.getenv().getOrDefault("CAMEL_MAIN_PROFILE", "prod"));
        try {
            // before the first log line: log4j2.properties picks its layout by this system property
            System.setProperty(LOG_FORMAT, logFormat(profile));
            Main main = new Main();
            // the first location that has a key gives its value: the profile's file comes first
            main.setPropertyPlaceholderLocations(
                    "file:application-" + profile + ".properties;optional=true,file:application.properties");
            main.run(args);
        } catch (Throwable e) {
            // a gateway that could not start must not linger with half its threads (HTTP, dev broker) running
            System.err.println("The gateway could not start: " + e);
            System.exit(1);
        }
    }

    /**
     * gateway.log.format as Camel would resolve it, read before Camel (and the log) starts: -D, the environment
     * (GATEWAY_LOG_FORMAT), the profile's properties file, application.properties; text when none sets it.
     */
    static String logFormat(String profile) throws IOException {
        String format = System.getProperty(LOG_FORMAT, System.getenv("GATEWAY_LOG_FORMAT"));
        for (String file : List.of("application-" + profile + ".properties", "application.properties")) {
            Path path = Path.of(file);
            if (format == null && Files.isRegularFile(path)) {
                Properties properties = new Properties();
                try (Reader in = Files.newBufferedReader(path)) {
                    properties.load(in);
                }
                format = properties.getProperty(LOG_FORMAT);
            }
        }
        format = format == null ? "text" : format.trim();
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException(LOG_FORMAT + " must be text or json, got '" + format + "'");
        }
        return format;
    }
}
