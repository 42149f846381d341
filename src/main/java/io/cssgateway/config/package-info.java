/**
 * The wiring, and only that: {@link io.cssgateway.config.GatewayBeans}, the one place a deployment's beans are bound,
 * hands each stage's {@code <Stage>Beans} what it needs of the others (the settings each reads are its own).
 */
package io.cssgateway.config;
