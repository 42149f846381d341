package io.cssgateway.intake;

import io.cssgateway.event.CallbackRejectedException;
import java.util.regex.Pattern;

/**
 * A signed callback for a push domain (and appid) that no tenant owns, while every key is bound to a tenant: no key
 * may sign it, answered 401 naming the domain (when it reads as a domain name; a hostile value is not echoed).
 */
public final class NoKeyForDomainException extends CallbackRejectedException {

    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9.-]{1,253}");

    public NoKeyForDomainException(String domain) {
        super(401, "no-key-for-domain", domain == null
                ? "no key for this callback: it names no push domain (app or domain) nor appid bound to a tenant"
                : DOMAIN.matcher(domain).matches() ? "no key for push domain " + domain
                : "no key for this callback's push domain");
    }
}
