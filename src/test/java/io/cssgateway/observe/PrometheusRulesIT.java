package io.cssgateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/prometheus/alerts.yaml as Prometheus reads it: {@code promtool check rules}, and its unit tests
 * (alerts.test.yaml: each rule fires on the series it is for, with its annotations, and not before). promtool comes
 * with Debian's prometheus package; .ci/run installs it when it is missing.
 */
class PrometheusRulesIT {

    private static String promtool(String... arguments) throws Exception {
        String found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "promtool")).filter(Files::isExecutable).map(Path::toString).findFirst()
                .orElse(null);
        assertThat(found).as("promtool on the PATH (apt-get install prometheus; .ci/run does)").isNotNull();
        List<String> command = new ArrayList<>(List.of(found));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(new File("docs/prometheus")).redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void theRulesAreValidPrometheusRules() throws Exception {
        assertThat(promtool("check", "rules", "alerts.yaml")).contains("SUCCESS: 9 rules found");
    }

    @Test
    void eachRuleFiresOnTheSeriesItIsForAndNotBefore() throws Exception {
        assertThat(promtool("test", "rules", "alerts.test.yaml")).contains("SUCCESS");
    }
}
