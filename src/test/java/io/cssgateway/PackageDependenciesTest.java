package io.cssgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Nothing imports upward: the shared pieces import no stage, the stages import no wiring, and each package's Java
 * imports only the packages below it.
 */
class PackageDependenciesTest {

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.cssgateway\\.(\\w+)\\.", Pattern.MULTILINE);
    private static final Set<String> SHARED = Set.of("support", "event", "tenant", "trace");
    private static final Map<String, Set<String>> MAY_IMPORT = Map.ofEntries(
            Map.entry("support", Set.of()),
            Map.entry("event", Set.of("support", "tenant")),
            // the tenants as configured, and which one owns a callback
            Map.entry("tenant", Set.of("support", "event")),
            // the spans, and the trace context in the messages
            Map.entry("trace", Set.of("support", "event")),
            Map.entry("intake", SHARED),
            Map.entry("classify", SHARED),
            Map.entry("dedup", SHARED),
            Map.entry("publish", SHARED),
            Map.entry("spool", SHARED),
            Map.entry("audit", SHARED),
            Map.entry("alert", SHARED),
            Map.entry("observe", SHARED),
            Map.entry("streams", SHARED),
            // shuts the intake's gate while the route files are swapped in
            Map.entry("reload", Set.of("support", "event", "intake")),
            // reads the audit files and publishes as the gateway does; re-posts callbacks signed as the provider signs
            // them (SignatureVerifier.sign), as the dev sender does
            Map.entry("replay", Set.of("support", "event", "intake", "audit", "publish", "trace")),
            Map.entry("dev", Set.of("support", "event", "intake")),
            // the management API and console: reads the audit index, the streams, the spool; publishes a replay as
            // replay does
            Map.entry("api", Set.of("support", "event", "audit", "publish", "replay", "spool", "streams", "trace")),
            Map.entry("config", Set.of("support", "event", "tenant", "trace", "intake", "classify", "dedup", "publish", "spool", "audit",
                    "alert", "observe", "streams", "dev", "reload", "api")),
            // starts Camel Main, which builds the rest from application.properties, as GatewayMain does
            Map.entry("karaf", Set.of()));

    /** The io.cssgateway packages a source imports, other than its own. */
    static Set<String> imported(String source, String ownPackage) {
        Set<String> packages = new TreeSet<>();
        Matcher m = IMPORT.matcher(source);
        while (m.find()) {
            if (!m.group(1).equals(ownPackage)) {
                packages.add(m.group(1));
            }
        }
        return packages;
    }

    @Test
    void eachPackageImportsOnlyThePackagesBelowIt() throws IOException {
        Path main = Path.of("src/main/java/io/cssgateway");
        try (Stream<Path> sources = Files.walk(main)) {
            for (Path source : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = main.relativize(source);
                if (relative.getNameCount() == 1) {
                    continue; // the command line (GatewayMain and its commands), above everything
                }
                String own = relative.getName(0).toString();
                assertThat(MAY_IMPORT).as("a rule for package %s", own).containsKey(own);
                assertThat(MAY_IMPORT.get(own)).as("what %s imports", relative)
                        .containsAll(imported(Files.readString(source), own));
            }
        }
    }

    @Test
    void anUpwardImportIsCaught() {
        String spool = "package io.cssgateway.spool;\nimport io.cssgateway.publish.BrokerState;\n"
                + "import io.cssgateway.event.OutgoingEvent;\n";
        assertThat(imported(spool, "spool")).containsExactly("event", "publish");
        assertThat(MAY_IMPORT.get("spool")).doesNotContain("publish");
    }
}
