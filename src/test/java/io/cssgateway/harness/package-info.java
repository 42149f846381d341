/**
 * What the tests share: the real RabbitMQ seen through a probe, a TCP proxy that cuts it, a mailbox, the packaged
 * gateway as a process, the whole gateway in the test JVM, the real route files without a broker, and the provider's
 * samples signed anew.
 */
package io.cssgateway.harness;
