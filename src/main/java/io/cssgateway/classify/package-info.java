/**
 * routes/dispatch.camel.yaml, classify: the errcode table that puts an interruption in its category.
 */
package io.cssgateway.classify;
