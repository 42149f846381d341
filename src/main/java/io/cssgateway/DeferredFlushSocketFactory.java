package io.cssgateway;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.net.SocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain TCP sockets for the publishing connections, whose output can hold back its flushes for a batch: the
 * RabbitMQ client flushes its socket after every command, one write system call per published message; a
 * thread that publishes many messages at once inside {@link #inOneWrite} has them sent with one write at the
 * end. Measured in bench/: those writes took about 8% of the gateway's CPU samples under load. Outside a batch,
 * and for every other thread (the client's heartbeats, channels opening), each flush writes at once, as before.
 */
final class DeferredFlushSocketFactory extends SocketFactory {

    private static final Logger LOG = LoggerFactory.getLogger(DeferredFlushSocketFactory.class);

    /** The streams the current thread held a flush back on; set only while it runs a batch. */
    private static final ThreadLocal<Set<DeferringOutputStream>> HELD_BACK = new ThreadLocal<>();

    /** Runs the publishes, then writes what they held back: once per connection they used. */
    static void inOneWrite(Runnable publishes) {
        Set<DeferringOutputStream> heldBack = new LinkedHashSet<>();
        HELD_BACK.set(heldBack);
        try {
            publishes.run();
        } finally {
            HELD_BACK.remove();
            for (DeferringOutputStream stream : heldBack) {
                try {
                    stream.flushHeldBack();
                } catch (IOException e) {
                    // the connection is broken: its reader sees it too and fails what waits for a confirm
                    LOG.debug("Publishing connection's socket write failed: {}", e.toString());
                }
            }
        }
    }

    @Override
    public Socket createSocket() {
        return new DeferringSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private static Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket socket = new DeferringSocket();
        if (local != null) {
            socket.bind(local);
        }
        socket.connect(remote);
        return socket;
    }

    private static final class DeferringSocket extends Socket {

        private OutputStream output;

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (output == null) {
                output = new DeferringOutputStream(super.getOutputStream());
            }
            return output;
        }
    }

    /** Buffers what is written; a flush writes it, unless the flushing thread is in a batch. */
    private static final class DeferringOutputStream extends OutputStream {

        private final OutputStream socket;
        private final byte[] buffer = new byte[64 * 1024];
        private int count;

        DeferringOutputStream(OutputStream socket) {
            this.socket = socket;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            if (count == buffer.length) {
                writeBuffer();
            }
            buffer[count++] = (byte) b;
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            if (length > buffer.length - count) {
                writeBuffer();
            }
            if (length >= buffer.length) {
                socket.write(bytes, offset, length);
            } else {
                System.arraycopy(bytes, offset, buffer, count, length);
                count += length;
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            Set<DeferringOutputStream> heldBack = HELD_BACK.get();
            if (heldBack != null) {
                heldBack.add(this);
                return;
            }
            flushHeldBack();
        }

        synchronized void flushHeldBack() throws IOException {
            writeBuffer();
            socket.flush();
        }

        private void writeBuffer() throws IOException {
            if (count > 0) {
                socket.write(buffer, 0, count);
                count = 0;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
