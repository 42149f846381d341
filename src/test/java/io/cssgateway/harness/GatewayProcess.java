package io.cssgateway.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * target/css-callback-gateway.jar run as an operator runs it: {@code java -jar} from the repository root,
 * configured by ./application.properties, -D options and the environment; its output goes to a file.
 */
public final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final Path output;
    private final int managementPort;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private GatewayProcess(Process process, Path output, int managementPort) {
        this.process = process;
        this.output = output;
        this.managementPort = managementPort;
    }

    /** Starts the jar with {@code options} (-D...) and {@code environment}; its data and output under {@code dir}. */
    public static GatewayProcess start(Path dir, Map<String, String> environment, String... options) throws IOException {
        return startIn(Path.of("").toAbsolutePath(), dir, environment, options);
    }

    /**
     * Starts the jar in {@code workDir} (which has application.properties and routes/ of its own); its data and
     * output under {@code dir}.
     */
    public static GatewayProcess startIn(Path workDir, Path dir, Map<String, String> environment, String... options)
            throws IOException {
        return start(List.of(), workDir, dir, environment, options);
    }

    /** Starts the jar as {@link #start} does, in a process that may open at most {@code descriptors} files. */
    public static GatewayProcess startWithDescriptorLimit(int descriptors, Path dir, Map<String, String> environment,
            String... options) throws IOException {
        return start(List.of("bash", "-c", "ulimit -n " + descriptors + " && exec \"$@\"", "gateway"),
                Path.of("").toAbsolutePath(), dir, environment, options);
    }

    private static GatewayProcess start(List<String> prefix, Path workDir, Path dir, Map<String, String> environment,
            String... options) throws IOException {
        Path jar = Path.of("target/css-callback-gateway.jar").toAbsolutePath();
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // a management port of its own (a test's own -D, after it, wins)
        int managementPort = freePort();
        command.add("-Dcamel.management.port=" + managementPort);
        // the stream state's messages stay out of the queues bound to # (StreamsIT turns it on)
        command.add("-Dgateway.streams.enabled=false");
        command.addAll(List.of(options));
        command.add("-Dcamel.server.host=127.0.0.1");
        command.add("-Dgateway.dedup.file=" + dir.resolve("seen-events.txt"));
        command.add("-Dgateway.audit.dir=" + dir.resolve("audit"));
        command.add("-Dgateway.streams.dir=" + dir.resolve("streams"));
        command.add("-Dgateway.audit.index.dir=" + dir.resolve("audit-index"));
        command.add("-Dgateway.alert.silence.file=" + dir.resolve("last-callbacks.json"));
        command.addAll(List.of("-jar", jar.toString()));
        Path output = dir.resolve("gateway-" + System.nanoTime() + ".out");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().remove("CSS_CALLBACK_KEYS");
        builder.environment().putAll(environment);
        return new GatewayProcess(builder.start(), output, managementPort);
    }

    /** The management port (/observe/health, /observe/metrics), unless the test set one of its own. */
    public int managementPort() {
        return managementPort;
    }

    /** A TCP port nothing listens on now, for a gateway (or a service it should find closed). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The process id, e.g. to count its open files in /proc. */
    public long pid() {
        return process.pid();
    }

    public String output() throws IOException {
        return Files.readString(output);
    }

    /** Waits until Camel says it has started: the routes run. */
    public GatewayProcess awaitStarted() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("gateway is running; its output:\n%s", output()).isTrue();
            if (output().contains("(css-callback-gateway) started in")) {
                return this;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("gateway did not start; its output:\n" + output());
    }

    /** Waits for the process to end by itself and returns its exit code. */
    public int awaitExit() throws Exception {
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("gateway exits").isTrue();
        return process.exitValue();
    }

    /** SIGTERM, as a service manager stops it, without waiting: {@link #awaitExit()} waits. */
    public void terminate() {
        process.destroy();
    }

    /** kill -9: no shutdown of any kind. */
    public void kill() throws Exception {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public HttpResponse<String> post(int port, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/callbacks/tencent/css"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A sample's value on {@code /observe/metrics} ({@code name{labels}} in Prometheus' text), or null when absent. */
    public Double metric(String series) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                + "/observe/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.valueOf(m.group(1)) : null;
    }

    /** Stops it as a service manager would (SIGTERM), and checks it ends cleanly. */
    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("gateway stops on SIGTERM").isTrue();
        }
    }
}
