package io.cssgateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The shipped Prometheus rules and Grafana dashboard name only metrics the gateway exports: those of
 * docs/operating.md's table, which OperationsIT holds equal to what a running gateway exports. (PrometheusRulesIT
 * checks the rules with promtool.)
 */
class PrometheusRulesTest {

    private static final Pattern METRIC = Pattern.compile("css_gateway_\\w+");
    private static final Path RULES = Path.of("docs/prometheus/alerts.yaml");
    private static final Path DASHBOARD = Path.of("docs/prometheus/grafana-dashboard.json");

    /** The metric names a text uses, a histogram's series (_bucket, _count, _sum) by the histogram's name. */
    static Set<String> named(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group().replaceAll("_(bucket|count|sum)$", ""));
        }
        return names;
    }

    static Set<String> documented() throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `(css_gateway_\\w+)").matcher(Files.readString(Path.of("docs/operating.md")));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void theRulesAndTheDashboardNameOnlyExportedMetrics() throws IOException {
        Set<String> rules = named(Files.readString(RULES));
        Set<String> dashboard = named(Files.readString(DASHBOARD));

        assertThat(documented()).containsAll(rules).containsAll(dashboard);
        assertThat(rules).contains("css_gateway_broker_up", "css_gateway_unrouted_messages",
                "css_gateway_alert_deliveries_total", "css_gateway_requests_total");
        assertThat(dashboard).hasSizeGreaterThan(10);
    }

    @Test
    void everyRuleSaysWhatToDoAndWhereTheRunbookIs() throws IOException {
        // read with the YAML parser the YAML DSL brings
        JsonNode rules = new ObjectMapper().valueToTree(new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(RULES)));
        int count = 0;
        for (JsonNode rule : rules.get("groups").get(0).get("rules")) {
            count++;
            assertThat(rule.get("alert").asText()).startsWith("CssGateway");
            assertThat(rule.path("labels").path("severity").asText()).isIn("critical", "warning");
            assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
            assertThat(rule.path("annotations").path("description").asText()).isNotBlank();
            assertThat(rule.path("annotations").path("runbook").asText()).startsWith("docs/operating.md");
        }
        assertThat(count).isEqualTo(9);
    }

    @Test
    void theDashboardIsGrafanasJsonWithAPrometheusSourceToPick() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());

        assertThat(dashboard.get("uid").asText()).isEqualTo("css-callback-gateway");
        assertThat(dashboard.get("templating").get("list").get(0).get("query").asText()).isEqualTo("prometheus");
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            panel.get("targets").forEach(target -> assertThat(target.get("expr").asText()).contains("css_gateway_"));
        }
    }
}
