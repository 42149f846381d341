package io.cssgateway.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Callbacks for tests: the provider's samples (src/test/resources/callbacks), re-signed with a test key. */
public final class TestCallbacks {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final AtomicLong SEQUENCE = new AtomicLong(System.nanoTime());

    private final ObjectNode body;

    private TestCallbacks(ObjectNode body) {
        this.body = body;
    }

    public static TestCallbacks sample(String file) {
        try (InputStream in = TestCallbacks.class.getResourceAsStream("/callbacks/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample callbacks/" + file);
            }
            return new TestCallbacks((ObjectNode) MAPPER.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A sequence no other test uses, so that runs and tests never see each other's events as duplicates. */
    public static String uniqueSequence() {
        return Long.toString(SEQUENCE.incrementAndGet());
    }

    public TestCallbacks with(String field, Object value) {
        body.set(field, MAPPER.valueToTree(value));
        return this;
    }

    public TestCallbacks without(String field) {
        body.remove(field);
        return this;
    }

    public TestCallbacks withUniqueSequence() {
        return with("sequence", uniqueSequence());
    }

    /** Sets t, the signature's expiry. */
    public TestCallbacks signedAt(long t) {
        return with("t", t);
    }

    /** Signs with t ten minutes from now, as the provider does, unless t was set. */
    public TestCallbacks signedWith(String key) {
        if (!body.hasNonNull("t") || body.get("t").asLong() < 1_000_000_000L) {
            signedAt(System.currentTimeMillis() / 1000 + 600);
        }
        return with("sign", md5Hex(key + body.get("t").asText()));
    }

    /** Signs with t ten minutes from now. */
    public TestCallbacks freshlySignedWith(String key) {
        return signedAt(System.currentTimeMillis() / 1000 + 600).signedWith(key);
    }

    public String text(String field) {
        return body.get(field).asText();
    }

    /** Whether the body has this field. */
    public boolean has(String field) {
        return body.has(field);
    }

    /** The names of the provider's samples (src/test/resources/callbacks), in name order. */
    public static List<String> samples() {
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/callbacks"))) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ObjectNode json() {
        return body.deepCopy();
    }

    public String asString() {
        return body.toString();
    }

    public byte[] bytes() {
        return asString().getBytes(StandardCharsets.UTF_8);
    }

    public static String md5Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
