/**
 * routes/classify.camel.yaml: the event-type table's classifier (event name, routing key) and the errcode table that
 * puts an interruption in its category.
 */
package io.cssgateway.classify;
