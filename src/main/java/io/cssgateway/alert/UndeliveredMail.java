package io.cssgateway.alert;

import io.cssgateway.support.ExchangeProperties;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
 * Keeps an alert mail that could not be sent after its last try, as a mail file (headers and text) that an operator
 * can read or resend: {@code digest-<time>-<n>.eml} (an interruption digest) or {@code alert-<time>-<n>.eml} under
 * the configured folder.
 */
public final class UndeliveredMail {

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path dir;
    private final String from;
    private final Clock clock;
    private final AtomicInteger counter = new AtomicInteger();

    public UndeliveredMail(Path dir, String from, Clock clock) {
        this.dir = dir;
        this.from = from;
        this.clock = clock;
    }

    /** Writes the mail (fsynced) and returns the file's path. */
    public String keep(@ExchangeProperty(ExchangeProperties.DELIVERY) AlertDelivery delivery) throws IOException {
        Files.createDirectories(dir);
        String prefix = delivery.getKind().equals("interruptions") ? "digest-" : "alert-";
        Path file = dir.resolve(prefix + STAMP.format(clock.instant()) + "-" + counter.incrementAndGet() + ".eml");
        String mail = "From: " + from + "\r\nTo: " + delivery.getRecipients() + "\r\nSubject: " + delivery.getSubject()
                + "\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + delivery.getText().replace("\n", "\r\n");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(mail.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        return file.toString();
    }
}
