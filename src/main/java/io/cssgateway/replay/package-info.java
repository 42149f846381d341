/**
 * Sending events again ({@code replay}): the accepted events of the audit log rebuilt as they were first published,
 * the messages parked on the unrouted queue moved back to the exchange, and callbacks re-posted to another receiver.
 */
package io.cssgateway.replay;
