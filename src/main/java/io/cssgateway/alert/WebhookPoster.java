package io.cssgateway.alert;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Posts to the chat tools' webhooks with the JDK's HTTP client, asynchronously: the route's step completes when the
 * answer comes (Camel continues a bean's {@link CompletableFuture}), so no thread waits for a tool that does not
 * answer. Chosen over camel-vertx-http, which decodes a URL's query twice (a DingTalk sign with a + in it broke) and
 * names the URL, token and all, in its failures. A failure is a {@link ChannelRefusedException} whose text has the
 * URL's token masked.
 */
final class WebhookPoster implements AutoCloseable {

    private final ExecutorService executor;
    private final HttpClient client;
    private final Duration timeout;

    /** @param timeout no answer within it (or no connection) fails the try */
    WebhookPoster(Duration timeout) {
        AtomicInteger count = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "css-gateway-alert-webhook-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.client = HttpClient.newBuilder().executor(executor).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.timeout = timeout;
    }

    /** Posts a delivery's body (made and signed once: a retry posts the same) and reads the tool's answer. */
    CompletableFuture<Void> post(AlertDelivery delivery) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(delivery.getUrl())).timeout(timeout)
                    .header("Content-Type", "application/json; charset=UTF-8")
                    .POST(HttpRequest.BodyPublishers.ofString(delivery.getBody(), StandardCharsets.UTF_8)).build();
        } catch (RuntimeException e) {
            done.completeExceptionally(new ChannelRefusedException(delivery.describe(e)));
            return done;
        }
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .whenComplete((response, failure) -> {
                    try {
                        if (failure != null) {
                            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                            throw new ChannelRefusedException(delivery.describe(cause));
                        }
                        delivery.webhook().format().checkAnswer(response.statusCode(), response.body());
                        done.complete(null);
                    } catch (RuntimeException e) {
                        done.completeExceptionally(e instanceof ChannelRefusedException ? e
                                : new ChannelRefusedException(delivery.describe(e)));
                    }
                });
        return done;
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
