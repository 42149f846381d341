package io.cssgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class CallbackGateTest {

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private final CallbackGate gate = new CallbackGate();

    private Exchange enter() throws InterruptedException {
        Exchange exchange = new DefaultExchange(camel);
        gate.process(exchange);
        return exchange;
    }

    private static void answered(Exchange exchange) {
        exchange.getExchangeExtension().handoverCompletions().forEach(done -> done.onComplete(exchange));
    }

    @Test
    void shuttingWaitsUntilTheCallbacksInsideAreAnswered() throws Exception {
        Exchange first = enter();
        Exchange second = enter();

        CompletableFuture<Boolean> shut = CompletableFuture.supplyAsync(() -> {
            try {
                return gate.shut(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(shut).isNotDone();
        answered(first);
        Thread.sleep(100);
        assertThat(shut).isNotDone();
        answered(second);

        assertThat(shut.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(gate.inside()).isZero();
    }

    @Test
    void aCallbackArrivingWhileShutWaitsUntilTheGateOpens() throws Exception {
        assertThat(gate.shut(Duration.ofSeconds(1))).isTrue();

        CompletableFuture<Exchange> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return enter();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertThat(waiting).isNotDone();
        gate.open();

        assertThat(waiting.get(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(gate.inside()).isEqualTo(1);
    }

    @Test
    void shuttingGivesUpAfterItsBoundWhenACallbackStaysInside() throws Exception {
        enter();
        assertThat(gate.shut(Duration.ofMillis(200))).isFalse();
    }
}
