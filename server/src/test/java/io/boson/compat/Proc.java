package io.boson.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/** A running process whose output lines can be awaited. */
final class Proc implements AutoCloseable {

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]");

    final String command;
    final Process process;
    final Path out;
    final Path err;

    Proc(String command, Process process, Path out, Path err) {
        this.command = command;
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** Complete stdout lines so far, without ANSI sequences or spinner carriage returns. */
    List<String> lines() {
        String text = clean(read(out));
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : text.substring(0, end + 1).lines().map(String::stripTrailing).toList();
    }

    /** A predicate on the line list: some line after {@code marker} matches {@code then}. */
    static Predicate<List<String>> afterLine(String marker, Predicate<String> then) {
        return lines -> {
            int i = lines.indexOf(marker);
            return i >= 0 && lines.subList(i + 1, lines.size()).stream().anyMatch(then);
        };
    }

    /** The first stdout line matching {@code match}, waiting until it comes, the process exits, or time runs out. */
    Optional<String> awaitLine(Predicate<String> match, Duration timeout) {
        awaitLines(lines -> lines.stream().anyMatch(match), timeout);
        return lines().stream().filter(match).findFirst();
    }

    /** Waits until the stdout lines satisfy {@code condition} (false when the process exits or time runs out first). */
    boolean awaitLines(Predicate<List<String>> condition, Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(50))
                    .until(() -> condition.test(lines()) || !process.isAlive());
        } catch (ConditionTimeoutException e) {
            // reported by the caller, with the output
        }
        return condition.test(lines());
    }

    Run waitFor(Duration timeout) {
        try {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("`" + command + "` did not exit within " + timeout
                        + "\n--- stdout:\n" + clean(read(out)) + "\n--- stderr:\n" + clean(read(err)));
            }
            Run run = new Run(command, process.exitValue(), clean(read(out)), clean(read(err)));
            if (Boolean.getBoolean("boson.compat.verbose")) System.out.println(run);
            return run;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        return "`" + command + "`\n--- stdout:\n" + clean(read(out)) + "\n--- stderr:\n" + clean(read(err));
    }

    @Override
    public void close() {
        if (process.isAlive()) process.destroyForcibly();
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String clean(String s) {
        // A spinner on a non-TTY stdout redraws with '\r': keep only what follows the last one.
        String noAnsi = ANSI.matcher(s).replaceAll("");
        StringBuilder b = new StringBuilder();
        String[] lines = noAnsi.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) b.append('\n');
            b.append(lines[i].substring(lines[i].lastIndexOf('\r') + 1));
        }
        return b.toString();
    }
}
