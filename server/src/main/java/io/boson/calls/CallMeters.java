package io.boson.calls;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Function calls and variable reads by result, with a latency histogram (Prometheus buckets). */
final class CallMeters {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

    CallMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(String kind, String result, long nanos) {
        timers.computeIfAbsent(kind + "/" + result, k -> Timer.builder("boson.calls").tag("kind", kind).tag("result", result)
                .description("Function calls and variable reads that reached a node, by result").publishPercentileHistogram()
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }
}
