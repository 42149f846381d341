package io.cssgateway.intake;

import io.cssgateway.event.Callback;
import io.cssgateway.event.EventTypes;
import io.cssgateway.support.ExchangeProperties;
import io.cssgateway.support.RouteStep;
import io.cssgateway.support.Settings;
import io.cssgateway.tenant.Tenant;
import io.cssgateway.tenant.Tenants;
import io.cssgateway.trace.Tracing;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The beans of routes/intake.camel.yaml, built from the intake's keys ({@code camel.server.*}, {@code gateway.http.*},
 * {@code gateway.signature.*}, {@code gateway.tenants} and {@code gateway.tenant.*}) and bound under the names the
 * route calls them by; and the HTTP server in front of it.
 */
public final class IntakeBeans {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeBeans.class);

    private IntakeBeans() {}

    /**
     * The checks a callback passes, as the intake's steps ({@link RouteStep}): {@code allowedSource},
     * {@code checkRequest}, {@code readCallback}, {@code callbackTenant}, {@code checkTenantSource},
     * {@code verifySignature}, {@code tenantRateLimited}; and their beans by name ({@code requestGuard},
     * {@code sourceGuard}, {@code callbackReader}, {@code tenantOfCallback}, {@code signatureVerifier}), which route
     * files written before the steps call. Returns the tenants.
     */
    public static Tenants bindChecks(CamelContext camelContext, Settings settings, EventTypes eventTypes) {
        Registry registry = camelContext.getRegistry();
        Tenants tenants = Tenants.read(settings, settings.list("gateway.signature.keys"));
        tenants.describe().forEach((name, what) -> LOG.info("Tenant {}: {}", name, what));
        TenantOfCallback tenantOfCallback = new TenantOfCallback(tenants);
        RequestGuard requestGuard = new RequestGuard();
        SourceGuard sourceGuard = new SourceGuard(settings.list("gateway.http.allowed-sources"));
        CallbackReader callbackReader = new CallbackReader();
        SignatureVerifier signatureVerifier = signatureVerifier(settings, tenants, eventTypes);
        registry.bind("tenantOfCallback", tenantOfCallback);
        registry.bind("requestGuard", requestGuard);
        registry.bind("sourceGuard", sourceGuard);
        registry.bind("callbackReader", callbackReader);
        registry.bind("signatureVerifier", signatureVerifier);

        registry.bind("allowedSource", RouteStep.expression("allowedSource",
                exchange -> sourceGuard.check(exchange.getProperty(ExchangeProperties.REMOTE_ADDRESS))));
        registry.bind("checkRequest", (Processor) exchange -> requestGuard.check(
                exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class),
                exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class),
                exchange.getMessage().getHeader(Exchange.CONTENT_ENCODING, String.class)));
        registry.bind("readCallback", (Processor) callbackReader::read);
        registry.bind("callbackTenant", RouteStep.expression("callbackTenant",
                exchange -> tenantOfCallback.of(exchange.getProperty(ExchangeProperties.CALLBACK, Callback.class))));
        registry.bind("checkTenantSource", (Processor) exchange -> sourceGuard.checkTenant(
                exchange.getProperty(ExchangeProperties.TENANT, Tenant.class),
                exchange.getProperty(ExchangeProperties.SOURCE_ADDRESS, String.class)));
        registry.bind("verifySignature", RouteStep.expression("verifySignature", exchange -> signatureVerifier.verify(
                exchange.getProperty(ExchangeProperties.CALLBACK, Callback.class),
                exchange.getProperty(ExchangeProperties.TENANT, Tenant.class))));
        registry.bind("tenantRateLimited", RouteStep.predicate("tenantRateLimited",
                exchange -> tenantOfCallback.rateLimited(exchange.getProperty(ExchangeProperties.TENANT, Tenant.class))));
        return tenants;
    }

    /**
     * Every callback key, unbound ({@code CSS_CALLBACK_KEYS}) and bound to a tenant: the signature is checked with
     * them, the audit log masks them.
     */
    public static List<String> callbackKeys(Settings settings, Tenants tenants) {
        List<String> keys = new ArrayList<>(settings.list("gateway.signature.keys"));
        keys.addAll(tenants.keys());
        return keys;
    }

    /**
     * The HTTP server the callbacks arrive at ({@code intakeHttpServer}, its engine {@code platform-http-engine}), and
     * the route that hands them to routes/intake.camel.yaml through {@code gate}, which route reloads shut.
     *
     * @param notReadyAnswers counts the callbacks answered 503 while the gateway starts or stops
     * @param tracing starts each callback's span (tracing on)
     */
    public static IntakeHttpServer bindHttpServer(CamelContext camelContext, Settings settings, CallbackGate gate,
            Counter notReadyAnswers, Tracing tracing) throws Exception {
        Registry registry = camelContext.getRegistry();
        int port = (int) settings.integer("camel.server.port");
        IntakeHttpServer httpServer = new IntakeHttpServer(camelContext, new IntakeHttpServer.Options(
                settings.text("camel.server.host"), port, settings.integer("gateway.http.max-body-bytes"),
                workerThreads(settings), Duration.ofSeconds(settings.positive("gateway.http.idle-timeout-seconds")),
                Duration.ofSeconds(settings.positive("gateway.http.request-timeout-seconds")),
                ConnectionGuard.maxConnections(settings.integer("gateway.http.max-connections")),
                (int) settings.positive("gateway.http.retry-after-seconds"), tls(settings)),
                "direct:write-audit-line", notReadyAnswers);
        registry.bind("intakeHttpServer", httpServer);
        camelContext.addService(httpServer);
        // each callback's route runs asynchronously on it: a worker thread is free once the route waits for the
        // broker's confirm (AsyncRoutingHttpEngine, ConfirmedPublisher)
        AsyncRoutingHttpEngine httpEngine = new AsyncRoutingHttpEngine(port);
        httpEngine.setCamelContext(camelContext);
        registry.bind("platform-http-engine", httpEngine);
        camelContext.addRoutes(new ReceiveCallbackRoute(gate, tracing));
        return httpServer;
    }

    private static void logUnsigned(String setting, Set<Integer> unsigned, EventTypes eventTypes) {
        if (!unsigned.isEmpty()) {
            LOG.info("Callbacks without t and sign are accepted for event_type {} ({}): {}", unsigned, setting,
                    unsigned.stream().map(c -> c + " " + Objects.requireNonNullElse(eventTypes.of(c).name(), "unknown"))
                            .toList());
        }
    }

    /** The intake's key store when gateway.http.tls.enabled, else null (plain HTTP). */
    private static IntakeHttpServer.Tls tls(Settings settings) {
        if (!settings.bool("gateway.http.tls.enabled")) {
            return null;
        }
        String keyStore = settings.optional("gateway.http.tls.key-store");
        if (keyStore.isEmpty()) {
            throw new IllegalStateException("gateway.http.tls.enabled=true needs gateway.http.tls.key-store "
                    + "(a PKCS12 or JKS file with the intake's certificate and key)");
        }
        return new IntakeHttpServer.Tls(Path.of(keyStore), settings.optional("gateway.http.tls.key-store-password"),
                settings.text("gateway.http.tls.key-store-type"));
    }

    /** gateway.http.worker-threads, where 0 is one per core (at least 2, so that one waiting never stops all). */
    private static int workerThreads(Settings settings) {
        long configured = settings.integer("gateway.http.worker-threads");
        if (configured < 0) {
            throw new IllegalStateException(
                    "gateway.http.worker-threads must be 0 (one per core) or more, got " + configured);
        }
        return configured > 0 ? (int) configured : Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    private static SignatureVerifier signatureVerifier(Settings settings, Tenants tenants, EventTypes eventTypes) {
        List<String> keys = settings.list("gateway.signature.keys");
        boolean required = settings.bool("gateway.signature.required");
        if (keys.isEmpty() && tenants.isEmpty() && required) {
            throw new IllegalStateException("No callback key is configured, so no callback could be verified. "
                    + "Set the environment variable CSS_CALLBACK_KEYS to the key of the CSS callback template "
                    + "(several keys comma-separated while rotating), or -Dgateway.signature.keys=..., or bind keys "
                    + "to push domains (gateway.tenants, docs/tenants.md); "
                    + "only for a trial, -Dgateway.signature.required=false accepts callbacks unverified.");
        }
        if (!required) {
            LOG.warn("gateway.signature.required=false: callbacks without t/sign are accepted{}. "
                    + "Anyone who can reach the endpoint can publish events.",
                    keys.isEmpty() && tenants.isEmpty() ? ", and no sign is verified as no key is configured" : "");
        }
        Set<Integer> unsigned = Tenants.unsignedEventTypes(settings, "gateway.signature.unsigned-event-types");
        logUnsigned("gateway.signature.unsigned-event-types", unsigned, eventTypes);
        for (Tenant tenant : tenants.all()) {
            logUnsigned("gateway.tenant." + tenant.getName() + ".unsigned-event-types", tenant.unsignedEventTypes(),
                    eventTypes);
        }
        return new SignatureVerifier(keys, tenants,
                Duration.ofSeconds(settings.integer("gateway.signature.clock-skew-seconds")),
                Duration.ofSeconds(settings.positive("gateway.signature.max-expiry-seconds")), required, unsigned,
                Clock.systemUTC());
    }
}
