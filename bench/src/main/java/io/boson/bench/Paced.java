package io.boson.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Starts asynchronous work at a bounded rate (connections: a fleet arrives as a stream, not a stampede). */
final class Paced {

    private Paced() {
    }

    /** Starts {@code count} operations, {@code perSecond} at most, and waits for all of them; returns the failures. */
    static <T> List<Throwable> run(int count, int perSecond, long timeoutSeconds, IntFunction<CompletableFuture<T>> start)
            throws InterruptedException {
        long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
        long begin = System.nanoTime();
        List<CompletableFuture<T>> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            FanIn.sleepUntil(begin + i * interval);
            try {
                all.add(start.apply(i));
            } catch (RuntimeException e) {
                all.add(CompletableFuture.failedFuture(e));
            }
        }
        List<Throwable> failures = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (CompletableFuture<T> f : all) {
            try {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                failures.add(e.getCause() != null ? e.getCause() : e);
            }
        }
        return failures;
    }
}
