package io.cssgateway.publish;

/** RabbitMQ is marked down (it failed the last publish, and no spooled event was confirmed since). */
public final class BrokerDownException extends RuntimeException {

    public BrokerDownException() {
        super("RabbitMQ is marked down since a publish failed", null, false, false);
    }
}
