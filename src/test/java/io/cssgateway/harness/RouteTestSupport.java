package io.cssgateway.harness;

import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test class of the real route files without a broker ({@link RouteHarness}): one harness for the class, and for
 * each test a broker that takes events again and counts as up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RouteTestSupport {

    @TempDir
    static Path data;

    protected RouteHarness routes;

    @BeforeAll
    void startRoutes() throws Exception {
        routes = new RouteHarness(data, configuration());
    }

    /** Configuration keys of the test class's own. */
    protected Properties configuration() throws Exception {
        return new Properties();
    }

    @BeforeEach
    void resetTheBroker() {
        routes.reset();
    }

    @AfterAll
    void stopRoutes() {
        routes.close();
    }
}
