/**
 * routes/dispatch.camel.yaml, publish-to-broker: the confirmed publisher, the broker topology the gateway keeps in
 * place, and whether RabbitMQ takes events now.
 */
package io.cssgateway.publish;
