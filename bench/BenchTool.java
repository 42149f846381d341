import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
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
 *   smtp PORT FILE                      an SMTP server (GreenMail) that writes its mail count to FILE every second
 *   proxy PORT TARGET CUT_FILE          a TCP proxy on 127.0.0.1 that drops and refuses connections while
 *                                       CUT_FILE exists (a broker outage, as the gateway sees it)
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
            case "consume" -> consume(args[1], Path.of(args[2]));
            case "proxy" -> proxy(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
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
        while (System.currentTimeMillis() < end) {
            Files.writeString(countFile, Integer.toString(mail.getReceivedMessages().length));
            Thread.sleep(1000);
        }
        mail.stop();
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
