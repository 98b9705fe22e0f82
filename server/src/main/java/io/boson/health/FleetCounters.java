package io.boson.health;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.boson.devices.Presence;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The fleet's hot counters: what the gateway, calls and OTA count, per product, minute and
 * dimension (group, product firmware version, Device OS version), in memory. {@link #count} never
 * touches the database: a device whose dimensions are not cached yet is counted under its ID and
 * resolved at the next flush. {@link #flush} writes one batch per interval to the minute and hour
 * tables, and once a minute adds the devices connected to this node to {@link FleetMetric#ONLINE}.
 * A crash loses at most one flush interval, a clean shutdown nothing.
 */
public final class FleetCounters implements Presence.Listener {

    /** Dimensions follow group and firmware changes within this time (a describe applies at once). */
    static final Duration DIMS_TTL = Duration.ofMinutes(1);
    private static final long MINUTE = Duration.ofMinutes(1).toMillis();
    private static final long HOUR = Duration.ofHours(1).toMillis();

    private final FleetRepository repo;
    private final Clock clock;
    private final boolean enabled;
    private final Cache<String, FleetRepository.Dims> dims = Caffeine.newBuilder().expireAfterWrite(DIMS_TTL)
            .maximumSize(1_000_000).build();
    private final ConcurrentHashMap<FleetRepository.Key, Long> counts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Unresolved, Long> unresolved = new ConcurrentHashMap<>();
    private volatile Supplier<Collection<String>> connected = List::of;
    /**
     * When each device's dimensions were last invalidated (a generation number): dimensions loaded
     * before an invalidation are used for what was counted but not cached, so a describe racing a
     * flush cannot leave the old firmware version cached.
     */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
    private final ConcurrentHashMap<String, Long> invalidated = new ConcurrentHashMap<>();
    private long sampledMinute = Long.MIN_VALUE;

    private record Unresolved(String deviceId, FleetMetric metric, long minute) {
    }

    FleetCounters(FleetRepository repo, Clock clock, boolean enabled) {
        this.repo = repo;
        this.clock = clock;
        this.enabled = enabled;
    }

    /** Where the devices connected to this node come from (the gateway's sessions), for the online gauge. */
    public void connectedDevices(Supplier<Collection<String>> source) {
        this.connected = source;
    }

    /**
     * Counts {@code amount} of {@code metric} for the device's product now. Developer devices are not
     * counted (fleet health is per product). The hook for usage metering: Data Operations and
     * cellular bytes are counted here by whoever meters them.
     */
    public void count(String deviceId, FleetMetric metric, long amount) {
        if (!enabled || amount == 0) return;
        long minute = Math.floorDiv(clock.millis(), MINUTE) * MINUTE;
        FleetRepository.Dims d = dims.getIfPresent(deviceId);
        if (d == null) {
            unresolved.merge(new Unresolved(deviceId, metric, minute), amount, Long::sum);
        } else {
            add(d, metric, minute, amount);
        }
    }

    private void add(FleetRepository.Dims d, FleetMetric metric, long minute, long amount) {
        if (d == FleetRepository.Dims.NONE) return;
        counts.merge(new FleetRepository.Key(d.productId(), metric.column(), minute, "", d.firmwareVersion(), d.systemVersion()),
                amount, Long::sum);
        for (String g : d.groups()) {
            counts.merge(new FleetRepository.Key(d.productId(), metric.column(), minute, g, d.firmwareVersion(), d.systemVersion()),
                    amount, Long::sum);
        }
    }

    @Override
    public void connected(String deviceId, long at, String remoteAddress) {
        // A connect may follow a move to another product or a change of groups: look again.
        invalidate(deviceId);
        count(deviceId, FleetMetric.CONNECTS, 1);
    }

    @Override
    public void disconnected(String deviceId, long at, String reason) {
        count(deviceId, FleetMetric.DISCONNECTS, 1);
    }

    @Override
    public void described(String deviceId) {
        invalidate(deviceId);
    }

    private void invalidate(String deviceId) {
        invalidated.put(deviceId, generation.incrementAndGet());
        dims.invalidate(deviceId);
    }

    /** Samples the online gauge once per minute, resolves what was counted by ID, and writes one batch. */
    public synchronized void flush() {
        if (!enabled) return;
        long minute = Math.floorDiv(clock.millis(), MINUTE) * MINUTE;
        if (minute != sampledMinute) {
            sampledMinute = minute;
            for (String id : connected.get()) count(id, FleetMetric.ONLINE, 1);
        }
        resolve();
        Map<FleetRepository.Key, Long> taken = new HashMap<>();
        for (FleetRepository.Key k : List.copyOf(counts.keySet())) {
            Long v = counts.remove(k);
            if (v != null) taken.merge(k, v, Long::sum);
        }
        // Each count also goes to the "any firmware", "any Device OS" and "any of both" rows.
        Map<FleetRepository.Key, Long> minutes = new HashMap<>();
        taken.forEach((k, v) -> {
            for (int fw : new int[] {k.firmwareVersion(), FleetRepository.ANY_FIRMWARE}) {
                for (String sys : new String[] {k.systemVersion(), FleetRepository.ANY_SYSTEM}) {
                    minutes.merge(new FleetRepository.Key(k.productId(), k.metric(), k.at(), k.group(), fw, sys), v, Long::sum);
                }
            }
        });
        Map<FleetRepository.Key, Long> hours = new HashMap<>();
        minutes.forEach((k, v) -> hours.merge(new FleetRepository.Key(k.productId(), k.metric(), Math.floorDiv(k.at(), HOUR) * HOUR,
                k.group(), k.firmwareVersion(), k.systemVersion()), v, Long::sum));
        try {
            repo.add(FleetRepository.MINUTES, minutes);
            repo.add(FleetRepository.HOURS, hours);
        } catch (RuntimeException e) {
            // Put the amounts back: the next flush tries again (the minute rows are added to, never replaced).
            taken.forEach((k, v) -> counts.merge(k, v, Long::sum));
            throw e;
        }
    }

    private void resolve() {
        if (unresolved.isEmpty()) return;
        Map<Unresolved, Long> batch = new HashMap<>();
        for (Unresolved u : List.copyOf(unresolved.keySet())) {
            Long v = unresolved.remove(u);
            if (v != null) batch.put(u, v);
        }
        Set<String> ids = new HashSet<>();
        for (Unresolved u : batch.keySet()) if (dims.getIfPresent(u.deviceId()) == null) ids.add(u.deviceId());
        long before = generation.get();
        Map<String, FleetRepository.Dims> loaded = repo.dims(ids);
        loaded.forEach((id, d) -> {
            Long inv = invalidated.get(id);
            if (inv == null || inv <= before) {
                dims.put(id, d);
                invalidated.remove(id, inv);
            }
        });
        List<Map.Entry<Unresolved, Long>> entries = new ArrayList<>(batch.entrySet());
        for (Map.Entry<Unresolved, Long> e : entries) {
            Unresolved u = e.getKey();
            FleetRepository.Dims d = loaded.getOrDefault(u.deviceId(), dims.getIfPresent(u.deviceId()));
            if (d != null) add(d, u.metric(), u.minute(), e.getValue());
        }
    }

    /** Deletes minute rows older than {@code minutesKept} and hour rows older than {@code hoursKept}. */
    void prune(Duration minutesKept, Duration hoursKept) {
        repo.prune(FleetRepository.MINUTES, clock.millis() - minutesKept.toMillis());
        repo.prune(FleetRepository.HOURS, clock.millis() - hoursKept.toMillis());
    }
}
