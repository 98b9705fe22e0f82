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
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The fleet's hot counters: what the gateway, calls and OTA count, per product, minute and
 * dimension (group, product firmware version, Device OS version), in memory. {@link #count} never
 * touches the database: a device whose dimensions are not cached yet is counted under its ID and
 * resolved at the next flush. {@link #flush} writes one batch per interval to the minute and hour
 * tables, and once a minute adds the devices connected to this node to {@link FleetMetric#ONLINE}.
 * A crash loses at most one flush interval, a clean shutdown nothing.
 *
 * <p>The device path's cost is one cache lookup and one {@link LongAdder} add: every device with
 * the same dimensions shares one {@link Slot}, which holds an adder per metric for the minute being
 * counted; nothing is allocated per count and threads counting the same product do not contend.
 */
public final class FleetCounters implements Presence.Listener {

    /** Dimensions follow group and firmware changes within this time (a describe applies at once). */
    static final Duration DIMS_TTL = Duration.ofMinutes(1);
    private static final long MINUTE = Duration.ofMinutes(1).toMillis();
    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final FleetMetric[] METRICS = FleetMetric.values();
    /** What a device outside any product counts into: nothing. */
    private static final Slot NOWHERE = new Slot(FleetRepository.Dims.NONE);

    private final FleetRepository repo;
    private final Clock clock;
    private final boolean enabled;
    private final Cache<String, Slot> dims = Caffeine.newBuilder().expireAfterWrite(DIMS_TTL)
            .maximumSize(1_000_000).build();
    /** One slot per set of dimensions in use; a slot nobody counted into for a while is dropped at a flush. */
    private final ConcurrentHashMap<FleetRepository.Dims, Slot> slots = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Unresolved, Long> unresolved = new ConcurrentHashMap<>();
    /** What a flush could not write, written by the next (guarded by the flush). */
    private final Map<FleetRepository.Key, Long> failed = new HashMap<>();
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

    /** One minute's amounts of one slot, an adder per metric. */
    private record Window(long minute, LongAdder[] amounts) {
        Window(long minute) {
            this(minute, adders());
        }

        private static LongAdder[] adders() {
            LongAdder[] a = new LongAdder[METRICS.length];
            for (int i = 0; i < a.length; i++) a[i] = new LongAdder();
            return a;
        }
    }

    /**
     * The counts of every device with the same dimensions. {@code current} is the window of the
     * latest minute counted; a count for an earlier minute (a thread that read the clock just before
     * the minute turned) goes to that minute's window among the {@code older} ones. A flush drains
     * every window; a window replaced by a newer minute is drained at two flushes before it is let
     * go, so a count that raced the replacement is not lost.
     */
    private static final class Slot {
        final FleetRepository.Dims dims;
        volatile Window current = new Window(Long.MIN_VALUE);
        /** Windows of earlier minutes and how many flushes have drained them (guarded by this). */
        final Map<Window, Integer> older = new HashMap<>();
        /** The minute it was last found counted into, or handed to a device (flush thread only). */
        long lastCounted;

        Slot(FleetRepository.Dims dims) {
            this.dims = dims;
        }

        void add(FleetMetric metric, long minute, long amount) {
            Window w = current;
            if (w.minute() != minute) w = window(minute);
            w.amounts()[metric.ordinal()].add(amount);
        }

        private synchronized Window window(long minute) {
            Window w = current;
            if (w.minute() == minute) return w;
            for (Window o : older.keySet()) if (o.minute() == minute) return o;
            Window fresh = new Window(minute);
            if (minute > w.minute()) {
                if (w.minute() != Long.MIN_VALUE) older.put(w, 0);
                current = fresh;
            } else {
                older.put(fresh, 0);
            }
            return fresh;
        }

        /** Adds what was counted since the last drain to {@code into}; returns whether there was anything. */
        boolean drain(Map<FleetRepository.Key, Long> into) {
            List<Window> windows = new ArrayList<>();
            synchronized (this) {
                windows.add(current);
                windows.addAll(older.keySet());
                older.replaceAll((w, drained) -> drained + 1);
                older.values().removeIf(drained -> drained > 2);
            }
            boolean any = false;
            for (Window w : windows) {
                for (FleetMetric m : METRICS) {
                    long v = w.amounts()[m.ordinal()].sumThenReset();
                    if (v == 0) continue;
                    any = true;
                    put(into, dims, m, w.minute(), v);
                }
            }
            return any;
        }
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
        Slot slot = dims.getIfPresent(deviceId);
        if (slot == null) {
            unresolved.merge(new Unresolved(deviceId, metric, minute), amount, Long::sum);
        } else if (slot != NOWHERE) {
            slot.add(metric, minute, amount);
        }
    }

    /** The slot of these dimensions, marked in use now (a device is about to be cached with it). Flush thread only. */
    private Slot slot(FleetRepository.Dims d, long minute) {
        if (d == FleetRepository.Dims.NONE) return NOWHERE;
        Slot slot = slots.computeIfAbsent(d, Slot::new);
        slot.lastCounted = Math.max(slot.lastCounted, minute);
        return slot;
    }

    /** The amount in the row of every device ("" group) and in the row of each of the device's groups. */
    private static void put(Map<FleetRepository.Key, Long> into, FleetRepository.Dims d, FleetMetric metric, long minute, long amount) {
        into.merge(new FleetRepository.Key(d.productId(), metric.column(), minute, "", d.firmwareVersion(), d.systemVersion()),
                amount, Long::sum);
        for (String g : d.groups()) {
            into.merge(new FleetRepository.Key(d.productId(), metric.column(), minute, g, d.firmwareVersion(), d.systemVersion()),
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
        Map<FleetRepository.Key, Long> taken = new HashMap<>();
        resolve(taken, minute);
        for (Slot slot : slots.values()) {
            if (slot.drain(taken)) {
                slot.lastCounted = minute;
            } else if (slot.lastCounted < minute - 2 * DIMS_TTL.toMillis()) {
                // Every device cached with it was cached over a minute ago: those entries have expired.
                slots.remove(slot.dims, slot);
            }
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
            repo.add(minutes, hours);
        } catch (RuntimeException e) {
            // Keep the amounts: the next flush tries again (the minute rows are added to, never replaced).
            taken.forEach((k, v) -> failed.merge(k, v, Long::sum));
            throw e;
        }
    }

    /** Loads the dimensions of devices counted by ID, caches them, and adds what they counted to {@code into}. */
    private void resolve(Map<FleetRepository.Key, Long> into, long minute) {
        if (!failed.isEmpty()) {
            into.putAll(failed);
            failed.clear();
        }
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
                dims.put(id, slot(d, minute));
                invalidated.remove(id, inv);
            }
        });
        for (Map.Entry<Unresolved, Long> e : batch.entrySet()) {
            Unresolved u = e.getKey();
            FleetRepository.Dims d = loaded.get(u.deviceId());
            if (d == null) {
                Slot cached = dims.getIfPresent(u.deviceId());
                d = cached == null ? null : cached.dims;
            }
            if (d != null && d != FleetRepository.Dims.NONE) put(into, d, u.metric(), u.minute(), e.getValue());
        }
    }

    /** Deletes minute rows older than {@code minutesKept} and hour rows older than {@code hoursKept}. */
    void prune(Duration minutesKept, Duration hoursKept) {
        repo.prune(FleetRepository.MINUTES, clock.millis() - minutesKept.toMillis());
        repo.prune(FleetRepository.HOURS, clock.millis() - hoursKept.toMillis());
    }
}
