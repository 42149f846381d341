package io.cssgateway.support;

import java.util.function.Function;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.support.ExpressionAdapter;

/**
 * A step that every accepted callback passes, bound by name for the routes to call as Camel calls its own processors:
 * {@code process: ref: "readCallback"}, or the {@code ref} language for an expression or a predicate
 * ({@code ref: expression: "callbackIdentity"}). Each is a thin adapter that hands a bean the exchange's values.
 * <p>
 * Why not {@code bean:} and {@code method:}, as elsewhere: Camel binds a bean's method anew on each call, and a
 * {@code method:} expression also copies the exchange and its properties (Camel 4.18's
 * {@code BeanExpression.invokeBean}); on the request path that was a fifth of the gateway's CPU per callback
 * (bench/README.md, "Where the time goes"). Steps off the request path (timers, alerts, failures) call beans by name.
 * The name given here is what logs and errors show of the step.
 */
public final class RouteStep {

    private RouteStep() {}

    /** A step that acts on the exchange: {@code process: ref: "name"}. */
    public static Processor processor(String name, Processor processor) {
        return new Processor() {
            @Override
            public void process(Exchange exchange) throws Exception {
                processor.process(exchange);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** A value for {@code setProperty}: {@code ref: expression: "name"}; what it throws fails the exchange. */
    public static Expression expression(String name, Function<Exchange, Object> value) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                return value.apply(exchange);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** A condition for {@code filter} or {@code when}: {@code ref: expression: "name"}. */
    public static Predicate predicate(String name, Predicate predicate) {
        return new Predicate() {
            @Override
            public boolean matches(Exchange exchange) {
                return predicate.matches(exchange);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
