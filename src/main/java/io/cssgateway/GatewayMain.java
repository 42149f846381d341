package io.cssgateway;

import org.apache.camel.main.Main;

/**
 * Starts the gateway: Camel Main with {@code ./application.properties} (overridable per key with
 * {@code -Dkey=value} or the environment), overridden by {@code ./application-<profile>.properties} when present
 * ({@code -Dcamel.main.profile=dev} or {@code CAMEL_MAIN_PROFILE=dev}; prod when unset), and the routes under
 * {@code ./routes/}.
 */
public final class GatewayMain {

    private GatewayMain() {}

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        String profile = System.getProperty("camel.main.profile",
                System.getenv().getOrDefault("CAMEL_MAIN_PROFILE", "prod"));
        // the first location that has a key gives its value: the profile's file comes first
        main.setPropertyPlaceholderLocations(
                "file:application-" + profile + ".properties;optional=true,file:application.properties");
        try {
            main.run(args);
        } catch (Throwable e) {
            // a gateway that could not start must not linger with half its threads (HTTP, dev broker) running
            System.err.println("The gateway could not start: " + e);
            System.exit(1);
        }
    }
}
