/**
 * routes/alerts.camel.yaml: the alert policy, the digests of abnormal interruptions, and the digests that could not
 * be mailed.
 */
package io.cssgateway.alert;
