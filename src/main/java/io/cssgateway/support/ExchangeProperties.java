package io.cssgateway.support;

/**
 * Every exchange property that the routes ({@code routes/*.yaml}) and the beans share, in one place, like a Camel
 * component's constants: what each holds, who sets it, who reads it. Java uses these constants; the routes use the
 * same names ({@code ${exchangeProperty.eventId}}, {@code setProperty: name: "verdict"}), and a test fails when a
 * route file names a property this class does not list. Camel's own properties ({@code CamelExceptionCaught},
 * {@code CamelDuplicateMessage}, ...) are Camel's, under their Camel constants.
 */
public final class ExchangeProperties {

    private ExchangeProperties() {}

    // ---------------------------------------------------------------- a callback's journey (intake.camel.yaml on)

    /** The client's address (a String or Vert.x SocketAddress). Set by intake; read by AuditLog. */
    public static final String REMOTE_ADDRESS = "remoteAddress";
    /** The client's IP address, as text. Set by intake (SourceGuard); read by the rate limit's throttle, refusal log lines. */
    public static final String SOURCE_ADDRESS = "sourceAddress";
    /** The request body as received, for the audit line of a body that could not be read. Set by intake; read by AuditLog. */
    public static final String RAW_BODY = "rawBody";
    /** The parsed {@code Callback}. Set by CallbackReader; read by EventMessage, AuditLog. */
    public static final String CALLBACK = "callback";
    /** The callback's {@code event_type} (Integer). Set by CallbackReader; read by classify, AuditLog. */
    public static final String EVENT_TYPE = "eventType";
    /** An interruption's {@code errcode} (Integer), when it has one. Set by CallbackReader; read by ErrcodeTable, EventMessage, AuditLog. */
    public static final String ERRCODE = "errcode";
    /** The {@code Tenant} whose push domain or appid the callback names, or none (null). Set by intake (Tenants); read by SignatureVerifier, SourceGuard, the tenant's rate limit, classify (its routing-key prefix), EventMessage, AuditLog, GatewayMetrics. */
    public static final String TENANT = "tenant";
    /** Whether the callback's sign was verified (Boolean; false: accepted unsigned). Set by intake (SignatureVerifier); read by EventMessage, AuditLog. */
    public static final String SIGNED = "signed";
    /** The event identity, also the AMQP message_id. Set by intake (EventIdentity); read by the idempotent consumer, EventMessage, AuditLog, logs. */
    public static final String EVENT_ID = "eventId";
    /** The event's name in the body ({@code push}, {@code interrupt}, ...). Set by classify; read by EventMessage, AuditLog. */
    public static final String EVENT = "event";
    /** An interruption's errcode category. Set by classify; read by EventMessage, AuditLog. */
    public static final String CATEGORY = "category";
    /** The routing key the event is published with. Set by classify (track-stream-state: a state message's); read by EventMessage, AuditLog, StreamStates. */
    public static final String ROUTING_KEY = "routingKey";

    // ---------------------------------------------------------------- the answer and the audit line

    /** {@code accepted}, {@code duplicate}, {@code rejected} (or {@code alert-undelivered}). Set by intake, answer-refusal, alert-mail-retries; read by AuditLog, publish-audit-line. */
    public static final String VERDICT = "verdict";
    /** The HTTP status of a refusal (Integer). Set by callback-answers, BodyReadFailures; read by answer-refusal, AuditLog. */
    public static final String HTTP_STATUS = "httpStatus";
    /** The audit line's reason for a refusal. Set by callback-answers, BodyReadFailures, alert-mail-retries; read by AuditLog. */
    public static final String REASON = "reason";
    /** The message of a refusal's JSON answer. Set by callback-answers; read by answer-refusal. */
    public static final String REFUSAL = "refusal";
    /** The audit line as written (bytes). Set by AuditLog; read by write-audit-line, publish-audit-line. */
    public static final String AUDIT_LINE = "auditLine";

    // ---------------------------------------------------------------- the spool drain and the alerts

    /** The spool file being published. Set by drain-spool; read by Spool. */
    public static final String SPOOL_FILE = "spoolFile";
    /**
     * The {@code AlertDelivery}: one alert on its way to one channel (mail or a chat webhook). Set by notify; read by
     * send-alert-mail, deliver-alert-webhook, AlertChannels, UndeliveredMail, alert-mail-retries, alert-webhook-retries.
     */
    public static final String DELIVERY = "delivery";
    /** Where an undelivered alert mail was kept. Set by alert-mail-retries; read by its log line and audit line. */
    public static final String UNDELIVERED_FILE = "undeliveredFile";

    // ---------------------------------------------------------------- the stream state (streams.camel.yaml)

    /** What a push or interruption does to its stream ({@code StreamState.Transition}), null for neither. Set by StreamStates.apply; read by track-stream-state, StreamStates.message and save. */
    public static final String STREAM_TRANSITION = "streamTransition";

    // ---------------------------------------------------------------- tracing (gateway.tracing.enabled, docs/tracing.md)

    /** The callback's server span (an OpenTelemetry Span), with tracing on. Set by Tracing.received; read by Tracing. */
    public static final String TRACE_SPAN = "traceSpan";
    /**
     * The callback's trace context as message headers ({@code traceparent}, {@code tracestate}), which its outgoing
     * event carries (kept so in the spool, where the drain's publish links to it). Set by Tracing; read by EventMessage.
     */
    public static final String TRACE_CONTEXT = "traceContext";
    /**
     * The trace contexts ({@code traceparent} values) a traced route step links to: the events an alert tells of. Set
     * by send-alert-mail; read by TracedSteps.
     */
    public static final String TRACE_LINKS = "traceLinks";
}
