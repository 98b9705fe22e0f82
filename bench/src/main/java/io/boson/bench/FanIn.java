package io.boson.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Event fan-in: many publishers, each at a fixed rate with a random phase, into one subscriber.
 * Every payload is the publisher's {@link System#nanoTime()} just before the publish, in decimal;
 * the subscriber (same JVM, same clock) hands it back through {@link #arrived}, so latency is
 * publish call to receipt, whatever sits between.
 *
 * <p>Only messages <em>sent</em> inside the measurement window count: "offered" is how many were
 * sent in it, "delivered" how many of those arrived before the drain period ended. Sends during the
 * warm-up, and arrivals of warm-up messages, are ignored.
 */
final class FanIn {

    enum Outcome { ACCEPTED, RATE_LIMITED, REFUSED }

    /** One simulated publisher: sends {@code payload} and completes with the broker's verdict (QoS 1 ack). */
    interface Publisher {
        CompletableFuture<Outcome> publish(byte[] payload);
    }

    record Result(int publishers, double ratePerPublisher, double seconds, long offered, long accepted,
                  long rateLimited, long refused, long failed, long delivered, long duplicates,
                  Samples.Summary latency, double serverCores, double driverCores) {

        double offeredPerSecond() {
            return offered / seconds;
        }

        double deliveredPerSecond() {
            return delivered / seconds;
        }

        /** Sent in the window but never received (rate-limited ones included). */
        long lost() {
            return Math.max(0, offered - delivered);
        }
    }

    private final Duration warmup;
    private final Duration measure;
    private final Duration drain;
    private final Samples latencies = new Samples();
    private final LongAdder offered = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder received = new LongAdder();
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MIN_VALUE;

    /** Subscribers that each receive every event: an event counts as delivered once all of them got it. */
    private final int streams;

    FanIn(Duration warmup, Duration measure, Duration drain) {
        this(warmup, measure, drain, 1);
    }

    FanIn(Duration warmup, Duration measure, Duration drain, int streams) {
        this.streams = streams;
        this.warmup = warmup;
        this.measure = measure;
        this.drain = drain;
    }

    /** Called by the subscriber for every benchmark message, with the time it was received. */
    void arrived(String payload, long receivedNanos) {
        received.increment();
        long sent;
        try {
            sent = Long.parseLong(payload.trim());
        } catch (NumberFormatException e) {
            return;
        }
        if (sent >= windowStart && sent < windowEnd) {
            delivered.increment();
            latencies.add(receivedNanos - sent);
        }
    }

    void arrived(byte[] payload, long receivedNanos) {
        arrived(new String(payload, StandardCharsets.US_ASCII), receivedNanos);
    }

    /**
     * Runs warm-up, measurement and drain; blocks for their sum. {@code ratePerPublisher} events per
     * second each, at a fixed rate with a random phase, so the offered load is smooth.
     */
    Result run(List<Publisher> publishers, double ratePerPublisher, long serverPid) throws InterruptedException {
        long periodNanos = (long) (TimeUnit.SECONDS.toNanos(1) / ratePerPublisher);
        long start = System.nanoTime();
        windowStart = start + warmup.toNanos();
        windowEnd = windowStart + measure.toNanos();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2,
                Thread.ofPlatform().name("bench-publish-", 0).daemon(true).factory());
        try {
            for (Publisher p : publishers) {
                long phase = ThreadLocalRandom.current().nextLong(periodNanos);
                scheduler.scheduleAtFixedRate(() -> publishOne(p), phase, periodNanos, TimeUnit.NANOSECONDS);
            }
            sleepUntil(windowStart);
            ProcessStats.CpuMeter cpu = new ProcessStats.CpuMeter(serverPid, ProcessHandle.current().pid());
            sleepUntil(windowEnd);
            double[] cores = cpu.coresSinceStart();
            scheduler.shutdownNow();
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            sleepUntil(windowEnd + drain.toNanos());
            long d = delivered.sum() / streams; // deliveries to all subscribers, in whole events
            long offeredCount = offered.sum();
            return new Result(publishers.size(), ratePerPublisher, measure.toNanos() / 1e9, offeredCount,
                    accepted.sum(), rateLimited.sum(), refused.sum(), failed.sum(), Math.min(d, offeredCount),
                    Math.max(0, d - offeredCount), latencies.summary(), cores[0], cores[1]);
        } finally {
            scheduler.shutdownNow();
        }
    }

    private void publishOne(Publisher p) {
        long t = System.nanoTime();
        boolean counted = t >= windowStart && t < windowEnd;
        if (counted) offered.increment();
        CompletableFuture<Outcome> ack;
        try {
            ack = p.publish(Long.toString(t).getBytes(StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            if (counted) failed.increment();
            return;
        }
        ack.whenComplete((outcome, error) -> {
            if (!counted) return;
            if (error != null) failed.increment();
            else switch (outcome) {
                case ACCEPTED -> accepted.increment();
                case RATE_LIMITED -> rateLimited.increment();
                case REFUSED -> refused.increment();
            }
        });
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait;
        while ((wait = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(200)));
        }
    }
}
