package io.cssgateway.tenant;

import io.cssgateway.support.CidrBlock;
import io.cssgateway.support.Integers;
import io.cssgateway.support.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The tenants of {@code gateway.tenants}, read and checked at start, and which one owns a callback: the tenant bound
 * to its push domain ({@code app}, or {@code domain} in the types that name it so) by an exact name, else by the
 * longest {@code *.example.com} pattern that matches it, else the tenant bound to its {@code appid}; none when no
 * binding names it. A configuration that would bind one domain, appid or key twice, a tenant without a key, a pattern
 * that matches nothing plausible or a key the provider would not have issued stops the start with a sentence naming
 * the setting and the tenant, never the key.
 */
public final class Tenants {

    /** A tenant's name: in setting names, the css_tenant header, audit lines and metric labels. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
    /** The provider's callback keys: up to 32 letters and digits (the callback template's "callback key"). */
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9]{1,32}");
    /** A push domain as bound: a name of letters, digits, dashes and dots (an IP address too), or *. before one. */
    private static final Pattern DOMAIN = Pattern.compile("(\\*\\.)?[a-z0-9-]+(\\.[a-z0-9-]+)+");
    /** A routing-key prefix: words of a topic routing key, ending with the dot that joins it to the key. */
    private static final Pattern PREFIX = Pattern.compile("([A-Za-z0-9_-]+\\.)+");
    /** The settings a tenant may have, after gateway.tenant.<name>. */
    static final List<String> SETTINGS = List.of("domains", "appids", "keys", "keys-file", "routing-key-prefix",
            "allowed-sources", "rate-limit", "unsigned-event-types", "alert.to", "alert.webhooks");

    private static final Tenants NONE = new Tenants(List.of());

    private final List<Tenant> all;
    private final Map<String, Tenant> byName = new HashMap<>();
    private final Map<String, Tenant> byExactDomain = new HashMap<>();
    /** By what follows "*." in the pattern: example.com for *.example.com. */
    private final Map<String, Tenant> byDomainPattern = new HashMap<>();
    private final Map<String, Tenant> byAppid = new HashMap<>();

    Tenants(List<Tenant> tenants) {
        this.all = List.copyOf(tenants);
        for (Tenant tenant : tenants) {
            byName.put(tenant.getName(), tenant);
            for (String domain : tenant.domains()) {
                if (domain.startsWith("*.")) {
                    byDomainPattern.put(domain.substring(2), tenant);
                } else {
                    byExactDomain.put(domain, tenant);
                }
            }
            tenant.appids().forEach(appid -> byAppid.put(appid, tenant));
        }
    }

    /** No tenants: every callback is checked with the flat list of keys (gateway.signature.keys). */
    public static Tenants none() {
        return NONE;
    }

    /**
     * The tenant that owns a callback: of its push domain ({@code app}, or {@code domain}), else of its appid; null
     * when none does.
     */
    public Tenant owner(String domain, String appid) {
        if (all.isEmpty()) {
            return null;
        }
        Tenant owner = ownerOfDomain(domain);
        if (owner == null && appid != null) {
            owner = byAppid.get(appid);
        }
        return owner;
    }

    /** The tenant bound to a push domain: by its exact name, else by the longest pattern matching it; else null. */
    public Tenant ownerOfDomain(String domain) {
        if (domain == null || all.isEmpty()) {
            return null;
        }
        String name = domain.toLowerCase(Locale.ROOT);
        Tenant owner = byExactDomain.get(name);
        // *.example.com holds a.example.com and x.a.example.com, not example.com: the longest suffix after a dot first
        for (int dot = name.indexOf('.'); owner == null && dot >= 0; dot = name.indexOf('.', dot + 1)) {
            owner = byDomainPattern.get(name.substring(dot + 1));
        }
        return owner;
    }

    /** The tenant of that name, or null (a name no configuration gave: a header's value, say). */
    public Tenant named(String name) {
        return name == null ? null : byName.get(name);
    }

    public List<Tenant> all() {
        return all;
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }

    /** Every key bound to a tenant (for the audit log, which masks them in the bodies it keeps). */
    public List<String> keys() {
        return all.stream().flatMap(t -> t.keys().stream()).toList();
    }

    /**
     * The tenants as configured: {@code gateway.tenants} names them, {@code gateway.tenant.<name>.*} binds each;
     * refused with a sentence when the binding is not one a site could mean.
     *
     * @param flatKeys the unbound keys (gateway.signature.keys): a bound key must not be among them
     */
    public static Tenants read(Settings settings, List<String> flatKeys) {
        List<String> names = names(settings);
        checkSettingNames(settings, names);
        int minKeyLength = (int) settings.positive("gateway.signature.min-key-length");
        Set<String> webhooks = new LinkedHashSet<>(settings.list("gateway.alert.webhooks"));
        List<Tenant> tenants = new ArrayList<>();
        Map<String, String> domainOwners = new HashMap<>();
        Map<String, String> appidOwners = new HashMap<>();
        Map<String, String> keyOwners = new HashMap<>();
        flatKeys.forEach(key -> keyOwners.put(key, "gateway.signature.keys, which signs for every domain"));
        for (String name : names) {
            String prefix = "gateway.tenant." + name + ".";
            List<String> domains = settings.list(prefix + "domains").stream().map(d -> d.toLowerCase(Locale.ROOT))
                    .toList();
            for (String domain : domains) {
                checkDomain(prefix + "domains", domain);
                String other = domainOwners.putIfAbsent(domain, name);
                if (other != null) {
                    throw new IllegalStateException("Push domain " + domain + " is bound to two tenants, " + other
                            + " and " + name + " (gateway.tenant." + other + ".domains and " + prefix + "domains): "
                            + "its callbacks are signed with one callback template's key; bind it to one tenant");
                }
            }
            List<String> appids = settings.list(prefix + "appids");
            for (String appid : appids) {
                if (!Integers.isInteger(appid)) {
                    throw new IllegalStateException(prefix + "appids must list APPIDs (numbers, e.g. 1250000000), "
                            + "got '" + appid + "'");
                }
                String other = appidOwners.putIfAbsent(appid, name);
                if (other != null) {
                    throw new IllegalStateException("APPID " + appid + " is bound to two tenants, " + other + " and "
                            + name + ": bind it to one");
                }
            }
            if (domains.isEmpty() && !settings.list(prefix + "alert.webhooks").isEmpty()) {
                throw new IllegalStateException(prefix + "alert.webhooks needs " + prefix + "domains: a chat channel "
                        + "is narrowed to a tenant by its push domains");
            }
            if (domains.isEmpty() && appids.isEmpty()) {
                throw new IllegalStateException("Tenant " + name + " binds nothing: set " + prefix + "domains (push "
                        + "domains, exact or *.example.com) or " + prefix + "appids");
            }
            List<String> keys = keys(settings, name, minKeyLength);
            for (int i = 0; i < keys.size(); i++) {
                String other = keyOwners.putIfAbsent(keys.get(i), "tenant " + name);
                if (other != null) {
                    throw new IllegalStateException("The " + ordinal(i) + " key of tenant " + name + " is also the key "
                            + "of " + other + ": a key bound to a tenant signs for its domains only, so it must be "
                            + "in one place");
                }
            }
            tenants.add(new Tenant(name, domains, new LinkedHashSet<>(appids), keys, routingKeyPrefix(settings, name),
                    settings.list(prefix + "allowed-sources").stream()
                            .map(block -> CidrBlock.parse(prefix + "allowed-sources", block)).toList(),
                    rateLimit(settings, name), unsignedEventTypes(settings, prefix + "unsigned-event-types"),
                    settings.list(prefix + "alert.to"), alertWebhooks(settings, name, webhooks)));
        }
        return new Tenants(tenants);
    }

    /**
     * The routing-key prefixes of the tenants that have one (for the bindings of the gateway's own queues), read
     * without their keys: the broker-definitions command needs no secret.
     */
    public static List<String> routingKeyPrefixes(Settings settings) {
        List<String> prefixes = new ArrayList<>();
        for (String name : names(settings)) {
            String prefix = routingKeyPrefix(settings, name);
            if (!prefix.isEmpty() && !prefixes.contains(prefix)) {
                prefixes.add(prefix);
            }
        }
        return prefixes;
    }

    /** The event types of a list of them (gateway.signature.unsigned-event-types, a tenant's). */
    public static Set<Integer> unsignedEventTypes(Settings settings, String key) {
        Set<Integer> types = new TreeSet<>();
        for (String type : settings.list(key)) {
            Integer code = Integers.parseIntOrNull(type);
            if (code == null) {
                throw new IllegalStateException(key + " must list event_type numbers (e.g. 314, 100), got '" + type
                        + "'");
            }
            types.add(code);
        }
        return types;
    }

    private static List<String> names(Settings settings) {
        List<String> names = settings.list("gateway.tenants");
        Set<String> seen = new LinkedHashSet<>();
        for (String name : names) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalStateException("gateway.tenants names '" + name + "': a tenant's name is letters, "
                        + "digits, - and _ (it is part of setting names, the css_tenant header and metric labels)");
            }
            if (!seen.add(name)) {
                throw new IllegalStateException("gateway.tenants names " + name + " twice");
            }
        }
        return names;
    }

    /**
     * Every gateway.tenant.* setting names a tenant of gateway.tenants and a setting a tenant has (a misspelt one would
     * otherwise be ignored, silently); and no tenant's keys are written in a configuration file.
     */
    private static void checkSettingNames(Settings settings, List<String> names) {
        Properties written = settings.written("gateway.tenant.");
        for (String key : new TreeSet<>(written.stringPropertyNames())) {
            String rest = key.substring("gateway.tenant.".length());
            int dot = rest.indexOf('.');
            String name = dot < 0 ? rest : rest.substring(0, dot);
            String setting = dot < 0 ? "" : rest.substring(dot + 1);
            if (!names.contains(name)) {
                throw new IllegalStateException(key + " is set, but gateway.tenants does not name " + name
                        + (names.isEmpty() ? " (it names no tenant)" : " (it names " + String.join(", ", names) + ")"));
            }
            if (!SETTINGS.contains(setting)) {
                throw new IllegalStateException(key + " is not a tenant's setting: a tenant has "
                        + String.join(", ", SETTINGS));
            }
            String value = written.getProperty(key).strip();
            if (setting.equals("keys") && !value.isEmpty() && !value.contains("{{")) {
                throw new IllegalStateException(key + " holds keys written in the configuration: take them from the "
                        + "environment (" + key + " = {{env:CSS_CALLBACK_KEYS_" + name.toUpperCase(Locale.ROOT)
                        .replace('-', '_') + ":}}) or from a file only its owner can read (gateway.tenant." + name
                        + ".keys-file)");
            }
        }
    }

    private static void checkDomain(String key, String domain) {
        if (!DOMAIN.matcher(domain).matches()) {
            throw new IllegalStateException(key + " binds '" + domain + "', which matches no push domain: give a "
                    + "domain name with a dot (live.example.com) or a pattern *. before one (*.example.com, which holds "
                    + "a.example.com and x.a.example.com, not example.com)");
        }
    }

    private static List<String> keys(Settings settings, String name, int minKeyLength) {
        String prefix = "gateway.tenant." + name + ".";
        List<String> keys = new ArrayList<>(settings.list(prefix + "keys"));
        String file = settings.optional(prefix + "keys-file");
        if (!file.isEmpty()) {
            keys.addAll(keysFile(prefix + "keys-file", Path.of(file)));
        }
        if (keys.isEmpty()) {
            throw new IllegalStateException("Tenant " + name + " has no key, so none of its callbacks could be "
                    + "verified: set " + prefix + "keys = {{env:CSS_CALLBACK_KEYS_" + name.toUpperCase(Locale.ROOT)
                    .replace('-', '_') + ":}} (its callback template's key, several comma-separated while rotating) "
                    + "and that variable, or " + prefix + "keys-file");
        }
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            if (!KEY.matcher(key).matches()) {
                throw new IllegalStateException("The " + ordinal(i) + " key of tenant " + name + " (" + prefix
                        + "keys, then " + prefix + "keys-file) is not a callback key the provider issues: up to 32 "
                        + "letters and digits (CSS console, callback template, callback key)");
            }
            if (key.length() < minKeyLength) {
                throw new IllegalStateException("The " + ordinal(i) + " key of tenant " + name + " (" + prefix
                        + "keys, then " + prefix + "keys-file) has " + key.length() + " characters, fewer than "
                        + "gateway.signature.min-key-length (" + minKeyLength + "): one captured sign lets anyone "
                        + "try every short key offline; set a longer key in the callback template");
            }
            if (keys.indexOf(key) != i) {
                throw new IllegalStateException("The " + ordinal(i) + " key of tenant " + name + " repeats its "
                        + ordinal(keys.indexOf(key)) + " key");
            }
        }
        return keys;
    }

    /** A file of keys, one a line (# comments), that only its owner may read. */
    static List<String> keysFile(String key, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(key + ": there is no file " + file.toAbsolutePath());
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(p -> !p.name().startsWith("OWNER_"))) {
                throw new IllegalStateException(key + ": " + file.toAbsolutePath() + " may be read by others than its "
                        + "owner (" + PosixFilePermissions.toString(permissions) + "): chmod 600 it");
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its access control lists are the site's to set
        } catch (IOException e) {
            throw new IllegalStateException(key + ": " + file.toAbsolutePath() + " cannot be read: " + e.getMessage(), e);
        }
        try {
            return Files.readAllLines(file).stream().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new IllegalStateException(key + ": " + file.toAbsolutePath() + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static String routingKeyPrefix(Settings settings, String name) {
        String key = "gateway.tenant." + name + ".routing-key-prefix";
        String prefix = settings.optional(key);
        if (!prefix.isEmpty() && !PREFIX.matcher(prefix).matches()) {
            throw new IllegalStateException(key + " is '" + prefix + "': a prefix is words of a routing key ending "
                    + "with the dot that joins it to the key (tenant-a. makes stream.push tenant-a.stream.push), "
                    + "without * or #");
        }
        return prefix;
    }

    private static int rateLimit(Settings settings, String name) {
        String key = "gateway.tenant." + name + ".rate-limit";
        if (settings.optional(key).isEmpty()) {
            return 0;
        }
        long limit = settings.integer(key);
        if (limit < 0 || limit > Integer.MAX_VALUE) {
            throw new IllegalStateException(key + " must be 0 (none of its own) or a number of callbacks a second, "
                    + "got " + limit);
        }
        return (int) limit;
    }

    private static List<String> alertWebhooks(Settings settings, String name, Set<String> webhooks) {
        String key = "gateway.tenant." + name + ".alert.webhooks";
        List<String> named = settings.list(key);
        for (String webhook : named) {
            if (!webhooks.contains(webhook)) {
                throw new IllegalStateException(key + " names '" + webhook + "', which gateway.alert.webhooks does "
                        + "not list" + (webhooks.isEmpty() ? "" : " (it lists " + String.join(", ", webhooks) + ")"));
            }
        }
        return named;
    }

    static String ordinal(int index) {
        int n = index + 1;
        String suffix = n % 100 >= 11 && n % 100 <= 13 ? "th"
                : switch (n % 10) {
                    case 1 -> "st";
                    case 2 -> "nd";
                    case 3 -> "rd";
                    default -> "th";
                };
        return n + suffix;
    }

    /** The tenants and what they own, for the line logged at start (no key). */
    public Map<String, String> describe() {
        Map<String, String> described = new LinkedHashMap<>();
        for (Tenant tenant : all) {
            described.put(tenant.getName(), "domains " + tenant.domains() + ", appids " + tenant.appids() + ", "
                    + tenant.keys().size() + " key(s)" + (tenant.getRoutingKeyPrefix().isEmpty() ? ""
                    : ", routing keys " + tenant.getRoutingKeyPrefix() + "*"));
        }
        return described;
    }
}
