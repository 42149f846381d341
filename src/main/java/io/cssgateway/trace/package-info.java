/**
 * Tracing with OpenTelemetry ({@code gateway.tracing.enabled}, docs/tracing.md): the callback's span and those within
 * it, the trace context each published message carries, the route steps as spans, the trace ids in log lines, and the
 * SDK exporting OTLP as the standard {@code OTEL_*} settings say.
 */
package io.cssgateway.trace;
