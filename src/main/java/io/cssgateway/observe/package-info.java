/**
 * What an operator watches: the gateway's readiness checks and its metrics, served by Camel on the management port
 * ({@code /observe/health}, {@code /observe/metrics}); the stages only expose what is read here.
 */
package io.cssgateway.observe;
