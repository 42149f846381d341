/**
 * The CSS Callback Gateway's command line: {@link io.cssgateway.GatewayMain} runs the gateway (Camel Main with the
 * configuration and the route files) or one of the operator's tools ({@code replay}, {@code broker-definitions},
 * {@code send-samples}); each package below holds the Java of one stage of a callback's life, named like its route
 * file.
 */
package io.cssgateway;
