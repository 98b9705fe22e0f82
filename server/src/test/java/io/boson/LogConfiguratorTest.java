package io.boson;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The logging a node runs with (what logback.xml said before it was configured in code), and that an
 * XML configuration still takes over: the tests' logback-test.xml here, an operator's file by
 * {@code -Dlogback.configurationFile}. A started node's own lines are checked by the process tests,
 * which run the shipped jar.
 */
class LogConfiguratorTest {

    @Test
    void configuresOneAsynchronousConsoleAppenderThatDiscardsNothing() {
        LoggerContext context = new LoggerContext();
        LogConfigurator.apply(context);
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        AsyncAppender async = (AsyncAppender) root.getAppender("ASYNC");
        assertThat(async.isStarted()).isTrue();
        assertThat(async.getQueueSize()).isEqualTo(8192);
        assertThat(async.getDiscardingThreshold()).isZero();
        ConsoleAppender<?> console = (ConsoleAppender<?>) async.getAppender("STDOUT");
        assertThat(console.isStarted()).isTrue();
        assertThat(((PatternLayoutEncoder) console.getEncoder()).getPattern()).isEqualTo("%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
        assertThat(context.getLogger("io.boson.http.requests").getEffectiveLevel()).isEqualTo(Level.INFO);
        for (String library : new String[] {"org.eclipse.jetty.server", "io.javalin", "com.zaxxer.hikari", "org.flywaydb.core", "io.netty.channel"}) {
            assertThat(context.getLogger(library).getEffectiveLevel()).as(library).isEqualTo(Level.WARN);
        }
        context.stop();
    }

    @Test
    void leavesAnXmlConfigurationToLogback() {
        LoggerContext context = new LoggerContext();
        LogConfigurator configurator = new LogConfigurator();
        configurator.setContext(context);
        // logback-test.xml is on the tests' class path.
        assertThat(configurator.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("ASYNC")).isNull();
    }
}
