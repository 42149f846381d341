package io.cssgateway.publish;

import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultSaslConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS to RabbitMQ for every connection the gateway opens (the publisher, the alert consumer, the audit publisher,
 * the topology): the broker's certificate checked against a trust store, its host name verified (unless turned off),
 * and optionally a client certificate, with which the EXTERNAL mechanism logs in without a password.
 *
 * @param trustStore the certificates RabbitMQ's is checked against (PKCS12 or JKS); null: the JVM's own
 * @param keyStore the gateway's client certificate and key; null: none
 * @param external whether to log in with the client certificate (RabbitMQ's rabbitmq_auth_mechanism_ssl)
 */
public record BrokerTls(Store trustStore, Store keyStore, boolean verifyHostName, boolean external) {

    /** A key or trust store file, its type and password. */
    public record Store(Path path, String type, String password) {}

    /** Sets the factory (and so every connection made from it, or from a clone) to connect with TLS. */
    public void applyTo(ConnectionFactory factory) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore == null ? null : load(trustStore, "gateway.rabbitmq.tls.trust-store"));
            KeyManagerFactory keys = null;
            if (keyStore != null) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(load(keyStore, "gateway.rabbitmq.tls.key-store"), password(keyStore));
            }
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            factory.useSslProtocol(context);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS to RabbitMQ could not be set up: " + e.getMessage(), e);
        }
        if (verifyHostName) {
            factory.enableHostnameVerification();
        }
        if (external) {
            if (keyStore == null) {
                throw new IllegalStateException("gateway.rabbitmq.auth-mechanism=EXTERNAL logs in with a client "
                        + "certificate: set gateway.rabbitmq.tls.key-store");
            }
            factory.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        }
    }

    private static KeyStore load(Store store, String key) throws GeneralSecurityException {
        if (!Files.isReadable(store.path())) {
            throw new IllegalStateException(key + " " + store.path() + " cannot be read");
        }
        KeyStore keyStore = KeyStore.getInstance(store.type());
        try (InputStream in = Files.newInputStream(store.path())) {
            keyStore.load(in, password(store));
        } catch (IOException e) {
            // a wrong password shows as an IOException whose cause says so
            throw new IllegalStateException(key + " " + store.path() + " cannot be opened as " + store.type() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                    + " (check its password and type)", e);
        }
        return keyStore;
    }

    private static char[] password(Store store) {
        return store.password() == null || store.password().isEmpty() ? new char[0] : store.password().toCharArray();
    }
}
