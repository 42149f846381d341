import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Helpers for bench/run.sh, run from source with the gateway jar on the class path:
 *   queue-bind EXCHANGE QUEUE PATTERN   declare (and empty) a durable queue bound to the exchange
 *   queue-count QUEUE                   print how many messages wait in it
 *   queue-delete QUEUE...               delete queues
 *   consume QUEUE FILE                  a consumer, as a deployment has one (automatic acknowledgements), that
 *                                       writes how many it took to FILE every 200 ms
 *   exchange-delete EXCHANGE...         delete exchanges
 *   smtp PORT FILE                      an SMTP server (GreenMail) that writes its mail count to FILE every second,
 *                                       and the abnormal interruptions its digests list to FILE.interruptions
 *   proxy PORT TARGET CUT_FILE          a TCP proxy on 127.0.0.1 that drops and refuses connections while
 *                                       CUT_FILE exists (a broker outage, as the gateway sees it)
 *   slow-clients PORT N SECONDS FILE    holds N connections to 127.0.0.1:PORT for SECONDS, as hostile clients would:
 *                                       half send nothing, half send a request body a byte a second; each one the
 *                                       server closes is opened again. Writes to FILE how many were open and
 *                                       closed, and how long each kind was kept open on average
 * Every server stops by itself after one hour at the latest.
 */
public class BenchTool {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "queue-bind" -> withChannel(c -> {
                c.queueDeclare(args[2], true, false, false, null);
                c.queuePurge(args[2]);
                c.queueBind(args[2], args[1], args[3]);
            });
            case "queue-count" -> withChannel(c -> System.out.println(c.queueDeclarePassive(args[1]).getMessageCount()));
            case "queue-delete" -> withChannel(c -> {
                for (int i = 1; i < args.length; i++) {
                    c.queueDelete(args[i]);
                }
            });
            case "exchange-delete" -> withChannel(c -> {
                for (int i = 1; i < args.length; i++) {
                    c.exchangeDelete(args[i]);
                }
            });
            case "smtp" -> smtp(Integer.parseInt(args[1]), Path.of(args[2]));
            case "otlp-sink" -> otlpSink(Integer.parseInt(args[1]), Path.of(args[2]));
            case "consume" -> consume(args[1], Path.of(args[2]));
            case "proxy" -> proxy(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
            case "slow-clients" -> slowClients(Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                    Integer.parseInt(args[3]), Path.of(args[4]));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    interface ChannelWork {
        void run(Channel channel) throws Exception;
    }

    static void withChannel(ChannelWork work) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        try (Connection connection = factory.newConnection("bench-tool"); Channel channel = connection.createChannel()) {
            work.run(channel);
        }
    }

    static void consume(String queue, Path countFile) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        java.util.concurrent.atomic.AtomicLong taken = new java.util.concurrent.atomic.AtomicLong();
        try (Connection connection = factory.newConnection("bench-consumer"); Channel channel = connection.createChannel()) {
            // automatic acknowledgements: the lightest consumer for the broker, which shares the cores; acks in
            // hundreds cost RabbitMQ 0.1 core more and the gateway 20% of its throughput (bench/README.md)
            channel.basicQos(1000);
            channel.basicConsume(queue, true, (tag, delivery) -> taken.incrementAndGet(), tag -> { });
            long end = System.currentTimeMillis() + 3_600_000;
            Path next = countFile.resolveSibling(countFile.getFileName() + ".next");
            while (System.currentTimeMillis() < end) {
                // replaced whole, so that a reader never sees it half written
                Files.writeString(next, Long.toString(taken.get()));
                Files.move(next, countFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Thread.sleep(200);
            }
        }
    }

    static void smtp(int port, Path countFile) throws Exception {
        GreenMail mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        long end = System.currentTimeMillis() + 3_600_000;
        java.util.regex.Pattern listed = java.util.regex.Pattern.compile("(\\d+) abnormal stream interruptions?");
        while (System.currentTimeMillis() < end) {
            jakarta.mail.internet.MimeMessage[] received = mail.getReceivedMessages();
            Files.writeString(countFile, Integer.toString(received.length));
            // the interruptions the digests list, each digest once (a digest to several recipients is one message)
            java.util.Map<String, Long> digests = new java.util.HashMap<>();
            for (jakarta.mail.internet.MimeMessage message : received) {
                java.util.regex.Matcher m = listed.matcher(String.valueOf(message.getSubject()));
                if (m.find()) {
                    digests.put(message.getMessageID(), Long.parseLong(m.group(1)));
                }
            }
            Files.writeString(Path.of(countFile + ".interruptions"),
                    Long.toString(digests.values().stream().mapToLong(Long::longValue).sum()));
            Thread.sleep(1000);
        }
        mail.stop();
    }

    /**
     * A collector for the gateway's traces (BENCH_TRACING): answers every OTLP/HTTP export 200 with an empty
     * ExportTraceServiceResponse, and writes how many exports and bytes it took to countFile every second.
     */
    static void otlpSink(int port, Path countFile) throws Exception {
        java.util.concurrent.atomic.AtomicLong exports = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                bytes.addAndGet(exchange.getRequestBody().readAllBytes().length);
                exports.incrementAndGet();
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
        long end = System.currentTimeMillis() + 3_600_000;
        while (System.currentTimeMillis() < end) {
            Files.writeString(countFile, exports.get() + " exports, " + bytes.get() + " bytes");
            Thread.sleep(1000);
        }
        server.stop(0);
    }

    static void proxy(int port, int target, Path cutFile) throws Exception {
        Set<Socket> open = ConcurrentHashMap.newKeySet();
        long start = System.currentTimeMillis();
        Thread cutter = new Thread(() -> {
            boolean wasCut = false;
            while (true) {
                boolean cut = Files.exists(cutFile);
                if (cut && !wasCut) {
                    for (Socket s : open) {
                        close(s);
                    }
                }
                wasCut = cut;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException stopping) {
                    return;
                }
            }
        });
        cutter.setDaemon(true);
        cutter.start();
        try (ServerSocket server = new ServerSocket(port, 100, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(1000);
            while (System.currentTimeMillis() < start + 3_600_000) {
                Socket client;
                try {
                    client = server.accept();
                } catch (java.net.SocketTimeoutException idle) {
                    continue;
                }
                if (Files.exists(cutFile)) {
                    close(client);
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                open.add(client);
                open.add(upstream);
                pump(client, upstream, open);
                pump(upstream, client, open);
            }
        }
    }

    /** One hostile connection: silent, or trickling a body; when it opened, when it sends its next byte. */
    static final class Slow {
        final boolean trickles;
        final SocketChannel channel;
        final long openedAt = System.nanoTime();
        long nextByteAt;

        Slow(boolean trickles, int port) throws IOException {
            this.trickles = trickles;
            this.channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            channel.configureBlocking(false);
            if (trickles) {
                channel.write(ByteBuffer.wrap(("POST /callbacks/tencent/css HTTP/1.1\r\nHost: bench\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n").getBytes()));
                nextByteAt = openedAt + 1_000_000_000L;
            }
        }
    }

    static void slowClients(int port, int count, int seconds, Path statsFile) throws Exception {
        List<Slow> open = new ArrayList<>();
        long[] closed = new long[2];
        double[] keptSeconds = new double[2];
        for (int i = 0; i < count; i++) {
            open.add(new Slow(i % 2 == 1, port));
        }
        ByteBuffer scratch = ByteBuffer.allocate(4096);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            for (int i = 0; i < open.size(); i++) {
                Slow slow = open.get(i);
                boolean gone;
                try {
                    scratch.clear();
                    gone = slow.channel.read(scratch) < 0;
                    if (!gone && slow.trickles && now >= slow.nextByteAt) {
                        slow.channel.write(ByteBuffer.wrap(new byte[] {' '}));
                        slow.nextByteAt = now + 1_000_000_000L;
                    }
                } catch (IOException reset) {
                    gone = true;
                }
                if (gone) {
                    int kind = slow.trickles ? 1 : 0;
                    closed[kind]++;
                    keptSeconds[kind] += (now - slow.openedAt) / 1e9;
                    slow.channel.close();
                    open.set(i, new Slow(slow.trickles, port));
                }
            }
            Files.writeString(statsFile, String.format("%d %d %d %.1f %.1f%n", open.size(), closed[0], closed[1],
                    closed[0] == 0 ? 0 : keptSeconds[0] / closed[0], closed[1] == 0 ? 0 : keptSeconds[1] / closed[1]));
            Thread.sleep(100);
        }
        for (Slow slow : open) {
            slow.channel.close();
        }
    }

    static void pump(Socket from, Socket to, Set<Socket> open) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[65536];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
            } catch (IOException closed) {
                // one side went
            } finally {
                close(from);
                close(to);
                open.remove(from);
                open.remove(to);
            }
        });
        t.setDaemon(true);
        t.start();
    }

    static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closed already
        }
    }
}
