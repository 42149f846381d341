package io.cssgateway.alert;

import io.cssgateway.support.ExchangeProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.ExchangeProperty;

/**
 * Keeps a digest that could not be mailed after its last try, as a mail file (headers and text) that an
 * operator can read or resend: {@code digest-<time>-<n>.eml} under the configured folder.
 */
public final class UndeliveredDigests {

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path dir;
    private final String from;
    private final Clock clock;
    private final AtomicInteger counter = new AtomicInteger();

    public UndeliveredDigests(Path dir, String from, Clock clock) {
        this.dir = dir;
        this.from = from;
        this.clock = clock;
    }

    /** Writes the digest (fsynced) and returns the file's path. */
    public String keep(@ExchangeProperty(ExchangeProperties.DIGEST) AlertDigest digest) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("digest-" + STAMP.format(clock.instant()) + "-" + counter.incrementAndGet() + ".eml");
        String mail = "From: " + from + "\r\nTo: " + digest.getRecipients() + "\r\nSubject: " + digest.getSubject()
                + "\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + digest.getText().replace("\n", "\r\n");
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(mail.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        return file.toString();
    }
}
