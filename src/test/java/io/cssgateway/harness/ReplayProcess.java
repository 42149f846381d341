package io.cssgateway.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code java -jar target/css-callback-gateway.jar replay ...} as an operator runs it: its exit code and output. */
public record ReplayProcess(int exit, String output) {

    /** @param properties {@code -Dkey=value} options for the JVM (the configuration), before {@code -jar} */
    public static ReplayProcess run(List<String> properties, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(properties);
        command.addAll(List.of("-jar", Path.of("target/css-callback-gateway.jar").toAbsolutePath().toString(), "replay"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("replay ends").isTrue();
        return new ReplayProcess(process.exitValue(), output);
    }
}
