package io.boson.bench;

import io.boson.usage.Meter;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * The meter's own cost on the device path, in this JVM: what {@code Meter.event} adds to each event
 * published or delivered, with the same loop through a switched-off meter as the baseline. Both
 * sides run the same threads over the same device ids, so machine noise falls on both.
 */
final class MeterCost {

    record Result(int threads, int devices, double onNanos, double offNanos) {
        double addedNanos() {
            return onNanos - offNanos;
        }

        String markdown() {
            return String.format(Locale.ROOT, "Meter.event on the device path (%d threads, %d devices, in-process): "
                    + "%.0f ns per call metering on, %.0f ns off (the loop alone): **%.0f ns added per event**.%n",
                    threads, devices, onNanos, offNanos, addedNanos());
        }
    }

    private MeterCost() {
    }

    static Result run(int threads, int devices, long millis) throws InterruptedException {
        String[] ids = new String[devices];
        for (int i = 0; i < devices; i++) ids[i] = String.format("%024x", i);
        Meter on = new Meter(true, Clock.systemUTC());
        Meter off = new Meter(false, Clock.systemUTC());
        measure(on, ids, threads, millis / 2);
        measure(off, ids, threads, millis / 2);
        double offNs = 0;
        double onNs = 0;
        for (int round = 0; round < 3; round++) {
            offNs += measure(off, ids, threads, millis);
            onNs += measure(on, ids, threads, millis);
        }
        return new Result(threads, devices, onNs / 3, offNs / 3);
    }

    /** Nanoseconds of one thread per call, over {@code millis} of all threads calling. */
    private static double measure(Meter meter, String[] ids, int threads, long millis) throws InterruptedException {
        LongAdder calls = new LongAdder();
        long end = System.nanoTime() + millis * 1_000_000L;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t * 7919;
            workers.add(Thread.ofPlatform().start(() -> {
                long n = 0;
                int i = offset;
                while ((n & 1023) != 0 || System.nanoTime() < end) {
                    meter.event(ids[i % ids.length], "bench", 100);
                    i++;
                    n++;
                }
                calls.add(n);
            }));
        }
        for (Thread w : workers) w.join();
        return (double) millis * 1_000_000L * threads / calls.sum();
    }
}
