package io.cssgateway.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 between the gateway and RabbitMQ, to cut the connection in a test: {@link #cut()}
 * drops every open connection and refuses new ones until {@link #restore()}; {@link #holdReplies()} passes
 * what the gateway sends but holds back what the broker sends until {@link #releaseReplies()} (a broker that
 * takes messages and does not confirm them); {@link #freezeOpenConnections()} does that for the connections open
 * now, for good, while new ones pass (a connection gone half-open, or stalled).
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final Set<Socket> frozen = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile boolean holdingReplies;

    public TcpProxy(int targetPort) throws IOException {
        this(targetPort, new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    /** A proxy that accepts on {@code server}: a TLS server socket makes it a TLS endpoint in front of the target. */
    public TcpProxy(int targetPort, ServerSocket server) {
        this.targetPort = targetPort;
        this.server = server;
        Thread acceptor = new Thread(this::accept, "tcp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public void cut() {
        cut = true;
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        open.clear();
    }

    public void restore() {
        cut = false;
    }

    public void holdReplies() {
        holdingReplies = true;
    }

    public void releaseReplies() {
        holdingReplies = false;
    }

    public void freezeOpenConnections() {
        frozen.addAll(clients);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (cut) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(client);
                open.add(upstream);
                clients.add(client);
                pump(client, upstream, false);
                pump(upstream, client, true);
            } catch (IOException e) {
                // the server socket closed, or the target refused: the client sees its connection drop
            }
        }
    }

    private void pump(Socket from, Socket to, boolean replies) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    while (replies && (holdingReplies || frozen.contains(to)) && !to.isClosed()) {
                        Thread.sleep(5);
                    }
                    out.write(buffer, 0, n);
                }
            } catch (IOException | InterruptedException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
                clients.remove(replies ? to : from);
                frozen.remove(replies ? to : from);
            }
        }, "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        cut();
        server.close();
    }
}
