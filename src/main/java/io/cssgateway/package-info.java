/**
 * The CSS Callback Gateway: {@link io.cssgateway.GatewayMain} starts Camel Main with the configuration and the route
 * files; each package below holds the Java of one stage of a callback's life, named like its route file.
 */
package io.cssgateway;
