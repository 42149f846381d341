package io.cssgateway.publish;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import com.rabbitmq.client.ShutdownSignalException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Says why RabbitMQ did not take an event, in a sentence that names the cause and what to set: a permission the
 * user lacks (which one, on which resource, for which operation), an exchange or queue that does not exist, a TLS
 * failure (the trust, the host name, or the client certificate), a refused login, a broker out of reach. Never a
 * bare {@code IOException}: the client wraps the broker's answer two or three levels deep.
 */
public final class BrokerFailures {

    // "ACCESS_REFUSED - access to exchange 'css.events' in vhost '/' refused for user 'app'"
    private static final Pattern REFUSED = Pattern.compile(
            "access to (exchange|queue) '([^']*)' in vhost '([^']*)' refused for user '([^']*)'");
    // "NOT_FOUND - no exchange 'css.events' in vhost '/'"
    private static final Pattern NOT_FOUND = Pattern.compile("no (exchange|queue) '([^']*)' in vhost '([^']*)'");

    /** AMQP operations by class and method id, with the permission RabbitMQ checks for each. */
    private static final Map<Integer, String[]> OPERATIONS = Map.of(
            40 * 1000 + 10, new String[] {"declare", "configure"},
            40 * 1000 + 20, new String[] {"delete", "configure"},
            50 * 1000 + 10, new String[] {"declare", "configure"},
            50 * 1000 + 20, new String[] {"bind to", "write (on the queue) and read (on the exchange)"},
            50 * 1000 + 40, new String[] {"delete", "configure"},
            60 * 1000 + 20, new String[] {"consume from", "read"},
            60 * 1000 + 40, new String[] {"publish to", "write"},
            60 * 1000 + 70, new String[] {"get from", "read"});

    private BrokerFailures() {}

    /** What went wrong, for the log and readiness. */
    public static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown cause";
        }
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String told = describeOne(c);
            if (told != null) {
                return told;
            }
        }
        return reason(failure);
    }

    private static String describeOne(Throwable c) {
        if (c instanceof ShutdownSignalException shutdown && shutdown.getReason() != null) {
            return closed(shutdown.getReason());
        }
        if (c instanceof PossibleAuthenticationFailureException) {
            return "RabbitMQ refused the login (" + c.getMessage() + "): check gateway.rabbitmq.username and "
                    + "password (or, with gateway.rabbitmq.auth-mechanism=EXTERNAL, the client certificate's name)";
        }
        if (c instanceof SSLException) {
            return tls(c);
        }
        if (c instanceof SocketException && inTlsHandshake(c)) {
            // the broker sent its alert and closed while the client still wrote: the alert is never read
            return "TLS: RabbitMQ closed the connection during the TLS handshake (" + c.getMessage() + "): it may "
                    + "have refused the gateway's client certificate (gateway.rabbitmq.tls.key-store) or its TLS settings";
        }
        if (c instanceof ConnectException || c instanceof SocketTimeoutException || c instanceof UnknownHostException) {
            return "RabbitMQ cannot be reached (" + c.getClass().getSimpleName() + ": " + c.getMessage() + ")";
        }
        return null;
    }

    private static String closed(Method reason) {
        int code;
        String text;
        int classId;
        int methodId;
        if (reason instanceof AMQP.Channel.Close close) {
            code = close.getReplyCode();
            text = close.getReplyText();
            classId = close.getClassId();
            methodId = close.getMethodId();
        } else if (reason instanceof AMQP.Connection.Close close) {
            code = close.getReplyCode();
            text = close.getReplyText();
            classId = close.getClassId();
            methodId = close.getMethodId();
        } else {
            return null;
        }
        String[] operation = OPERATIONS.get(classId * 1000 + methodId);
        Matcher refused = REFUSED.matcher(text);
        if (code == AMQP.ACCESS_REFUSED && refused.find()) {
            String kind = refused.group(1);
            String name = refused.group(2);
            return "RabbitMQ refused user '" + refused.group(4) + "' to " + (operation == null ? "use" : operation[0])
                    + " " + kind + " '" + name + "' in virtual host '" + refused.group(3) + "': it needs "
                    + (operation == null ? "a permission" : operation[1] + " permission") + " on " + kind + " '"
                    + name + "' (" + text + ")";
        }
        Matcher missing = NOT_FOUND.matcher(text);
        if (code == AMQP.NOT_FOUND && missing.find()) {
            return "the " + missing.group(1) + " '" + missing.group(2) + "' does not exist in virtual host '"
                    + missing.group(3) + "': have it declared (docs/rabbitmq.md), or set gateway.rabbitmq.topology="
                    + "declare to let the gateway declare it (" + text + ")";
        }
        return "RabbitMQ closed the " + (reason instanceof AMQP.Channel.Close ? "channel" : "connection") + ": "
                + text + (operation == null ? "" : " (on " + operation[0].strip() + ")");
    }

    private static boolean inTlsHandshake(Throwable c) {
        for (StackTraceElement frame : c.getStackTrace()) {
            if (frame.getClassName().startsWith("sun.security.ssl.")) {
                return true;
            }
        }
        return false;
    }

    private static String tls(Throwable c) {
        String message = String.valueOf(c.getMessage());
        for (Throwable inner = c; inner != null; inner = inner.getCause() == inner ? null : inner.getCause()) {
            if (inner instanceof CertPathBuilderException) {
                return "TLS: RabbitMQ's certificate is not trusted: it is signed by no certificate of "
                        + "gateway.rabbitmq.tls.trust-store (" + message + ")";
            }
            if (inner instanceof CertificateException && String.valueOf(inner.getMessage()).startsWith("No ")) {
                return "TLS: RabbitMQ's certificate does not name the host it was reached at (" + inner.getMessage()
                        + "): use the name the certificate holds in gateway.rabbitmq.addresses";
            }
        }
        if (message.contains("bad_certificate") || message.contains("certificate_required")
                || message.contains("certificate_unknown") || message.contains("unknown_ca")) {
            return "TLS: RabbitMQ refused the gateway's client certificate (" + message
                    + "): check gateway.rabbitmq.tls.key-store, and that the broker trusts its issuer";
        }
        return "TLS with RabbitMQ failed (" + c.getClass().getSimpleName() + ": " + message + ")";
    }

    /** The innermost cause that says something ("Connection refused"), rather than a bare wrapper's class name. */
    static String reason(Throwable cause) {
        if (cause == null) {
            return "unknown cause";
        }
        Throwable telling = cause;
        for (Throwable c = cause; c != null && c.getCause() != c; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                telling = c;
            }
        }
        return telling.getClass().getSimpleName() + ": " + telling.getMessage();
    }
}
