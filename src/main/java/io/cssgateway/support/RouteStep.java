package io.cssgateway.support;

import java.util.function.Function;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.support.ExpressionAdapter;

/**
 * A value or a condition that every accepted callback passes, bound by name for the routes to call with the {@code ref}
 * language ({@code ref: expression: "callbackIdentity"}): a thin adapter that hands a bean the exchange's values, and
 * shows the step's name where Camel prints it (inside {@code setProperty} and {@code filter}). A step that acts on the
 * exchange is bound as a plain {@link org.apache.camel.Processor} ({@code process: ref: "readCallback"}), which Camel
 * already labels by its ref.
 * <p>
 * Why not {@code bean:} and {@code method:}, as elsewhere: Camel binds a bean's method anew on each call, and a
 * {@code method:} expression also copies the exchange and its properties (Camel 4.18's
 * {@code BeanExpression.invokeBean}); on the request path that was a fifth of the gateway's CPU per callback
 * (bench/README.md, "Where the time goes"). Steps off the request path (timers, alerts, failures) call beans by name.
 */
public final class RouteStep {

    private RouteStep() {}

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
