/**
 * The wiring: the beans the routes call, built from the configuration keys, and the reloader of the route files.
 */
package io.cssgateway.config;
