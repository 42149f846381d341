/**
 * The gateway as one bundle in Apache Karaf: its activator, which runs the same Camel Main as standalone with the
 * configuration of {@code etc/io.cssgateway.cfg} and the routes of {@code etc/css-callback-gateway/routes/}.
 */
package io.cssgateway.karaf;
