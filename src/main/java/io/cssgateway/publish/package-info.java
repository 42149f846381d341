/**
 * routes/publish.camel.yaml: the confirmed publisher, RabbitMQ's connection and the topology the gateway keeps in
 * place (or checks), and whether RabbitMQ takes events now.
 */
package io.cssgateway.publish;
