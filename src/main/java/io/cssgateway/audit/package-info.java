/**
 * routes/audit.camel.yaml: the audit line of each request, and the append-only daily files it is written to.
 */
package io.cssgateway.audit;
