/**
 * routes/intake.camel.yaml: the gateway's HTTP server and endpoint, the gate that route reloads shut, the request
 * guard, the reader of callbacks, the signature check, and every refusal they raise.
 */
package io.cssgateway.intake;
