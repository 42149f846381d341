package io.cssgateway;

import org.apache.camel.main.Main;

/**
 * Starts the gateway: Camel Main with {@code ./application.properties} (overridable per key with
 * {@code -Dkey=value} or the environment) and the routes under {@code ./routes/}.
 */
public final class GatewayMain {

    private GatewayMain() {}

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.setPropertyPlaceholderLocations("file:application.properties");
        main.run(args);
    }
}
