package io.cssgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.cssgateway.harness.GatewayProcess;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.Test;

/** The intake's port, open before Camel has started its routes: 503 with Retry-After, never 404. */
class IntakeHttpServerTest {

    @Test
    void beforeTheRoutesHaveStartedACallbackIsAnswered503WithRetryAfter() throws Exception {
        int port = GatewayProcess.freePort();
        Counter notReady = new SimpleMeterRegistry().counter("not.ready");
        DefaultCamelContext camel = new DefaultCamelContext();
        IntakeHttpServer server = new IntakeHttpServer(camel, new IntakeHttpServer.Options("127.0.0.1", port, 65536,
                2, Duration.ofSeconds(20), Duration.ofSeconds(30), 100, 7, null), "direct:audit", notReady);
        ServiceHelper.startService(server);
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/callbacks/tencent/css"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.headers().firstValue("Retry-After")).hasValue("7");
            assertThat(answer.body()).isEqualTo("{\"code\":503,\"message\":\"the gateway is starting, retry later\"}");
            assertThat(notReady.count()).isEqualTo(1.0);
        } finally {
            ServiceHelper.stopService(server);
            camel.close();
        }
    }
}
