package io.cssgateway;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A real SMTP server (GreenMail) on a free 127.0.0.1 port that a test can stop and start again. */
final class Mailbox implements AutoCloseable {

    private final int port;
    private GreenMail server;

    Mailbox() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        start();
    }

    int port() {
        return port;
    }

    void start() {
        server = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        server.start();
    }

    void stop() {
        server.stop();
    }

    /** Waits up to {@code millis} for {@code count} mails in all, and returns every mail received so far. */
    List<Mail> await(int count, long millis) {
        server.waitForIncomingEmail(millis, count);
        return received();
    }

    List<Mail> received() {
        List<Mail> mails = new ArrayList<>();
        for (MimeMessage message : server.getReceivedMessages()) {
            mails.add(new Mail(message));
        }
        return mails;
    }

    /** Forgets the mails received so far. */
    void clear() throws Exception {
        server.purgeEmailFromAllMailboxes();
    }

    @Override
    public void close() {
        server.stop();
    }

    /** One received mail, read as a test needs it. */
    static final class Mail {
        final String subject;
        final List<String> to;
        final String text;
        final String html;

        Mail(MimeMessage message) {
            try {
                subject = message.getSubject();
                to = Arrays.stream(message.getRecipients(Message.RecipientType.TO)).map(Object::toString).toList();
                String plain = null;
                String rich = null;
                if (message.getContent() instanceof MimeMultipart multipart) {
                    for (int i = 0; i < multipart.getCount(); i++) {
                        BodyPart part = multipart.getBodyPart(i);
                        if (part.isMimeType("text/plain")) {
                            plain = part.getContent().toString();
                        } else if (part.isMimeType("text/html")) {
                            rich = part.getContent().toString();
                        }
                    }
                }
                text = plain;
                html = rich;
            } catch (Exception e) {
                throw new IllegalStateException("unreadable mail", e);
            }
        }

        @Override
        public String toString() {
            return to + " " + subject;
        }
    }
}
