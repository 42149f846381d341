package io.cssgateway.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class RouteStepTest {

    private final Exchange exchange = new DefaultExchange(new DefaultCamelContext());

    @Test
    void eachKindReadsTheExchangeItselfAndIsShownByItsName() {
        exchange.setProperty("eventType", 1);
        Expression expression = RouteStep.expression("eventTypePlusOne", e -> e.getProperty("eventType", Integer.class) + 1);
        Predicate predicate = RouteStep.predicate("isPush", e -> e.getProperty("eventType", Integer.class) == 1);

        assertThat(expression.evaluate(exchange, Object.class)).isEqualTo(2);
        assertThat(expression.evaluate(exchange, String.class)).isEqualTo("2");
        assertThat(predicate.matches(exchange)).isTrue();
        assertThat(expression).hasToString("eventTypePlusOne");
        assertThat(predicate).hasToString("isPush");
    }

    @Test
    void whatTheBeanThrowsIsThrownAsItIsForTheRoutesErrorHandling() {
        IllegalStateException refusal = new IllegalStateException("refused");
        Expression expression = RouteStep.expression("refuses", e -> {
            throw refusal;
        });

        assertThatThrownBy(() -> expression.evaluate(exchange, Object.class)).isSameAs(refusal);
    }
}
