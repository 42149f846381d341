/**
 * The management API and the operator console, on the management port: the audit index's events (search, one
 * identity's lines, replay, refusals), the stream state, the spool of every instance, the unrouted queue; the token
 * check every write passes. docs/events-api.md.
 */
package io.cssgateway.api;
