package io.boson.health;

import io.boson.errors.DomainException;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The chart buckets of vitals and fleet series: from 1 minute (the last hour) to 8 hours (30 days),
 * as Particle's console draws them, plus a day. A chart holds at most {@link #MAX_BUCKETS} buckets.
 */
public final class Buckets {

    public static final int MAX_BUCKETS = 1_500;
    static final Map<String, Duration> NAMED = Map.of(
            "1m", Duration.ofMinutes(1), "5m", Duration.ofMinutes(5), "15m", Duration.ofMinutes(15),
            "30m", Duration.ofMinutes(30), "1h", Duration.ofHours(1), "2h", Duration.ofHours(2),
            "4h", Duration.ofHours(4), "8h", Duration.ofHours(8), "1d", Duration.ofDays(1));
    static final List<String> NAMES = List.of("1m", "5m", "15m", "30m", "1h", "2h", "4h", "8h", "1d");

    private Buckets() {
    }

    /** The named bucket, or the console's choice for the range when none is named. */
    public static Duration parse(String name, long from, long to) {
        Duration bucket;
        if (name == null || name.isBlank()) {
            bucket = auto(Duration.ofMillis(to - from));
        } else {
            bucket = NAMED.get(name);
            if (bucket == null) throw DomainException.invalid("bucket must be one of " + String.join(", ", NAMES));
        }
        if ((to - from) / bucket.toMillis() > MAX_BUCKETS) {
            throw DomainException.invalid("Too many buckets: at most " + MAX_BUCKETS + " per chart; choose a larger bucket");
        }
        return bucket;
    }

    static Duration auto(Duration range) {
        if (range.compareTo(Duration.ofHours(1)) <= 0) return Duration.ofMinutes(1);
        if (range.compareTo(Duration.ofHours(6)) <= 0) return Duration.ofMinutes(5);
        if (range.compareTo(Duration.ofDays(1)) <= 0) return Duration.ofMinutes(15);
        if (range.compareTo(Duration.ofDays(7)) <= 0) return Duration.ofHours(1);
        return Duration.ofHours(8);
    }

    public static String name(Duration bucket) {
        for (String n : NAMES) if (NAMED.get(n).equals(bucket)) return n;
        return bucket.toString();
    }

    /** The start of the bucket holding {@code at}, buckets aligned to the epoch (UTC). */
    public static long floor(long at, Duration bucket) {
        return Math.floorDiv(at, bucket.toMillis()) * bucket.toMillis();
    }
}
