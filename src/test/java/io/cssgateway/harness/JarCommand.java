package io.cssgateway.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar target/css-callback-gateway.jar COMMAND ...} as an operator runs one of the jar's tools (replay,
 * broker-definitions, --help): its exit code and output (standard output and error together).
 */
public record JarCommand(int exit, String output) {

    /** @param properties {@code -Dkey=value} options for the JVM (the configuration), before {@code -jar} */
    public static JarCommand run(List<String> properties, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(properties);
        command.addAll(List.of("-jar", Path.of("target/css-callback-gateway.jar").toAbsolutePath().toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s ends", command).isTrue();
        return new JarCommand(process.exitValue(), output);
    }

    /** {@code java -jar ... replay ARGUMENTS}. */
    public static JarCommand replay(List<String> properties, String... arguments) throws Exception {
        List<String> replay = new ArrayList<>(List.of("replay"));
        replay.addAll(List.of(arguments));
        return run(properties, replay.toArray(String[]::new));
    }
}
