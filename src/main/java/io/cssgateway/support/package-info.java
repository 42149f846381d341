/**
 * Small pieces every stage uses: the exchange properties routes and beans share ({@link
 * io.cssgateway.support.ExchangeProperties}), hand-tuned JSON and time writers, the integer parsing the provider
 * needs, the masking of secrets.
 */
package io.cssgateway.support;
