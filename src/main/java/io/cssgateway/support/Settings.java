package io.cssgateway.support;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Reads the gateway's configuration keys (application.properties, {@code -D}, the environment, through Camel's
 * properties component), saying which key is missing or malformed. Each stage reads its own keys through it, where
 * its beans are built ({@code <Stage>Beans}); what each key means is written beside it in application.properties.
 */
public record Settings(CamelContext camelContext) {

    public String text(String key) {
        return camelContext.getPropertiesComponent().resolveProperty(key)
                .orElseThrow(() -> new IllegalStateException("configuration key " + key + " is not set"))
                .strip();
    }

    /** The key's value, or "" when it is not set. */
    public String optional(String key) {
        return camelContext.getPropertiesComponent().resolveProperty(key).orElse("").strip();
    }

    /** A comma-separated list; empty when the key is not set or blank. */
    public List<String> list(String key) {
        return Arrays.stream(optional(key).split(",")).map(String::strip).filter(v -> !v.isEmpty()).toList();
    }

    /**
     * The keys starting with {@code prefix} as written in the configuration files (application.properties, the
     * profile's file, Karaf's configuration) and the -D options, their values unresolved ({@code {{env:X}}} as such).
     */
    public Properties written(String prefix) {
        Properties written = new Properties();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(prefix))
                .forEach(k -> written.setProperty(k, System.getProperty(k)));
        written.putAll(camelContext.getPropertiesComponent().loadProperties(k -> k.startsWith(prefix)));
        return written;
    }

    public boolean bool(String key) {
        String value = text(key);
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalStateException(key + " must be true or false, got '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    public long integer(String key) {
        String value = text(key);
        if (!Integers.isInteger(value)) {
            throw new IllegalStateException(key + " must be a whole number, got '" + value + "'");
        }
        return Long.parseLong(value);
    }

    public long positive(String key) {
        long value = integer(key);
        if (value < 1) {
            throw new IllegalStateException(key + " must be 1 or more, got " + value);
        }
        return value;
    }

    /**
     * This instance's name, in audit lines and alerts: {@code gateway.instance}, or the host's name and the process id,
     * so that two instances on one host differ.
     */
    public String instance() {
        String configured = optional("gateway.instance");
        if (!configured.isEmpty()) {
            return configured;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    /**
     * A Camel context, not started, that reads the gateway's configuration as the gateway does (the profile's file,
     * application.properties, -D, the environment), for the command-line tools.
     */
    public static DefaultCamelContext forCommandLine() {
        String profile = System.getProperty("camel.main.profile",
                System.getenv().getOrDefault("CAMEL_MAIN_PROFILE", "prod"));
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setLocation(
                "file:application-" + profile + ".properties;optional=true,file:application.properties");
        return camel;
    }
}
