package io.boson.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closed-loop request/response: each caller has one request outstanding at a time and sends the
 * next as soon as the answer arrives, cycling over the devices. Throughput is completed calls per
 * second in the window; latency is per call. A call counts when it started and ended in the window.
 */
final class RoundTrips {

    /** One caller's connection; {@link #call} blocks until the device's answer is back, or throws. */
    interface Caller {
        void call(int deviceIndex) throws Exception;
    }

    record Result(int concurrency, double seconds, long calls, long errors, String firstError,
                  Samples.Summary latency, double serverCores, double driverCores) {

        double callsPerSecond() {
            return calls / seconds;
        }
    }

    private RoundTrips() {
    }

    static Result run(List<Caller> callers, int devices, Duration warmup, Duration measure, long serverPid)
            throws InterruptedException {
        long windowStart = System.nanoTime() + warmup.toNanos();
        long windowEnd = windowStart + measure.toNanos();
        Samples latencies = new Samples();
        LongAdder errors = new LongAdder();
        AtomicReference<String> firstError = new AtomicReference<>();
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (Caller caller : callers) {
            threads.add(Thread.ofPlatform().name("bench-caller-", threads.size()).daemon(true).start(() -> {
                while (System.nanoTime() < windowEnd) {
                    int device = Math.floorMod(next.getAndIncrement(), devices);
                    long t0 = System.nanoTime();
                    try {
                        caller.call(device);
                        long t1 = System.nanoTime();
                        if (t0 >= windowStart && t1 <= windowEnd) latencies.add(t1 - t0);
                    } catch (Exception e) {
                        if (t0 >= windowStart) errors.increment();
                        firstError.compareAndSet(null, e.toString());
                        if (e instanceof InterruptedException) return;
                    }
                }
            }));
        }
        FanIn.sleepUntil(windowStart);
        ProcessStats.CpuMeter cpu = new ProcessStats.CpuMeter(serverPid, ProcessHandle.current().pid());
        FanIn.sleepUntil(windowEnd);
        double[] cores = cpu.coresSinceStart();
        for (Thread t : threads) t.join(30_000);
        Samples.Summary summary = latencies.summary();
        return new Result(callers.size(), measure.toNanos() / 1e9, summary.count(), errors.sum(), firstError.get(),
                summary, cores[0], cores[1]);
    }
}
