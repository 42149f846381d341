/**
 * The dev profile's embedded broker and mailbox, and the sample sender that posts the provider's samples to any
 * gateway.
 */
package io.cssgateway.dev;
