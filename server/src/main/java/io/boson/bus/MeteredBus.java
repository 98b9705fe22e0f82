package io.boson.bus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A bus that measures the one that carries: messages published, request round trips (a latency
 * histogram by outcome) and request errors. Wraps either implementation.
 */
public final class MeteredBus implements Bus {

    private final Bus bus;
    private final Counter published;
    private final Timer answered;
    private final Timer timedOut;
    private final Counter noResponders;
    private final Counter errors;

    public MeteredBus(Bus bus, MeterRegistry registry) {
        this.bus = bus;
        published = Counter.builder("boson.bus.published").description("Messages published on the bus").register(registry);
        answered = request(registry, "answered");
        timedOut = request(registry, "timeout");
        noResponders = Counter.builder("boson.bus.requests.unanswerable")
                .description("Requests nobody subscribed to (a device no node holds)").register(registry);
        errors = Counter.builder("boson.bus.errors").tag("source", "request").description("Bus requests that failed")
                .register(registry);
    }

    private static Timer request(MeterRegistry registry, String outcome) {
        return Timer.builder("boson.bus.request").tag("outcome", outcome).publishPercentileHistogram()
                .description("Bus request round trips").register(registry);
    }

    @Override
    public void publish(String subject, byte[] data) {
        published.increment();
        bus.publish(subject, data);
    }

    @Override
    public void publish(String subject, String replyTo, byte[] data) {
        published.increment();
        bus.publish(subject, replyTo, data);
    }

    @Override
    public CompletableFuture<byte[]> request(String subject, byte[] data, Duration timeout) {
        long start = System.nanoTime();
        return bus.request(subject, data, timeout).whenComplete((r, e) -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause == null) answered.record(Duration.ofNanos(System.nanoTime() - start));
            else if (cause instanceof TimeoutException) timedOut.record(Duration.ofNanos(System.nanoTime() - start));
            else if (cause instanceof NoResponders) noResponders.increment();
            else errors.increment();
        });
    }

    @Override
    public Subscription subscribe(String pattern, Consumer<BusMessage> handler) {
        return bus.subscribe(pattern, handler);
    }

    @Override
    public void sync(Duration timeout) {
        bus.sync(timeout);
    }

    @Override
    public boolean reachable() {
        return bus.reachable();
    }

    @Override
    public void close() {
        bus.close();
    }
}
