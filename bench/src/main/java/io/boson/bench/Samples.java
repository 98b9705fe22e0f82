package io.boson.bench;

import java.util.Arrays;

/**
 * Latency samples in nanoseconds, kept whole (a run holds at most a few hundred thousand) so that
 * percentiles are exact rather than bucketed. Adds are synchronized: the writers are a handful of
 * threads at a few thousand samples per second, far from contention.
 */
final class Samples {

    private long[] values = new long[4096];
    private int size;

    synchronized void add(long nanos) {
        if (size == values.length) values = Arrays.copyOf(values, size * 2);
        values[size++] = nanos;
    }

    synchronized int count() {
        return size;
    }

    /** An immutable, sorted view for reporting. */
    synchronized Summary summary() {
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        return new Summary(sorted);
    }

    record Summary(long[] sorted) {

        int count() {
            return sorted.length;
        }

        /** Nearest-rank percentile in milliseconds; NaN without samples. */
        double percentileMs(double p) {
            if (sorted.length == 0) return Double.NaN;
            int rank = (int) Math.ceil(p / 100.0 * sorted.length);
            int index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
            return sorted[index] / 1e6;
        }

        double maxMs() {
            return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6;
        }

        double meanMs() {
            if (sorted.length == 0) return Double.NaN;
            double sum = 0;
            for (long v : sorted) sum += v;
            return sum / sorted.length / 1e6;
        }
    }
}
