package io.cssgateway.harness;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** The lines one class logs while a test runs: "LEVEL message", and " [stack]" when one came with it. */
public final class LogCapture implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger logger;
    private final AbstractAppender appender;

    public LogCapture(Class<?> source) {
        this((Logger) LogManager.getLogger(source));
    }

    /** Every line that reaches the root logger, from any class (Camel's, Vert.x's, the gateway's). */
    public static LogCapture everything() {
        return new LogCapture((Logger) LogManager.getRootLogger());
    }

    private LogCapture(Logger logger) {
        this.logger = logger;
        appender = new AbstractAppender("capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage()
                        + (event.getThrown() == null ? "" : " [stack]"));
            }
        };
        appender.start();
        logger.addAppender(appender);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        logger.removeAppender(appender);
        appender.stop();
    }
}
