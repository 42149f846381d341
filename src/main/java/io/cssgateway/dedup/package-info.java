/**
 * The de-duplication of the provider's retries: the event identity, and the seen-set behind Camel's idempotent
 * consumer.
 */
package io.cssgateway.dedup;
