package io.boson.usage;

import io.boson.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The meter's arithmetic and its one promise: drained while counting, nothing is lost or counted twice. */
class MeterTest {

    @Test
    void anEventCostsOneDataOperationPer1024BytesAtLeastOne() {
        assertThat(DataOperations.forEvent(0)).isEqualTo(1);
        assertThat(DataOperations.forEvent(1)).isEqualTo(1);
        assertThat(DataOperations.forEvent(1024)).isEqualTo(1);
        assertThat(DataOperations.forEvent(1025)).isEqualTo(2);
        assertThat(DataOperations.forEvent(16 * 1024)).isEqualTo(16);
        assertThat(DataOperations.billable("temp")).isTrue();
        assertThat(DataOperations.billable("spark/status")).isFalse();
        assertThat(DataOperations.billable("Particle/x")).isFalse();
        assertThat(Platforms.cellular(13)).isTrue();
        assertThat(Platforms.cellular(12)).isFalse();
        assertThat(Platforms.cellular(32)).isFalse();
    }

    @Test
    void countsAreKeptPerDeviceAndUtcDay() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-30T23:59:59Z"));
        Meter meter = new Meter(true, clock);
        meter.event("a", "t", 1025);
        clock.advance(Duration.ofSeconds(2));
        meter.request("a");
        meter.cellular("a", 500);
        List<Meter.Count> counts = new ArrayList<>(meter.drain());
        counts.sort(java.util.Comparator.comparingLong(Meter.Count::day));
        assertThat(counts).containsExactly(new Meter.Count("a", 20_787, 2, 0), new Meter.Count("a", 20_788, 1, 500));
        assertThat(meter.drain()).isEmpty();
        Meter off = new Meter(false, clock);
        off.event("a", "t", 1);
        off.request("a");
        assertThat(off.drain()).isEmpty();
    }

    @Test
    void drainingWhileDevicesCountLosesNothingAndCountsNothingTwice() throws Exception {
        Meter meter = new Meter(true, java.time.Clock.systemUTC());
        int threads = 4;
        int perThread = 200_000;
        AtomicBoolean done = new AtomicBoolean();
        long[] drained = new long[1];
        Thread drainer = Thread.ofPlatform().start(() -> {
            while (!done.get()) {
                for (Meter.Count c : meter.drain()) drained[0] += c.dataOperations();
            }
        });
        List<Thread> counters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            counters.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) meter.event("device" + (i + id) % 50, "t", 10);
            }));
        }
        for (Thread c : counters) c.join();
        done.set(true);
        drainer.join();
        for (Meter.Count c : meter.drain()) drained[0] += c.dataOperations();
        assertThat(drained[0]).isEqualTo((long) threads * perThread);
    }
}
