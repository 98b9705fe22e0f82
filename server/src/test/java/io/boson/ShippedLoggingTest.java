package io.boson;

import io.boson.testing.BosonProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node started as a release runs (no test resources on its class path) logs through
 * {@link LogConfigurator}: one access line per request in the shipped format, the libraries'
 * INFO lines (Jetty's start banner) left out, and what the asynchronous appender still holds written
 * out when the node is stopped.
 */
class ShippedLoggingTest {

    static final Pattern ACCESS = Pattern.compile(
            "^\\d{2}:\\d{2}:\\d{2}\\.\\d{3} INFO  i\\.b\\.http\\.requests - method=POST route=/oauth/token status=200 ms=\\d+ ip=127\\.0\\.0\\.1$");

    @TempDir
    Path dir;

    @Test
    void logsRequestsInTheShippedFormatAndWritesThemOutOnStop() throws Exception {
        BosonProcess node = BosonProcess.startAsShipped(dir.resolve("node"));
        try {
            node.admin();
        } finally {
            node.close();
        }
        List<String> lines = List.of();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            lines = Files.readAllLines(node.log);
            if (lines.stream().anyMatch(l -> l.startsWith("Boson stopping")) && lines.stream().anyMatch(l -> ACCESS.matcher(l).matches())) break;
            Thread.sleep(50);
        }
        assertThat(lines).anyMatch(l -> ACCESS.matcher(l).matches());
        assertThat(lines).noneMatch(l -> l.contains(" INFO  o.e.j") || l.contains(" INFO  o.f.") || l.contains(" INFO  c.z.h"));
    }
}
