package io.cssgateway.alert;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One chat channel of {@code gateway.alert.webhooks}: its tool's format, its URL and (for DingTalk and Feishu) its
 * signing secret, which alert kinds and push domains it takes. The URL carries the tool's token and the secret signs:
 * neither is ever written to a log line ({@link #masked}).
 *
 * @param kinds the kinds it takes ({@link Notice#KINDS}); empty for all
 * @param domains the push domains whose alerts it takes, exact names or {@code *.example.com} (its subdomains, at any
 *     depth, not example.com itself); empty for all (the gateway's own trouble goes to all)
 */
public record WebhookChannel(String name, ChatFormat format, String url, String secret, Set<String> kinds,
        Set<String> domains) {

    public WebhookChannel {
        kinds = Set.copyOf(kinds);
        domains = Set.copyOf(domains);
        // a secret not set is "" in the configuration: no signing
        if (secret != null && secret.isBlank()) {
            secret = null;
        }
    }

    /** Whether it takes alerts of this kind at all. */
    boolean takes(String kind) {
        return kinds.isEmpty() || kinds.contains(kind);
    }

    /** Whether it takes the alerts of this push domain (an alert about no domain goes to every channel). */
    boolean takesDomain(String app) {
        if (domains.isEmpty() || app == null) {
            return true;
        }
        for (String domain : domains) {
            if (domain.startsWith("*.") ? app.endsWith(domain.substring(1)) : domain.equals(app)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The URL to post to now: DingTalk's signed URL carries {@code timestamp} (ms) and {@code sign} =
     * urlencode(base64(HmacSHA256(secret, timestamp + "\n" + secret))), as its custom robot's security settings say.
     */
    String signedUrl(Clock clock) {
        if (format != ChatFormat.DINGTALK || secret == null) {
            return url;
        }
        String timestamp = Long.toString(clock.millis());
        String sign = URLEncoder.encode(hmac(secret, timestamp + "\n" + secret), StandardCharsets.UTF_8);
        return url + (url.contains("?") ? "&" : "?") + "timestamp=" + timestamp + "&sign=" + sign;
    }

    /**
     * Feishu's signed body carries {@code timestamp} (s) and {@code sign} = base64(HmacSHA256 keyed with timestamp +
     * "\n" + secret, of no data), as its custom bot's signature check says; null fields for every other tool.
     */
    String[] feishuSignature(Clock clock) {
        if (format != ChatFormat.FEISHU || secret == null) {
            return null;
        }
        String timestamp = Long.toString(clock.millis() / 1000);
        return new String[] {timestamp, hmac(timestamp + "\n" + secret, "")};
    }

    private static String hmac(String key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** A line about this channel with its URL's token (path and query) and its secret replaced by ***. */
    String masked(String text) {
        if (text == null) {
            return null;
        }
        String masked = text.replace(url, host() + "/***");
        URI uri = URI.create(url);
        for (String part : new String[] {uri.getRawPath(), uri.getRawQuery(), uri.getPath(), uri.getQuery(), secret}) {
            if (part != null && part.length() > 1) {
                masked = masked.replace(part, "***");
            }
        }
        return masked;
    }

    /** scheme://host:port of the URL, which says where without its token. */
    String host() {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    @Override
    public String toString() {
        return name + " (" + format.type() + ", " + host() + ")";
    }
}
