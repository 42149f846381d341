package io.cssgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.harness.BrokerProbe;
import io.cssgateway.harness.GatewayProcess;
import io.cssgateway.harness.TestCallbacks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar against clients that hold connections, leave in the middle of a body, or flood the port, as an
 * outsider can without a key: the gateway closes what does not deliver a request in time, keeps its file
 * descriptors, answers valid callbacks, and logs each state in a line, never a stack trace.
 */
class HostileClientsIT {

    private static final String KEY = "hostile-key-" + UUID.randomUUID();
    private static final String PATH = "/callbacks/tencent/css";

    @TempDir
    Path dir;

    private final List<Socket> sockets = new ArrayList<>();
    private final String exchange = "css.events.hostile-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void closeSocketsAndExchange() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        try (BrokerProbe broker = new BrokerProbe()) {
            broker.deleteGatewayTopology(exchange);
        }
    }

    private GatewayProcess start(int port, String... options) throws IOException {
        List<String> all = new ArrayList<>(List.of("-Dcamel.server.port=" + port,
                "-Dgateway.spool.dir=" + dir.resolve("spool")));
        all.addAll(List.of(options));
        return GatewayProcess.start(dir, Map.of("CSS_CALLBACK_KEYS", KEY, "GATEWAY_RABBITMQ_EXCHANGE", exchange),
                all.toArray(String[]::new));
    }

    private static String validCallback() {
        return TestCallbacks.sample("1-push.doc.json").withUniqueSequence().freshlySignedWith(KEY).asString();
    }

    private Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        sockets.add(socket);
        return socket;
    }

    /** Seconds until the server closes {@code socket} (read ends or is reset), waiting at most {@code max}. */
    private static CompletableFuture<Double> closedAfter(Socket socket, long startNanos, int max) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                socket.setSoTimeout(max * 1000);
                InputStream in = socket.getInputStream();
                while (in.read() >= 0) {
                    // an answer (the keep-alive case) is read through; the close is what is waited for
                }
            } catch (SocketException reset) {
                // closed by the server as well
            } catch (IOException timedOut) {
                return Double.POSITIVE_INFINITY;
            }
            return (System.nanoTime() - startNanos) / 1e9;
        });
    }

    /** Sends one byte; false once the server has closed the connection. */
    private static boolean trickle(Socket socket, int b) {
        try {
            socket.getOutputStream().write(b);
            socket.getOutputStream().flush();
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    @Test
    void connectionsThatDeliverNoWholeRequestAreClosedWhileValidCallbacksAreAnswered() throws Exception {
        int port = GatewayProcess.freePort();
        try (GatewayProcess gateway = start(port, "-Dgateway.http.idle-timeout-seconds=2",
                "-Dgateway.http.request-timeout-seconds=4")) {
            gateway.awaitStarted();
            long start = System.nanoTime();
            Map<String, CompletableFuture<Double>> closed = new LinkedHashMap<>();

            closed.put("sends nothing", closedAfter(connect(port), start, 20));
            Socket half = connect(port);
            half.getOutputStream().write("POST /callbacks/te".getBytes(StandardCharsets.US_ASCII));
            closed.put("half a request line", closedAfter(half, start, 20));
            Socket tls = connect(port);
            tls.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1});
            closed.put("a TLS ClientHello", closedAfter(tls, start, 20));
            Socket shortBody = connect(port);
            String body = validCallback();
            shortBody.getOutputStream().write(("POST " + PATH + " HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + (body.length() + 100) + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            closed.put("a body 100 bytes short", closedAfter(shortBody, start, 20));
            Socket keptAlive = connect(port);
            keptAlive.getOutputStream().write(("POST " + PATH + " HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            closed.put("nothing after a kept-alive 200", closedAfter(keptAlive, start, 20));
            // headers a byte at a time are never a whole HTTP part: the idle timeout closes them
            Socket slowHeaders = connect(port);
            closed.put("headers a byte every 0.5 s", closedAfter(slowHeaders, start, 20));
            // a body a byte every half second is never idle for 2 s: only the request timeout closes it
            Socket slowBody = connect(port);
            CompletableFuture<Double> slowBodyClosed = closedAfter(slowBody, start, 20);
            Thread trickler = new Thread(() -> {
                try {
                    slowBody.getOutputStream().write(("POST " + PATH + " HTTP/1.1\r\nHost: gw\r\n"
                            + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < 100; i++) {
                        trickle(slowHeaders, 'x');
                        if (!trickle(slowBody, ' ')) {
                            return;
                        }
                        Thread.sleep(500);
                    }
                } catch (IOException | InterruptedException closedByServer) {
                    // expected
                }
            });
            trickler.start();

            for (int i = 0; i < 5; i++) {
                HttpResponse<String> answer = gateway.post(port, validCallback());
                assertThat(answer.statusCode()).isEqualTo(200);
                Thread.sleep(500);
            }

            for (Map.Entry<String, CompletableFuture<Double>> each : closed.entrySet()) {
                // closed by the idle timeout (2 s) at the latest
                assertThat(each.getValue().get(30, TimeUnit.SECONDS)).as(each.getKey()).isLessThan(6.0);
            }
            assertThat(closed.get("sends nothing").get()).as("a silent connection is kept until the idle timeout")
                    .isGreaterThan(1.5);
            assertThat(slowBodyClosed.get(30, TimeUnit.SECONDS)).as("a body a byte every 0.5 s").isBetween(3.5, 8.0);
            trickler.join(5000);
            // the operator sees why: css_gateway_http_connections_closed_total by reason
            assertThat(gateway.metric("css_gateway_http_connections_closed_total{reason=\"slow\"}"))
                    .as("closed for no whole request in time").isGreaterThanOrEqualTo(1.0);
            assertThat(gateway.metric("css_gateway_http_connections_closed_total{reason=\"idle\"}"))
                    .as("closed idle").isGreaterThanOrEqualTo(4.0);
            assertThat(gateway.metric("css_gateway_http_connections_closed_total{reason=\"limit\"}")).isZero();
            assertThat(gateway.output()).doesNotContain("ERROR").doesNotContain("Exception");
        }
    }

    @Test
    void underTheDefaultDescriptorLimitAFloodOfIdleConnectionsDoesNotStopTheGateway() throws Exception {
        int port = GatewayProcess.freePort();
        try (GatewayProcess gateway = GatewayProcess.startWithDescriptorLimit(1024, dir,
                Map.of("CSS_CALLBACK_KEYS", KEY, "GATEWAY_RABBITMQ_EXCHANGE", exchange),
                "-Dcamel.server.port=" + port, "-Dgateway.spool.dir=" + dir.resolve("spool"),
                "-Dgateway.http.idle-timeout-seconds=3")) {
            gateway.awaitStarted();
            // 1,100 idle connections, 50 at a time (a burst of hundreds at once can still take every descriptor for
            // a moment, before the ones beyond the limit are closed: the limit bounds what is held, not the kernel)
            for (int i = 0; i < 1100; i++) {
                connect(port);
                if (i % 50 == 49) {
                    Thread.sleep(20);
                }
            }
            Thread.sleep(500);
            long descriptors;
            try (Stream<Path> open = Files.list(Path.of("/proc/" + gateway.pid() + "/fd"))) {
                descriptors = open.count();
            }
            assertThat(descriptors).as("descriptors the gateway holds").isLessThan(1024 - 64);

            // the flood is closed by the idle timeout; a valid callback is answered as soon as there is room
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            Integer status = null;
            while (status == null && System.nanoTime() < deadline) {
                try {
                    status = gateway.post(port, validCallback()).statusCode();
                } catch (IOException refusedAtTheLimit) {
                    Thread.sleep(200);
                }
            }
            assertThat(status).isEqualTo(200);

            // every one of the flood is closed: at once beyond the limit, the others by the idle timeout
            String limit = "css_gateway_http_connections_closed_total{reason=\"limit\"}";
            String idle = "css_gateway_http_connections_closed_total{reason=\"idle\"}";
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (gateway.metric(limit) + gateway.metric(idle) < 1100 && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            assertThat(gateway.metric(limit)).as("closed at once at the limit").isGreaterThanOrEqualTo(1100 - 768);
            assertThat(gateway.metric(limit) + gateway.metric(idle)).as("closed at the limit or idle")
                    .isGreaterThanOrEqualTo(1100);
            String output = gateway.output();
            assertThat(output).containsOnlyOnce("HTTP connections at the limit of 768 (gateway.http.max-connections)")
                    .doesNotContain("Too many open files").doesNotContain("RabbitMQ does not take events")
                    .doesNotContain("Exception");
        }
    }

    @Test
    void aClientThatLeavesInTheMiddleOfItsBodyIsAuditedAndNoErrorIsLogged() throws Exception {
        int port = GatewayProcess.freePort();
        try (GatewayProcess gateway = start(port)) {
            gateway.awaitStarted();
            for (int i = 0; i < 3; i++) {
                Socket leaving = connect(port);
                leaving.getOutputStream().write(("POST " + PATH + " HTTP/1.1\r\nHost: gw\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 300\r\n\r\n{\"event_type\":1,")
                        .getBytes(StandardCharsets.US_ASCII));
                leaving.getOutputStream().flush();
                Thread.sleep(100);
                leaving.close();
            }
            assertThat(gateway.post(port, validCallback()).statusCode()).isEqualTo(200);
            Thread.sleep(500);

            assertThat(gateway.output()).doesNotContain("ERROR").doesNotContain("HttpClosedException");
            String audit;
            try (Stream<Path> files = Files.list(dir.resolve("audit"))) {
                audit = Files.readString(files.findFirst().orElseThrow());
            }
            assertThat(audit.lines().filter(line -> line.contains("\"reason\":\"client-closed\""))).hasSize(3);
        }
    }

    @Test
    void theBrokerWarningNamesTheConfiguredAddress() throws Exception {
        int port = GatewayProcess.freePort();
        int closed = GatewayProcess.freePort();
        try (GatewayProcess gateway = start(port, "-Dgateway.rabbitmq.addresses=127.0.0.1:" + closed,
                "-Dgateway.rabbitmq.connect-timeout-ms=500")) {
            gateway.awaitStarted();
            assertThat(gateway.output()).contains("RabbitMQ at 127.0.0.1:" + closed + " is not reachable yet");
        }
    }
}
