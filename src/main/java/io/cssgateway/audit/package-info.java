/**
 * routes/audit.camel.yaml: the audit line of each request, declared once ({@link io.cssgateway.audit.AuditLine}: its
 * fields and its files), the append-only daily files it is written to, their lines read back, and the index they are
 * copied to behind the request path ({@link io.cssgateway.audit.AuditIndexer}), searched by /api/events.
 */
package io.cssgateway.audit;
