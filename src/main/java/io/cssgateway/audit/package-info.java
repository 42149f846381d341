/**
 * routes/audit.camel.yaml: the audit line of each request, declared once ({@link io.cssgateway.audit.AuditLine}: its
 * fields and its files), the append-only daily files it is written to, and their lines read back.
 */
package io.cssgateway.audit;
