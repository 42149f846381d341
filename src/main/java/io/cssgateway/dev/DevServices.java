package io.cssgateway.dev;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.cssgateway.support.Settings;
import jakarta.mail.internet.MimeMessage;
import java.io.OutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.qpid.server.SystemLauncher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dev profile's zero-install services, in this process: an AMQP 0-9-1 broker (Apache Qpid Broker-J, in
 * memory) with the gateway's exchange and its alternate exchange, and an SMTP server (GreenMail) whose mail
 * is also written as .eml files. Started before the gateway connects, stopped after it; never in prod.
 */
public final class DevServices extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(DevServices.class);

    private final int amqpPort;
    private final int smtpPort;
    private final String exchange;
    private final String alternateExchange;
    private final Path mailDir;
    private SystemLauncher broker;
    private GreenMail mailbox;
    private ScheduledExecutorService mailWriter;
    private int mailsWritten;

    /** The dev services of {@code gateway.dev.*}, for the gateway's exchanges. */
    public static DevServices of(Settings settings) {
        return new DevServices((int) settings.integer("gateway.dev.amqp-port"),
                (int) settings.integer("gateway.dev.smtp-port"), settings.text("gateway.rabbitmq.exchange"),
                settings.text("gateway.rabbitmq.alternate-exchange"), Path.of(settings.text("gateway.dev.mail-dir")));
    }

    /** The queue of the dev tap (routes/dev/dev.camel.yaml): bound to every routing key, gone with its consumer. */
    public static String tapQueue(Settings settings) {
        return settings.text("gateway.dev.tap-queue");
    }

    public DevServices(int amqpPort, int smtpPort, String exchange, String alternateExchange, Path mailDir) {
        this.amqpPort = amqpPort;
        this.smtpPort = smtpPort;
        this.exchange = exchange;
        this.alternateExchange = alternateExchange;
        this.mailDir = mailDir;
    }

    @Override
    protected void doStart() throws Exception {
        URL config = DevServices.class.getResource("/dev/qpid-initial-config.json");
        Map<String, String> context = new HashMap<>();
        context.put("qpid.amqp_port", Integer.toString(amqpPort));
        context.put("gateway.exchange", exchange);
        context.put("gateway.alternate_exchange", alternateExchange);
        context.put("qpid.work_dir", Files.createTempDirectory("css-gateway-dev-broker").toString());
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("type", "Memory");
        attributes.put("initialConfigurationLocation", config.toExternalForm());
        attributes.put("context", context);
        attributes.put("startupLoggedToSystemOut", false);
        broker = new SystemLauncher();
        try {
            broker.startup(attributes);
        } catch (Exception e) {
            throw new IllegalStateException("The dev broker could not start on 127.0.0.1:" + amqpPort
                    + " (is another gateway running? set gateway.dev.amqp-port): " + e.getMessage(), e);
        }
        LOG.info("Dev broker (Apache Qpid Broker-J, in memory) listening on 127.0.0.1:{}", amqpPort);

        mailbox = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mailbox.start();
        Files.createDirectories(mailDir);
        mailWriter = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "dev-mail-writer"));
        mailWriter.scheduleWithFixedDelay(this::writeNewMails, 1, 1, TimeUnit.SECONDS);
        LOG.info("Dev mailbox (GreenMail SMTP) listening on 127.0.0.1:{}; mails are written to {}", smtpPort, mailDir);
    }

    private synchronized void writeNewMails() {
        MimeMessage[] received = mailbox.getReceivedMessages();
        for (; mailsWritten < received.length; mailsWritten++) {
            Path file = mailDir.resolve(String.format("mail-%05d.eml", mailsWritten + 1));
            try (OutputStream out = Files.newOutputStream(file)) {
                received[mailsWritten].writeTo(out);
                LOG.info("Dev mailbox: mail to {} written to {}", String.join(",",
                        java.util.Arrays.stream(received[mailsWritten].getAllRecipients()).map(Object::toString).toList()),
                        file);
            } catch (Exception e) {
                LOG.warn("Dev mailbox: mail not written to {}: {}", file, e.toString());
            }
        }
    }

    @Override
    protected void doStop() {
        if (mailWriter != null) {
            mailWriter.shutdownNow();
            writeNewMails();
        }
        if (mailbox != null) {
            mailbox.stop();
        }
        if (broker != null) {
            broker.shutdown();
        }
    }
}
