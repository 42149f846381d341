package io.cssgateway.harness;

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
public final class Mailbox implements AutoCloseable {

    private final int port;
    private GreenMail server;

    public Mailbox() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        start();
    }

    public int port() {
        return port;
    }

    public void start() {
        server = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        server.start();
    }

    public void stop() {
        server.stop();
    }

    /** Waits up to {@code millis} for {@code count} mails in all, and returns every mail received so far. */
    public List<Mail> await(int count, long millis) {
        server.waitForIncomingEmail(millis, count);
        return received();
    }

    public List<Mail> received() {
        List<Mail> mails = new ArrayList<>();
        for (MimeMessage message : server.getReceivedMessages()) {
            mails.add(new Mail(message));
        }
        return mails;
    }

    /** Forgets the mails received so far. */
    public void clear() throws Exception {
        server.purgeEmailFromAllMailboxes();
    }

    @Override
    public void close() {
        server.stop();
    }

    /** One received mail, read as a test needs it. */
    public static final class Mail {
        public final String subject;
        public final List<String> to;
        public final String text;
        public final String html;

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
