package io.boson.health;

import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What fleet health adds to each event on the device path, in this JVM: the counts a published event
 * makes (events published, Data Operations, cellular bytes: three calls of {@link FleetCounters#count})
 * through the running server's own counters, with the devices' dimensions loaded from its database,
 * against the same loop through switched-off counters. Both sides run on the same threads over the
 * same device ids, alternating, so machine noise falls on both. Also the time of one flush (off the
 * device path, once per flush interval). A measurement, not a test: it runs only when asked,
 * {@code -Dboson.fleet.bench=<devices>}, and prints its numbers (docs/benchmarks.md).
 */
@Tag("bench")
class FleetCountersBenchmark {

    private static final int THREADS = 2;
    private static final long MILLIS = 2_000;
    private static final int ROUNDS = 5;

    @Test
    void costPerEvent() throws Exception {
        int devices = Integer.getInteger("boson.fleet.bench", 0);
        Assumptions.assumeTrue(devices > 0, "a measurement: run with -Dboson.fleet.bench=<devices>");
        try (TestCloud cloud = TestCloud.start()) {
            Api owner = cloud.newUser();
            long product = cloud.newProduct(owner, "Fleet bench");
            List<String> ids = new ArrayList<>();
            for (int left = devices; left > 0; left -= 10_000) {
                for (TestCloud.Credentials c : cloud.registerDevices(Math.min(left, 10_000))) ids.add(c.id());
            }
            owner.postJson("/v1/products/" + product + "/devices", Map.of("ids", ids));
            // A third of the fleet in a group: each of their counts also goes to the group's row.
            owner.postJson("/v1/products/" + product + "/groups", Map.of("name", "north"));
            for (int i = 0; i < Math.min(300, ids.size()); i += 3) {
                owner.putJson("/v1/products/" + product + "/devices/" + ids.get(i), Map.of("groups", List.of("north")));
            }
            String[] all = ids.toArray(String[]::new);
            FleetCounters on = cloud.boson().health().fleetCounters();
            FleetCounters off = new FleetCounters(null, Clock.systemUTC(), false);
            for (String id : all) on.count(id, FleetMetric.EVENTS_PUBLISHED, 1);
            on.flush(); // loads every device's dimensions, as the first flush after they connect does
            measure(on, all, MILLIS / 2);
            measure(off, all, MILLIS / 2);
            double onNs = 0;
            double offNs = 0;
            for (int r = 0; r < ROUNDS; r++) {
                // ABBA: neither side always runs first.
                if (r % 2 == 0) {
                    offNs += measure(off, all, MILLIS);
                    onNs += measure(on, all, MILLIS);
                } else {
                    onNs += measure(on, all, MILLIS);
                    offNs += measure(off, all, MILLIS);
                }
            }
            onNs /= ROUNDS;
            offNs /= ROUNDS;
            long t0 = System.nanoTime();
            on.flush();
            double flushMs = (System.nanoTime() - t0) / 1e6;
            System.out.printf(Locale.ROOT, "BENCH fleet counting per published event (%d threads, %,d devices, 3 counts per event): "
                    + "%.0f ns on, %.0f ns off (the loop alone): %.0f ns added per event; one flush of what was counted: %.1f ms%n",
                    THREADS, devices, onNs, offNs, onNs - offNs, flushMs);
        }
    }

    /** Nanoseconds of one thread per published event, over {@code millis} of all threads counting. */
    private static double measure(FleetCounters counters, String[] ids, long millis) throws InterruptedException {
        LongAdder events = new LongAdder();
        long end = System.nanoTime() + millis * 1_000_000L;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int offset = t * 7919;
            workers.add(Thread.ofPlatform().start(() -> {
                long n = 0;
                int i = offset;
                while ((n & 1023) != 0 || System.nanoTime() < end) {
                    String id = ids[i % ids.length];
                    counters.count(id, FleetMetric.EVENTS_PUBLISHED, 1);
                    counters.count(id, FleetMetric.DATA_OPERATIONS, 1);
                    counters.count(id, FleetMetric.CELLULAR_BYTES, 150);
                    i++;
                    n++;
                }
                events.add(n);
            }));
        }
        for (Thread w : workers) w.join();
        return (double) millis * 1_000_000L * THREADS / events.sum();
    }
}
