package io.cssgateway.harness;

import io.cssgateway.support.Settings;
import io.cssgateway.tenant.Tenants;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Two tenants for the tests: a owns push.a.example.com and *.a.example.com, b owns *.example.com, live.b.example.net
 * and APPID 1250000002; each with a key of the provider's kind, given through a placeholder as from the environment
 * ({@code {{test.key.a}}}: keys written in the configuration are refused).
 */
public final class TestTenants {

    public static final String KEY_A = "TenantAKey0000000000000000000001";
    public static final String KEY_A2 = "TenantAKey0000000000000000000002";
    public static final String KEY_B = "TenantBKey0000000000000000000001";
    /** The placeholders' values, to add to a configuration. */
    public static final Map<String, String> KEYS = Map.of("test.key.a", KEY_A, "test.key.a2", KEY_A2,
            "test.key.b", KEY_B);

    private TestTenants() {}

    /** The settings of the two tenants (a mutable copy). */
    public static Map<String, String> twoTenants() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("gateway.tenants", "a,b");
        settings.put("gateway.tenant.a.domains", "push.a.example.com, *.a.example.com");
        settings.put("gateway.tenant.a.keys", "{{test.key.a}}");
        settings.put("gateway.tenant.b.domains", "*.example.com, live.b.example.net");
        settings.put("gateway.tenant.b.appids", "1250000002");
        settings.put("gateway.tenant.b.keys", "{{test.key.b}}");
        return settings;
    }

    /** The two tenants and their keys' placeholders, as a route test's configuration to add to. */
    public static Properties configuration() {
        Properties configuration = new Properties();
        configuration.putAll(KEYS);
        configuration.putAll(twoTenants());
        return configuration;
    }

    /** The tenants of these settings over application.properties, with the keys' placeholders filled. */
    public static Tenants read(Map<String, String> settings, List<String> flatKeys) throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getPropertiesComponent().setLocation("file:application.properties");
            Properties overrides = new Properties();
            overrides.putAll(KEYS);
            overrides.putAll(settings);
            camel.getPropertiesComponent().setOverrideProperties(overrides);
            return Tenants.read(new Settings(camel), flatKeys);
        }
    }
}
