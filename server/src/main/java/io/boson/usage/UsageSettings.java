package io.boson.usage;

import java.time.Duration;

/**
 * How usage is metered and what the plans allow. The defaults are Particle's published numbers
 * (reference section D): Free 100 devices, 100,000 Data Operations and 100 MB of cellular data a
 * month, pooled; a Growth block 100 devices, 720,000 Data Operations and 540 MB a month; a 3-day
 * grace period at 100 % on Free before communication is paused.
 *
 * @param metering      false turns counting off entirely (benchmark baseline); plans are then not enforced
 * @param flushInterval how often a node writes its in-memory counters; a crash loses at most this much
 * @param grace         how long a Free owner at 100 % keeps communicating before the pause
 */
public record UsageSettings(boolean metering, Duration flushInterval, Duration grace, Limits free, Limits growthBlock) {

    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_GRACE = Duration.ofDays(3);
    public static final Limits FREE = new Limits(100, 100_000, 100 * Limits.MB, 0);
    public static final Limits GROWTH_BLOCK = new Limits(100, 720_000, 540 * Limits.MB, 0);

    /** Limits of one plan (or one Growth block); 0 firmware bytes means not limited. */
    public record Limits(long devices, long dataOperations, long cellularBytes, long firmwareBytes) {
        /** Particle reports cellular data in MB of 1,000,000 bytes. */
        public static final long MB = 1_000_000L;

        public Limits times(long blocks) {
            return new Limits(devices * blocks, dataOperations * blocks, cellularBytes * blocks, firmwareBytes * blocks);
        }
    }

    public UsageSettings {
        if (flushInterval.isNegative() || flushInterval.isZero()) throw new IllegalArgumentException("usage flush interval must be positive");
        if (grace.isNegative()) throw new IllegalArgumentException("usage grace period must not be negative");
    }

    public static UsageSettings defaults() {
        return new UsageSettings(true, DEFAULT_FLUSH_INTERVAL, DEFAULT_GRACE, FREE, GROWTH_BLOCK);
    }

    public UsageSettings withMetering(boolean on) {
        return new UsageSettings(on, flushInterval, grace, free, growthBlock);
    }

    public UsageSettings withFlushInterval(Duration d) {
        return new UsageSettings(metering, d, grace, free, growthBlock);
    }

    public UsageSettings withGrace(Duration d) {
        return new UsageSettings(metering, flushInterval, d, free, growthBlock);
    }

    public UsageSettings withFree(Limits l) {
        return new UsageSettings(metering, flushInterval, grace, l, growthBlock);
    }

    public UsageSettings withGrowthBlock(Limits l) {
        return new UsageSettings(metering, flushInterval, grace, free, l);
    }
}
