package io.cssgateway.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Apache Karaf, unpacked by the build (profile karaf) and copied into a folder of the test's own, run as
 * {@code bin/karaf server} with its SSH and RMI ports moved to free ones and a user for {@code bin/client}.
 */
public final class KarafContainer implements AutoCloseable {

    private static final String USER = "karaf";

    private final Path home;
    private final int sshPort;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private KarafContainer(Path home, int sshPort, Process process) {
        this.home = home;
        this.sshPort = sshPort;
        this.process = process;
    }

    /** The unpacked distribution the build left, from -Dkaraf.distribution. */
    public static Path distribution() {
        String location = System.getProperty("karaf.distribution");
        assertThat(location).as("-Dkaraf.distribution (set by the karaf profile)").isNotBlank();
        return Path.of(location);
    }

    /** What a test puts into the container's folder before it starts (etc/ files, deploy/). */
    public interface Preparation {
        void prepare(Path home) throws IOException;
    }

    /**
     * Copies the distribution to {@code home}, lets {@code preparation} put files into it, and starts it there with
     * {@code environment}.
     */
    public static KarafContainer start(Path home, Map<String, String> environment, Preparation preparation)
            throws IOException {
        TestFiles.copyTree(distribution(), home);
        preparation.prepare(home);
        int sshPort = GatewayProcess.freePort();
        setKey(home.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort", Integer.toString(sshPort));
        setKey(home.resolve("etc/org.apache.karaf.management.cfg"), "rmiRegistryPort",
                Integer.toString(GatewayProcess.freePort()));
        setKey(home.resolve("etc/org.apache.karaf.management.cfg"), "rmiServerPort",
                Integer.toString(GatewayProcess.freePort()));
        Files.writeString(home.resolve("etc/users.properties"), USER + " = " + USER + ",_g_:admingroup\n"
                + "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh\n");
        try (var scripts = Files.list(home.resolve("bin"))) {
            scripts.forEach(script -> script.toFile().setExecutable(true));
        }
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                .directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(home.resolve("console.txt").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(environment);
        return new KarafContainer(home, sshPort, builder.start());
    }

    /** Sets a key of a .cfg file, replacing its line (commented or not) or adding one. */
    public static void setKey(Path cfg, String key, String value) throws IOException {
        List<String> lines = Files.exists(cfg) ? new ArrayList<>(Files.readAllLines(cfg)) : new ArrayList<>();
        Pattern line = Pattern.compile("^#?\\s*" + Pattern.quote(key) + "\\s*=.*$");
        boolean replaced = false;
        for (int i = 0; i < lines.size(); i++) {
            if (line.matcher(lines.get(i)).matches()) {
                lines.set(i, key + " = " + value);
                replaced = true;
            }
        }
        if (!replaced) {
            lines.add(key + " = " + value);
        }
        Files.write(cfg, lines);
    }

    public Path home() {
        return home;
    }

    public Path etc(String file) {
        return home.resolve("etc").resolve(file);
    }

    public Path data(String file) {
        return home.resolve("data").resolve(file);
    }

    public String log() throws IOException {
        Path log = home.resolve("data/log/karaf.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Runs shell commands through {@code bin/client}, waiting for the SSH port to open first; returns the output. */
    public String shell(String... commands) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String output = "";
        while (System.nanoTime() < deadline) {
            Process client = new ProcessBuilder(home.resolve("bin/client").toString(), "-a", Integer.toString(sshPort),
                    "-h", "127.0.0.1", "-u", USER, "-p", USER, "-r", "3", "-d", "1", "-b")
                    .directory(home.toFile()).redirectErrorStream(true).start();
            client.getOutputStream().write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
            client.getOutputStream().close();
            output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).as("bin/client ends").isTrue();
            if (client.exitValue() == 0) {
                return output;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("bin/client failed: " + output);
    }

    /** The Java process of the container (bin/karaf's child). */
    public ProcessHandle java() {
        return process.descendants().filter(p -> p.info().command().orElse("").endsWith("java")).findFirst()
                .orElse(process.toHandle());
    }

    /** Names of the container JVM's threads that match (from jstack). */
    public List<String> threads(Predicate<String> matching) throws Exception {
        return stacks(matching).stream().map(stack -> stack.substring(1, stack.indexOf('"', 1))).toList();
    }

    /** The stacks of the container JVM's threads whose names match, each as jstack prints it. */
    public List<String> stacks(Predicate<String> matching) throws Exception {
        Process jstack = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
                Long.toString(java().pid())).redirectErrorStream(true).start();
        String dump = new String(jstack.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jstack.waitFor(30, TimeUnit.SECONDS);
        List<String> stacks = new ArrayList<>();
        for (String stack : dump.split("\n\n")) {
            Matcher name = Pattern.compile("^\"([^\"]+)\"").matcher(stack);
            if (name.find() && matching.test(name.group(1))) {
                stacks.add(stack);
            }
        }
        return stacks;
    }

    /**
     * The container JVM's established TCP connections to a port: its socket descriptors (/proc/PID/fd) that
     * /proc/net/tcp and tcp6 list as established to that port.
     */
    public int connectionsTo(int port) throws IOException {
        Set<String> sockets = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(java().pid()), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        sockets.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // a descriptor closed while listed
                }
            }
        }
        String remotePort = String.format(":%04X", port);
        int count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.strip().split("\\s+");
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode; 01 = established
                if (f.length > 9 && f[2].endsWith(remotePort) && f[3].equals("01") && sockets.contains(f[9])) {
                    count++;
                }
            }
        }
        return count;
    }

    /** Whether something accepts connections on the port on 127.0.0.1. */
    public static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    public HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An empty POST with {@code Authorization: Bearer <token>}. */
    public HttpResponse<String> postWithToken(int port, String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(int port, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Posts until an answer is the one wanted (the gateway starting, restarting, or reloading), at most 90 s. */
    public HttpResponse<String> postUntil(int port, String path, Supplier<String> body,
            Predicate<HttpResponse<String>> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        HttpResponse<String> last = null;
        Set<String> seen = new HashSet<>();
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("Karaf runs; its log:\n%s", log()).isTrue();
            try {
                last = post(port, path, body.get());
                seen.add(last.statusCode() + " " + last.body());
                if (wanted.test(last)) {
                    return last;
                }
            } catch (IOException notYet) {
                seen.add(notYet.toString());
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no wanted answer within 90 s; answers seen: " + seen + "\nKaraf's log:\n" + log());
    }

    /** Stops Karaf as an operator does ({@code bin/stop}) and waits for its JVM to end. */
    public void stop() throws Exception {
        if (!process.isAlive()) {
            return;
        }
        ProcessHandle java = java();
        new ProcessBuilder(home.resolve("bin/stop").toString()).directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("stop.txt").toFile()).start()
                .waitFor(60, TimeUnit.SECONDS);
        assertThat(java.onExit().get(60, TimeUnit.SECONDS)).isNotNull();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("bin/karaf ends").isTrue();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
