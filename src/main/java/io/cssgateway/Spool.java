package io.cssgateway;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local store-and-forward spool: an event that cannot be published when it comes is kept here, one file per
 * event, on disk (written, fsynced, renamed into place, folder fsynced) before it is answered 200; the drain
 * route publishes the files oldest first and removes each once the broker confirmed it. A file holds the whole
 * message as it would have been published: routing key, message id, timestamp, css_* headers and body.
 */
public final class Spool {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final String SUFFIX = ".event";
    private static final String UNREADABLE = "unreadable";

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger depth = new AtomicInteger();
    private volatile long lastReadFailureLogged;

    public Spool(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            removeUnfinished();
            depth.set(list(Integer.MAX_VALUE).size());
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
     * Keeps the prepared message of this exchange on disk; throws {@link HandOffFailedException} when it cannot, so
     * that it is answered 503 and the provider retries it.
     */
    public void keep(Exchange exchange) {
        try {
            write(exchange);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Event {} could not be spooled either ({}): answered 503, the provider retries it",
                    exchange.getProperty("eventId"), e.toString());
            throw new HandOffFailedException(e);
        }
    }

    private void write(Exchange exchange) throws IOException {
        Message message = exchange.getMessage();
        var out = new ByteArrayOutputStream(1024);
        try (JsonGenerator gen = json.getFactory().createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("routing_key", exchange.getProperty("routingKey", String.class));
            gen.writeStringField("message_id", exchange.getProperty("eventId", String.class));
            gen.writeNumberField("timestamp", exchange.getProperty("eventTime", Date.class).getTime());
            gen.writeObjectFieldStart("headers");
            for (Map.Entry<String, Object> header : message.getHeaders().entrySet()) {
                if (header.getKey().startsWith("css_")) {
                    gen.writeObjectField(header.getKey(), header.getValue());
                }
            }
            gen.writeEndObject();
            gen.writeFieldName("body");
            gen.writeRawValue(new String(message.getMandatoryBody(byte[].class), java.nio.charset.StandardCharsets.UTF_8));
            gen.writeEndObject();
        } catch (org.apache.camel.InvalidPayloadException e) {
            throw new IOException("no message to spool", e);
        }
        String name = String.format("%013d-%010d", System.currentTimeMillis(), sequence.incrementAndGet());
        Path partial = dir.resolve(name + ".partial");
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(out.toByteArray()));
            channel.force(true);
        }
        Files.move(partial, dir.resolve(name + SUFFIX), StandardCopyOption.ATOMIC_MOVE);
        syncFolder();
        int now = depth.incrementAndGet();
        if (now == 1 || now % 1000 == 0) {
            LOG.warn("Spool: {} event(s) waiting in {} for RabbitMQ", now, dir);
        }
    }

    /** The oldest spooled events, at most {@code max}. */
    public List<Path> oldest(int max) {
        try {
            return list(max);
        } catch (IOException e) {
            throw new SpoolReadException("spool folder " + dir + " could not be listed: " + e, e);
        }
    }

    /** Puts a spooled message back into the exchange, as it was when it was first to be published. */
    public void load(@ExchangeProperty("spoolFile") Path file, Exchange exchange) {
        JsonNode envelope;
        byte[] body;
        try {
            envelope = json.readTree(file.toFile());
            body = json.writeValueAsBytes(envelope.get("body"));
        } catch (JsonProcessingException corrupt) {
            putAside(file, corrupt);
            throw new SpoolReadException("spooled event " + file + " is not readable, moved to " + UNREADABLE, corrupt);
        } catch (IOException e) {
            throw new SpoolReadException("spooled event " + file + " could not be read: " + e, e);
        }
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        for (Iterator<Map.Entry<String, JsonNode>> it = envelope.get("headers").fields(); it.hasNext(); ) {
            var header = it.next();
            JsonNode value = header.getValue();
            message.setHeader(header.getKey(), value.isInt() ? (Object) value.intValue() : value.asText());
        }
        message.setBody(body);
        exchange.setProperty("routingKey", envelope.get("routing_key").asText());
        exchange.setProperty("eventId", envelope.get("message_id").asText());
        exchange.setProperty("eventTime", new Date(envelope.get("timestamp").asLong()));
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
    public void remove(@ExchangeProperty("spoolFile") Path file) throws IOException {
        try {
            Files.delete(file);
            if (depth.decrementAndGet() == 0) {
                LOG.info("Spool: empty, every spooled event is on RabbitMQ");
            }
        } catch (NoSuchFileException alreadyGone) {
            // removed by an earlier drain that was cut short after the confirm: nothing left to do
        }
    }

    /** How many events wait in the spool. */
    public int depth() {
        return depth.get();
    }

    private List<Path> list(int max) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            stream.forEach(files::add);
        }
        files.sort(null);
        return files.size() > max ? files.subList(0, max) : files;
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
