/**
 * routes/streams.camel.yaml: which streams are live, by the provider's rule (CSS doc 267/90746): a stream is online
 * while at least one of its push sequences has a push and no interruption; the state, its store, the state-change
 * messages, and the API that answers for it ({@code /api/streams}).
 */
package io.cssgateway.streams;
