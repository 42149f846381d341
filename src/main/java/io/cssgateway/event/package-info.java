/**
 * The callback as the provider sent it, the event type table, and the one outgoing event that is published, spooled
 * and replayed.
 */
package io.cssgateway.event;
