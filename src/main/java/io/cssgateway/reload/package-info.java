/**
 * Live edits of the route files ({@code gateway.routes.reload}): a saved file is read apart first, and applied, with
 * every other route file, behind the intake's gate, so that no callback is answered anything but its normal answer.
 */
package io.cssgateway.reload;
