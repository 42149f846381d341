package io.cssgateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cssgateway.harness.TestTenants;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which tenant owns a callback (exact domain, the longest pattern, then the appid), and each configuration error
 * refused at start with its sentence, naming the setting and the tenant and never the key.
 */
class TenantsTest {

    @TempDir
    Path dir;

    private static Tenants read(Map<String, String> settings, List<String> flatKeys) throws Exception {
        return TestTenants.read(settings, flatKeys);
    }

    private static Map<String, String> twoTenants() {
        return TestTenants.twoTenants();
    }

    private String owner(Tenants tenants, String app, Long appid) {
        Tenant tenant = tenants.owner(app, appid == null ? null : appid.toString());
        return tenant == null ? null : tenant.getName();
    }

    @Test
    void anExactDomainThenTheLongestPatternThenTheAppidNameTheTenant() throws Exception {
        Tenants tenants = read(twoTenants(), List.of());

        assertThat(owner(tenants, "push.a.example.com", null)).isEqualTo("a");
        assertThat(owner(tenants, "PUSH.A.Example.com", null)).isEqualTo("a");
        // *.a.example.com (a) is longer than *.example.com (b)
        assertThat(owner(tenants, "x.a.example.com", null)).isEqualTo("a");
        assertThat(owner(tenants, "y.x.a.example.com", null)).isEqualTo("a");
        assertThat(owner(tenants, "c.example.com", null)).isEqualTo("b");
        // a pattern holds the names under it, not the name itself
        assertThat(owner(tenants, "a.example.com", null)).isEqualTo("b");
        assertThat(owner(tenants, "example.com", null)).isNull();
        assertThat(owner(tenants, "live.b.example.net", null)).isEqualTo("b");
        assertThat(owner(tenants, "other.example.net", null)).isNull();
        // no domain of its own: the appid's tenant; a domain wins over an appid
        assertThat(owner(tenants, "other.example.net", 1250000002L)).isEqualTo("b");
        assertThat(owner(tenants, null, 1250000002L)).isEqualTo("b");
        assertThat(owner(tenants, "push.a.example.com", 1250000002L)).isEqualTo("a");
        assertThat(owner(tenants, null, 1250000003L)).isNull();
    }

    @Test
    void theTenantsSettingsAreRead() throws Exception {
        Map<String, String> settings = twoTenants();
        settings.put("gateway.tenant.a.keys", "{{test.key.a}}, {{test.key.a2}}");
        settings.put("gateway.tenant.a.routing-key-prefix", "tenant-a.");
        settings.put("gateway.tenant.a.allowed-sources", "203.0.113.0/24");
        settings.put("gateway.tenant.a.rate-limit", "50");
        settings.put("gateway.tenant.a.unsigned-event-types", "314");
        Tenant a = read(settings, List.of()).named("a");

        assertThat(a.keys()).containsExactly(TestTenants.KEY_A, TestTenants.KEY_A2);
        assertThat(a.getRoutingKeyPrefix()).isEqualTo("tenant-a.");
        assertThat(a.allowsSource("203.0.113.7")).isTrue();
        assertThat(a.allowsSource("198.51.100.7")).isFalse();
        assertThat(a.getRateLimit()).isEqualTo(50);
        assertThat(a.unsignedEventTypes()).containsExactly(314);
        assertThat(a.toString()).doesNotContain(TestTenants.KEY_A).doesNotContain(TestTenants.KEY_A2);
        assertThat(read(settings, List.of()).named("b").allowsSource("198.51.100.7")).isTrue();
    }

    @Test
    void keysComeAlsoFromAFileOnlyItsOwnerReads() throws Exception {
        Path file = dir.resolve("a.keys");
        Files.writeString(file, "# tenant a, rotated 2026-12\n" + TestTenants.KEY_A2 + "\n\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Map<String, String> settings = twoTenants();
        settings.put("gateway.tenant.a.keys-file", file.toString());
        assertThat(read(settings, List.of()).named("a").keys()).containsExactly(TestTenants.KEY_A, TestTenants.KEY_A2);

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        refused(settings, "gateway.tenant.a.keys-file: " + file + " may be read by others than its owner (rw-r--r--): "
                + "chmod 600 it");
    }

    private static void refused(Map<String, String> settings, String sentence) {
        refused(settings, List.of(), sentence);
    }

    private static void refused(Map<String, String> settings, List<String> flatKeys, String sentence) {
        assertThatThrownBy(() -> read(settings, flatKeys)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(sentence)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TestTenants.KEY_A).doesNotContain(TestTenants.KEY_B));
    }

    @Test
    void aDomainBoundToTwoTenantsIsRefused() {
        Map<String, String> settings = twoTenants();
        settings.put("gateway.tenant.b.domains", "PUSH.a.example.com");
        refused(settings, "Push domain push.a.example.com is bound to two tenants, a and b (gateway.tenant.a.domains "
                + "and gateway.tenant.b.domains)");
    }

    @Test
    void aTenantWithoutAKeyIsRefused() {
        Map<String, String> settings = twoTenants();
        settings.remove("gateway.tenant.b.keys");
        refused(settings, "Tenant b has no key, so none of its callbacks could be verified: set gateway.tenant.b.keys = "
                + "{{env:CSS_CALLBACK_KEYS_B:}}");
    }

    @Test
    void aPatternThatMatchesNothingPlausibleIsRefused() {
        for (String domain : List.of("*.com", "localhost", "*", "live.*.example.com", "a b.example.com")) {
            Map<String, String> settings = twoTenants();
            settings.put("gateway.tenant.a.domains", domain);
            refused(settings, "gateway.tenant.a.domains binds '" + domain + "', which matches no push domain");
        }
    }

    @Test
    void aKeyTheProviderWouldNotIssueOrTooShortIsRefusedWithoutShowingIt() {
        Map<String, String> settings = twoTenants();
        settings.put("test.key.a", "short1");
        refused(settings, "The 1st key of tenant a (gateway.tenant.a.keys, then gateway.tenant.a.keys-file) has 6 "
                + "characters, fewer than gateway.signature.min-key-length (16)");
        settings.put("test.key.a", TestTenants.KEY_A + "X");
        refused(settings, "The 1st key of tenant a (gateway.tenant.a.keys, then gateway.tenant.a.keys-file) is not a "
                + "callback key the provider issues: up to 32 letters and digits");
        settings.put("test.key.a", "key-with-dashes-0000");
        refused(settings, "is not a callback key the provider issues");
    }

    @Test
    void keysWrittenInTheConfigurationAreRefused() {
        Map<String, String> settings = twoTenants();
        settings.put("gateway.tenant.a.keys", TestTenants.KEY_A);
        assertThatThrownBy(() -> read(settings, List.of())).hasMessage("gateway.tenant.a.keys holds keys written in "
                + "the configuration: take them from the environment (gateway.tenant.a.keys = "
                + "{{env:CSS_CALLBACK_KEYS_A:}}) or from a file only its owner can read (gateway.tenant.a.keys-file)");
    }

    @Test
    void oneKeyInTwoPlacesIsRefused() {
        Map<String, String> settings = twoTenants();
        settings.put("gateway.tenant.b.keys", "{{test.key.a}}");
        refused(settings, "The 1st key of tenant b is also the key of tenant a");
        refused(twoTenants(), List.of(TestTenants.KEY_A), "The 1st key of tenant a is also the key of gateway.signature.keys, "
                + "which signs for every domain");
    }

    @Test
    void misspeltAndOrphanSettingsAreRefused() {
        Map<String, String> settings = twoTenants();
        settings.put("gateway.tenant.a.domain", "x.example.com");
        refused(settings, "gateway.tenant.a.domain is not a tenant's setting: a tenant has domains, appids, keys");
        settings = twoTenants();
        settings.put("gateway.tenant.c.domains", "c.example.com");
        refused(settings, "gateway.tenant.c.domains is set, but gateway.tenants does not name c (it names a, b)");
        settings = twoTenants();
        settings.put("gateway.tenants", "a,b,a");
        refused(settings, "gateway.tenants names a twice");
        settings.put("gateway.tenants", "a,b,c.d");
        refused(settings, "gateway.tenants names 'c.d': a tenant's name is letters, digits, - and _");
    }

    @Test
    void otherSettingsAreCheckedToo() {
        Map<String, String> settings = twoTenants();
        settings.put("gateway.tenant.a.routing-key-prefix", "tenant-a");
        refused(settings, "gateway.tenant.a.routing-key-prefix is 'tenant-a': a prefix is words of a routing key "
                + "ending with the dot");
        settings = twoTenants();
        settings.put("gateway.tenant.b.appids", "b-account");
        refused(settings, "gateway.tenant.b.appids must list APPIDs (numbers");
        settings = twoTenants();
        settings.put("gateway.tenant.a.rate-limit", "-1");
        refused(settings, "gateway.tenant.a.rate-limit must be 0 (none of its own) or a number of callbacks a second");
        settings = twoTenants();
        settings.put("gateway.tenant.a.alert.webhooks", "ops");
        refused(settings, "gateway.tenant.a.alert.webhooks names 'ops', which gateway.alert.webhooks does not list");
        settings = twoTenants();
        settings.put("gateway.tenant.a.allowed-sources", "a.example.com");
        refused(settings, "gateway.tenant.a.allowed-sources: 'a.example.com' is not an IP address or CIDR block");
        settings = twoTenants();
        settings.remove("gateway.tenant.a.domains");
        refused(settings, "Tenant a binds nothing: set gateway.tenant.a.domains");
    }

    @Test
    void noTenantsOwnNothing() throws Exception {
        Tenants none = read(Map.of(), List.of("flat"));
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.owner("push.a.example.com", "1")).isNull();
        assertThat(Tenants.ordinal(0) + Tenants.ordinal(1) + Tenants.ordinal(2) + Tenants.ordinal(3)
                + Tenants.ordinal(10) + Tenants.ordinal(11) + Tenants.ordinal(21)).isEqualTo("1st2nd3rd4th11th12th22nd");
    }
}
