package io.cssgateway.spool;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cssgateway.event.OutgoingEvent;
import io.cssgateway.support.ExchangeProperties;
import io.cssgateway.support.Integers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local store-and-forward spool: an event that cannot be published when it comes is kept here, one file per
 * event, on disk (written, fsynced, renamed into place, folder fsynced) before it is answered 200; the drain
 * route publishes the files oldest first and removes each once the broker confirmed it.
 * <p>
 * A file holds the {@link OutgoingEvent} as it would have been published: a first line of JSON with its routing key,
 * message id, timestamp and headers, then its body, byte for byte. (Files of earlier versions, one JSON object with
 * the body inside, are read too.)
 * <p>
 * One gateway at a time uses a spool folder: it holds the OS's lock on the folder's {@code .lock} file while it runs.
 */
public final class Spool {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final String SUFFIX = ".event";
    private static final String UNREADABLE = "unreadable";

    private static final String LOCK = ".lock";
    private static final int ROUNDS_PER_LISTING = 10;

    private final Path dir;
    private FileLock lock;
    private final Deque<Path> toDrain = new ArrayDeque<>();
    // decimals kept as written, for the bodies of files of earlier versions
    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true)).build();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger depth = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile long lastReadFailureLogged;

    /**
     * Takes the folder for this gateway alone; throws {@link IllegalStateException} when another gateway (process or
     * Camel context) holds it, since two drains of one spool would publish its events twice.
     */
    public Spool(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            lock = lock(dir);
            removeUnfinished();
            depth.set(count());
        } catch (IOException e) {
            // the gateway still starts: events are published directly, and a spool that cannot be written is a 503
            LOG.error("Spool folder {} is not usable: {}", dir, e.toString());
        }
        if (depth.get() > 0) {
            LOG.warn("Spool {} holds {} events from an earlier run: they are published as soon as RabbitMQ takes them",
                    dir, depth.get());
        }
    }

    /**
     * The folder's lock: the OS's, on {@value #LOCK}, so that it goes with the process however it ends (a SIGKILL too),
     * and a restart, or another gateway started on the same folder, takes the folder and drains it. The file names who
     * holds it, for the message another gateway gives.
     */
    private static FileLock lock(Path dir) throws IOException {
        Path file = dir.resolve(LOCK);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock taken;
        try {
            taken = channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            taken = null;
        }
        if (taken == null) {
            String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
            channel.close();
            throw new IllegalStateException("spool folder " + dir + " is in use by another gateway (" + holder + "): "
                    + "each instance needs a gateway.spool.dir of its own; a stopped instance's spool is drained by "
                    + "starting a gateway on it (docs/scaling-out.md)");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " on " + hostName() + " since "
                + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8)));
        channel.force(false);
        return taken;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "an unknown host";
        }
    }

    /** Lets the folder go (when Camel stops), for a restart or another gateway. */
    public synchronized void close() {
        if (lock != null) {
            try {
                lock.channel().close();
            } catch (IOException e) {
                LOG.warn("Spool folder {} lock could not be released: {}", dir, e.toString());
            }
            lock = null;
        }
    }

    /**
     * Keeps the event on disk; throws {@link HandOffFailedException} when it cannot, so that it is answered 503 and the
     * provider retries it.
     */
    public void keep(OutgoingEvent event) {
        try {
            write(event);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Event {} could not be spooled either ({}): answered 503, the provider retries it",
                    event.messageId(), e.toString());
            throw new HandOffFailedException(e);
        }
    }

    private void write(OutgoingEvent event) throws IOException {
        var out = new ByteArrayOutputStream(event.body().length + 256);
        try (JsonGenerator gen = json.getFactory().createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("routing_key", event.routingKey());
            gen.writeStringField("message_id", event.messageId());
            gen.writeNumberField("timestamp", event.timestamp());
            gen.writeObjectField("headers", event.headers());
            gen.writeEndObject();
        }
        out.write('\n');
        out.write(event.body());
        String name = String.format("%013d-%010d", System.currentTimeMillis(), sequence.incrementAndGet());
        Path partial = dir.resolve(name + ".partial");
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(out.toByteArray());
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(partial, dir.resolve(name + SUFFIX), StandardCopyOption.ATOMIC_MOVE);
        syncFolder();
        int now = depth.incrementAndGet();
        if (now == 1) {
            // the broker's reminders say how many wait (BrokerState)
            LOG.warn("Spool: events are kept in {} until RabbitMQ takes them", dir);
        }
    }

    /**
     * The drain's next round: the oldest spooled events not yet handed to it, at most {@code max}. One listing of the
     * folder serves {@value #ROUNDS_PER_LISTING} rounds (a million files take half a second to list here): the names
     * it found wait in memory, a few MB at most. A file whose publish failed is found again by the next listing.
     */
    public synchronized List<Path> nextToDrain(int max) {
        if (toDrain.isEmpty()) {
            toDrain.addAll(oldest(max * ROUNDS_PER_LISTING));
        }
        List<Path> next = new ArrayList<>(Math.min(max, toDrain.size()));
        while (next.size() < max && !toDrain.isEmpty()) {
            next.add(toDrain.poll());
        }
        return next;
    }

    /** The oldest spooled events, at most {@code max}. */
    public List<Path> oldest(int max) {
        try {
            return list(max);
        } catch (IOException e) {
            throw new SpoolReadException("spool folder " + dir + " could not be listed: " + e, e);
        }
    }

    /** The event a spool file holds, as it was when it was first to be published. */
    public OutgoingEvent load(@ExchangeProperty(ExchangeProperties.SPOOL_FILE) Path file) {
        try {
            return read(Files.readAllBytes(file));
        } catch (JsonProcessingException | RuntimeException corrupt) {
            putAside(file, corrupt);
            throw new SpoolReadException("spooled event " + file + " is not readable, moved to " + UNREADABLE, corrupt);
        } catch (IOException e) {
            throw new SpoolReadException("spooled event " + file + " could not be read: " + e, e);
        }
    }

    private OutgoingEvent read(byte[] file) throws IOException {
        int newline = indexOf(file, (byte) '\n');
        JsonNode envelope = json.readTree(newline < 0 ? file : Arrays.copyOf(file, newline));
        byte[] body = envelope.has("body")
                ? json.writeValueAsBytes(envelope.get("body"))
                : Arrays.copyOfRange(file, newline + 1, file.length);
        Map<String, Object> headers = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = envelope.get("headers").fields(); it.hasNext(); ) {
            var header = it.next();
            JsonNode value = header.getValue();
            headers.put(header.getKey(), value.isInt() ? (Object) value.intValue()
                    : value.isBoolean() ? (Object) value.booleanValue() : value.asText());
        }
        return new OutgoingEvent(envelope.get("routing_key").asText(), envelope.get("message_id").asText(),
                envelope.get("timestamp").asLong(), headers, body);
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A file that does not parse would stop every drain: it goes to a folder of its own, for an operator to look at.
     * Never one this gateway wrote whole (written, fsynced, then renamed into place).
     */
    private void putAside(Path file, Exception cause) {
        try {
            Path aside = Files.createDirectories(dir.resolve(UNREADABLE)).resolve(file.getFileName());
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            depth.decrementAndGet();
            LOG.error("Spooled event {} is not readable ({}): moved to {}, the drain goes on without it", file,
                    cause.getMessage(), aside);
        } catch (IOException e) {
            LOG.error("Spooled event {} is not readable ({}) and could not be moved aside: {}", file,
                    cause.getMessage(), e.toString());
        }
    }

    /** Tells that the spool could not be read, once per minute at most while it lasts. */
    public void readFailed(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception failure) {
        long now = System.nanoTime();
        if (now - lastReadFailureLogged > TimeUnit.MINUTES.toNanos(1) || lastReadFailureLogged == 0) {
            lastReadFailureLogged = now;
            LOG.warn("Spool not drained this round ({}): the next round tries again", failure.getMessage());
        }
    }

    /** The event is on RabbitMQ (confirmed): its file goes. */
    public void remove(@ExchangeProperty(ExchangeProperties.SPOOL_FILE) Path file) throws IOException {
        try {
            Files.delete(file);
            int left = depth.decrementAndGet();
            if (left == 0) {
                draining.set(false);
                LOG.info("Spool: empty, every spooled event is on RabbitMQ");
            } else if (draining.compareAndSet(false, true)) {
                LOG.info("Spool: draining, {} event(s) left to publish", left);
            }
        } catch (NoSuchFileException alreadyGone) {
            // removed by an earlier drain that was cut short after the confirm: nothing left to do
        }
    }

    /** How many events wait in the spool. */
    public int depth() {
        return depth.get();
    }

    /**
     * The spooled events by event type ({@code css_event_type}; "unknown" for a file without it), counted over the
     * {@code max} oldest files: the first line of each is read. Empty when none waits.
     */
    public Map<String, Integer> byEventType(int max) {
        Map<String, Integer> counts = new TreeMap<>();
        if (depth.get() == 0) {
            return counts;
        }
        for (Path file : oldest(max)) {
            String type = "unknown";
            try (var lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String first = lines.readLine();
                JsonNode eventType = first == null ? null : json.readTree(first).path("headers").get("css_event_type");
                if (eventType != null && !eventType.isNull()) {
                    type = eventType.asText();
                }
            } catch (NoSuchFileException drained) {
                continue;
            } catch (IOException | RuntimeException unreadable) {
                // counted as unknown: the drain sets it aside when it comes to it
            }
            counts.merge(type, 1, Integer::sum);
        }
        return counts;
    }

    /** How long the oldest spooled event has waited, in seconds; 0 when none waits. Lists the folder. */
    public long oldestAgeSeconds() {
        if (depth.get() == 0) {
            return 0;
        }
        List<Path> oldest = oldest(1);
        if (oldest.isEmpty()) {
            return 0;
        }
        // a spool file's name begins with the milliseconds at which it was written
        String name = oldest.get(0).getFileName().toString();
        String writtenAt = name.substring(0, Math.min(13, name.length()));
        return Integers.isInteger(writtenAt)
                ? Math.max(0, (System.currentTimeMillis() - Long.parseLong(writtenAt)) / 1000) : 0;
    }

    /**
     * The {@code max} oldest files, sorted: one pass over the folder keeping only the {@code max} smallest names, so that
     * a spool of a million events costs a listing per round, not a million paths in memory.
     */
    private List<Path> list(int max) throws IOException {
        PriorityQueue<Path> newestKept = new PriorityQueue<>(Comparator.reverseOrder());
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : stream) {
                if (newestKept.size() < max) {
                    newestKept.add(file);
                } else if (file.compareTo(newestKept.peek()) < 0) {
                    newestKept.poll();
                    newestKept.add(file);
                }
            }
        }
        List<Path> files = new ArrayList<>(newestKept);
        files.sort(null);
        return files;
    }

    private int count() throws IOException {
        int count = 0;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path ignored : stream) {
                count++;
            }
        }
        return count;
    }

    private void removeUnfinished() throws IOException {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.partial")) {
            for (Path partial : stream) {
                // never renamed into place, so never answered 200: the provider retried it
                Files.deleteIfExists(partial);
            }
        }
    }

    private void syncFolder() throws IOException {
        try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
            folder.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("spool folder " + dir + " could not be synced", e);
        }
    }
}
