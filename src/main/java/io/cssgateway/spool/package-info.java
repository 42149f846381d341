/**
 * routes/spool.camel.yaml: the local store-and-forward spool of the events RabbitMQ could not take, and the refusal
 * when the spool cannot take one either.
 */
package io.cssgateway.spool;
