package io.boson.device;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A fleet of simulated devices against a running cloud, for demos, load and benchmarks. Each device
 * has functions {@code led} and {@code reset}, variables {@code temp}, {@code count}, {@code label}
 * and {@code armed}, and publishes a {@code temperature} event every publish interval.
 *
 * <p>Design: one small scheduled executor drives the whole fleet (connects, publishes, reconnects);
 * device I/O is asynchronous on the MQTT client's shared event loop, so no thread is tied to a
 * device and fleets of thousands fit in one process (mind its open-files limit). Connection
 * attempts go through one {@link ConnectPacer}, reconnects included, so a cloud restart is not
 * followed by a stampede. A simulator runs once: after {@link #stop()} build a new one.
 */
public final class Simulator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Simulator.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final SimulatorOptions options;
    private final List<Fleet> fleet;
    private final ScheduledExecutorService scheduler;
    private final ConnectPacer connectPacer;
    private final AtomicLong connectFailures = new AtomicLong();
    private volatile String lastConnectFailure;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<CompletableFuture<Void>> firstAttempts = new ArrayList<>();
    private volatile boolean running;
    private boolean started; // guarded by this

    /** A device with its retry state; failures count consecutive failed attempts. */
    private record Fleet(SimulatedDevice simulated, AtomicInteger failures) {
        BosonDevice device() {
            return simulated.device();
        }
    }

    public Simulator(SimulatorOptions options, List<DeviceCredentials> credentials) {
        this(options, credentials, Clock.systemUTC());
    }

    Simulator(SimulatorOptions options, List<DeviceCredentials> credentials, Clock clock) {
        this.options = options;
        int count = options.deviceCount() == 0 ? credentials.size() : options.deviceCount();
        if (count > credentials.size()) {
            throw new IllegalArgumentException("asked for " + count + " devices but the credentials hold only "
                    + credentials.size());
        }
        List<Fleet> devices = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            devices.add(new Fleet(new SimulatedDevice(credentials.get(i), i, options, clock), new AtomicInteger()));
        }
        this.fleet = List.copyOf(devices);
        this.connectPacer = new ConnectPacer(options.connectsPerSecond(), System::nanoTime);
        this.scheduler = Executors.newScheduledThreadPool(
                Math.min(4, Runtime.getRuntime().availableProcessors()), Thread.ofPlatform()
                        .name("boson-simulator-", 0).daemon(true).factory());
    }

    /** Reads the admin API's credentials export, {@code {"devices":[{"id":…,"secret":…}, …]}}. */
    public static Simulator fromCredentialsFile(Path credentialsFile, SimulatorOptions options) throws IOException {
        return new Simulator(options, DeviceCredentials.read(credentialsFile));
    }

    /**
     * Starts connecting and publishing. The future completes when every device has made its first
     * connection attempt, successful or not; with reconnect on, failed devices keep trying.
     */
    public synchronized CompletableFuture<Void> start() {
        if (started) {
            throw new IllegalStateException("a simulator runs once");
        }
        started = true;
        running = true;
        for (Fleet member : fleet) {
            member.device().onDisconnected(reason -> {
                log.debug("{} disconnected: {}", member.device().id(), reason);
                scheduleConnect(member, retryDelay(member));
            });
            CompletableFuture<Void> first = new CompletableFuture<>();
            firstAttempts.add(first);
            schedule(() -> connect(member).whenComplete((v, e) -> first.complete(null)), connectPacer.reserve());
            schedulePublishing(member);
        }
        return CompletableFuture.allOf(firstAttempts.toArray(CompletableFuture[]::new));
    }

    /** Stops publishing and reconnecting, then disconnects every device (waiting up to 10 s). */
    public void stop() {
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
        }
        scheduler.shutdownNow();
        synchronized (this) {
            firstAttempts.forEach(first -> first.complete(null)); // those never attempted will not be
        }
        CompletableFuture<?>[] disconnects = fleet.stream().map(m -> m.device().disconnect()).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(disconnects).get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("not every device disconnected cleanly: {}", e.toString());
        } finally {
            stopped.countDown();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Starts, then blocks until {@link #stop()} is called (e.g. from a shutdown hook) or the thread is interrupted. */
    public void runUntilInterrupted() {
        runUntilInterrupted(Duration.ZERO, stats -> { });
    }

    /** Like {@link #runUntilInterrupted()}, handing {@link #stats()} to {@code report} every {@code reportEvery}. */
    public void runUntilInterrupted(Duration reportEvery, Consumer<SimulatorStats> report) {
        start();
        if (!reportEvery.isZero()) {
            long millis = reportEvery.toMillis();
            scheduler.scheduleAtFixedRate(() -> report.accept(stats()), millis, millis, TimeUnit.MILLISECONDS);
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stop();
        }
    }

    public SimulatorStats stats() {
        int connected = 0;
        long published = 0;
        long rateLimited = 0;
        long refused = 0;
        for (Fleet member : fleet) {
            BosonDevice device = member.device();
            connected += device.isConnected() ? 1 : 0;
            published += device.eventsPublished();
            rateLimited += device.eventsRateLimited();
            refused += device.eventsRefused();
        }
        return new SimulatorStats(fleet.size(), connected, connectFailures.get(), published, rateLimited, refused,
                lastConnectFailure);
    }

    /** The simulated devices, in credentials order, for tests and benchmarks that drive one directly. */
    public List<BosonDevice> devices() {
        return fleet.stream().map(Fleet::device).toList();
    }

    public SimulatorOptions options() {
        return options;
    }

    private CompletableFuture<Void> connect(Fleet member) {
        if (!running) {
            return CompletableFuture.completedFuture(null);
        }
        return member.device().connect().handle((v, error) -> {
            if (error == null) {
                member.failures().set(0);
                if (!running) {
                    member.device().disconnect(); // connected while stop() was disconnecting the fleet
                }
            } else if (!(DeviceLink.unwrap(error) instanceof IllegalStateException)) {
                // IllegalStateException: already connected or connecting, so nothing failed.
                connectFailures.incrementAndGet();
                lastConnectFailure = String.valueOf(DeviceLink.unwrap(error).getMessage());
                member.failures().incrementAndGet();
                scheduleConnect(member, retryDelay(member));
            }
            return null;
        });
    }

    private void scheduleConnect(Fleet member, Duration backoff) {
        if (!running || !options.reconnect()) {
            return;
        }
        // Back off first, then queue for a connect slot: reserving the slot now would hold every
        // other device's connect behind this one's backoff.
        schedule(() -> schedule(() -> connect(member), connectPacer.reserve()), backoff.toNanos());
    }

    private void schedule(Runnable task, long delayNanos) {
        try {
            scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // stop() won the race: nothing more to do for this device.
        }
    }

    /** Exponential backoff with jitter, so devices refused together do not retry together. */
    private static Duration retryDelay(Fleet member) {
        int failures = Math.min(member.failures().get(), 16);
        long millis = Math.min(MAX_RETRY.toMillis(), FIRST_RETRY.toMillis() << failures);
        return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    }

    private void schedulePublishing(Fleet member) {
        long interval = options.publishInterval().toMillis();
        if (interval <= 0) {
            return;
        }
        // A random first delay spreads the fleet's events evenly over the interval.
        long first = ThreadLocalRandom.current().nextLong(interval);
        scheduler.scheduleAtFixedRate(member.simulated()::publishTemperature, first, interval, TimeUnit.MILLISECONDS);
    }
}
