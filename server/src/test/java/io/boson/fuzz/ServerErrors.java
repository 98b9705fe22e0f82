package io.boson.fuzz;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the server logged that says a request broke something inside it: any ERROR, and WARN from
 * the device path (a failed request, a connect that threw, a history write that failed). A fuzz
 * input that produces one is a finding even when the client saw a tidy answer.
 */
final class ServerErrors extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private static final List<String> WATCHED_WARNINGS = List.of("io.boson.gateway", "io.boson.devices",
            "io.boson.health", "io.boson.firmware", "io.boson.events", "io.boson.http");
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    static ServerErrors watch() {
        ServerErrors e = new ServerErrors();
        e.setContext(e.root.getLoggerContext());
        e.start();
        e.root.addAppender(e);
        return e;
    }

    @Override
    protected void append(ILoggingEvent e) {
        boolean watchedWarning = e.getLevel() == Level.WARN
                && WATCHED_WARNINGS.stream().anyMatch(p -> e.getLoggerName().startsWith(p));
        if (e.getLevel().isGreaterOrEqual(Level.ERROR) || watchedWarning) {
            seen.add(e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : " (" + e.getThrowableProxy().getClassName() + ": "
                    + e.getThrowableProxy().getMessage() + ")"));
        }
    }

    /** What was logged since the last call. */
    List<String> drain() {
        List<String> out = List.copyOf(seen);
        seen.clear();
        return out;
    }

    @Override
    public void close() {
        root.detachAppender(this);
        stop();
    }
}
