package io.cssgateway.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.intake.CallbackGate;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutesReloaderTest {

    @TempDir
    Path dir;

    @Test
    void theRouteFilesAreThoseOfTheFileLocationsOfTheIncludePattern() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Path dev = Files.createDirectories(routes.resolve("dev"));
        for (Path file : new Path[] {routes.resolve("b.camel.yaml"), routes.resolve("a.camel.yaml"),
                routes.resolve("notes.txt"), dev.resolve("dev.camel.yaml")}) {
            Files.writeString(file, "");
        }
        RoutesReloader reloader = new RoutesReloader(null,
                "file:" + routes + "/*.yaml, classpath:x/*.yaml,file:" + dev + "/*.yaml", new CallbackGate());

        assertThat(reloader.routeFiles()).containsExactly(routes.resolve("a.camel.yaml"),
                routes.resolve("b.camel.yaml"), dev.resolve("dev.camel.yaml"));
    }
}
