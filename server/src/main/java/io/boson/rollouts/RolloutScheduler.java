package io.boson.rollouts;

import io.boson.firmware.FirmwareService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives running rollouts, one tick at a time, with every decision taken from the injected clock:
 * assigns devices that joined the target, pauses a rollout whose started waves failed beyond their
 * error threshold, starts the next wave once the current one met its success threshold (and the
 * wait passed), and finishes with a release of the version to the rollout's target.
 * <p>
 * On several nodes one node drives a rollout at a time: it holds a lease row (owner, expiry by the
 * clock) that it renews on every tick; a node that stops renewing loses it after {@link #LEASE} and
 * the next node to tick takes over from what the database says.
 */
public final class RolloutScheduler {

    private static final Logger logger = LoggerFactory.getLogger(RolloutScheduler.class);
    /** How long a node holds a rollout without renewing it (by the cloud's clock). */
    public static final Duration LEASE = Duration.ofSeconds(30);
    /** How often a node ticks (real time); decisions use the clock, so a test may tick by hand instead. */
    public static final Duration TICK = Duration.ofSeconds(1);

    private final RolloutRepository repo;
    private final RolloutTargets targets;
    private final FirmwareService firmware;
    private final RolloutLog log;
    private final Clock clock;
    private final String node;

    RolloutScheduler(RolloutRepository repo, RolloutTargets targets, FirmwareService firmware, RolloutLog log, Clock clock,
                     String node) {
        this.repo = repo;
        this.targets = targets;
        this.firmware = firmware;
        this.log = log;
        this.clock = clock;
        this.node = node;
    }

    public String node() {
        return node;
    }

    /** One tick: drives every rollout this node holds or can take the lease of; returns how many it drove. */
    public int tick() {
        int driven = 0;
        List<Long> drivable = repo.drivable();
        known.keySet().retainAll(drivable);
        for (long id : drivable) {
            try {
                if (tryDrive(id)) driven++;
            } catch (RuntimeException e) {
                logger.warn("rollout {}: tick failed: {}", id, e.toString());
            }
        }
        return driven;
    }

    /** Drives one rollout if this node holds (or can take) its lease; false when another node drives it. */
    public boolean tryDrive(long id) {
        long now = clock.millis();
        if (!repo.lease(id, node, now, now + LEASE.toMillis())) return false;
        drive(id);
        return true;
    }

    /**
     * What the driving node knows of a running rollout between ticks: each assigned device's wave and
     * last known row. Rebuilt from the database on the first tick, after a gap (the lease may have
     * been elsewhere), every {@link #FULL_SCAN} and when devices of the product changed; otherwise a
     * tick reads only the update jobs that moved since the last one.
     */
    private static final class Known {
        final Map<String, Integer> waves = new HashMap<>();
        final Map<String, RolloutRepository.DeviceRow> rows = new HashMap<>();
        long scannedAt;
        long tickedAt;
    }

    /** How often the driver re-reads every device of the product (joiners, locks, groups), by the clock. */
    public static final Duration FULL_SCAN = Duration.ofSeconds(30);
    /** Jobs that moved this long before the last tick are read again (a write may land just after a tick read). */
    static final Duration OVERLAP = Duration.ofSeconds(1);

    private final Map<Long, Known> known = new java.util.concurrent.ConcurrentHashMap<>();

    /** The rollout's step for now; the caller holds its lease. Synchronized: the timer and API calls on one node take turns. */
    synchronized void drive(long id) {
        long now = clock.millis();
        Rollout r = repo.find(id).orElse(null);
        if (r == null) return;
        if (r.state() == RolloutState.APPROVED) {
            if (!repo.transition(id, List.of(RolloutState.APPROVED), RolloutState.RUNNING, null, null, now)) return;
            log.changed(null, r, "started", null, null);
            r = repo.find(id).orElseThrow();
        }
        if (r.state() != RolloutState.RUNNING) {
            known.remove(id);
            return;
        }
        boolean rescan = repo.takeRescan(id);
        Known k = known.get(id);
        boolean full = k == null || rescan || r.currentWave() < 0 || now - k.tickedAt > LEASE.toMillis() / 2
                || now - k.scannedAt >= FULL_SCAN.toMillis();
        Map<String, Integer> fresh = new HashMap<>();
        int current = r.currentWave();
        List<Integer> started = new ArrayList<>();
        if (full) {
            k = new Known();
            k.scannedAt = now;
            List<RolloutRepository.DeviceRow> rows = repo.devices(r.productId());
            boolean byGroup = !r.productWide() || WavePlan.groupWaves(r);
            Map<String, List<String>> groups = byGroup ? repo.groups(r.productId()) : Map.of();
            k.waves.putAll(repo.assignments(id));
            if (current < 0) {
                List<String> target = new ArrayList<>();
                for (RolloutRepository.DeviceRow d : rows) {
                    if (!k.waves.containsKey(d.id()) && WavePlan.targeted(r, d, groups.getOrDefault(d.id(), List.of()))) {
                        target.add(d.id());
                    }
                }
                fresh.putAll(WavePlan.assignAll(r, target, groups));
                current = 0;
                started.add(0);
            } else {
                for (RolloutRepository.DeviceRow d : rows) {
                    if (k.waves.containsKey(d.id())) continue;
                    List<String> g = groups.getOrDefault(d.id(), List.of());
                    if (!WavePlan.targeted(r, d, g)) continue;
                    Integer w = WavePlan.lateWave(r, d.id(), g);
                    if (w != null) fresh.put(d.id(), w);
                }
            }
            k.waves.putAll(fresh);
            for (RolloutRepository.DeviceRow d : rows) if (k.waves.containsKey(d.id())) k.rows.put(d.id(), d);
        } else {
            for (RolloutRepository.DeviceRow d : repo.changedSince(r.productId(), k.tickedAt - OVERLAP.toMillis())) {
                if (k.waves.containsKey(d.id())) k.rows.put(d.id(), d);
            }
        }
        Map<String, Integer> assigned = k.waves;
        Map<String, RolloutRepository.DeviceRow> byId = k.rows;
        Long lastTick = full ? repo.lastTick(id) : Long.valueOf(k.tickedAt);
        k.tickedAt = now;
        known.put(id, k);
        List<WavePlan.Counts> counts = WavePlan.counts(r, assigned, byId);

        for (int w = 0; w <= current; w++) {
            WavePlan.Counts c = counts.get(w);
            int threshold = r.waves().get(w).errorThreshold();
            if (c.devices() > 0 && c.counted() * 100 > (long) threshold * c.devices()) {
                repo.assign(id, fresh);
                repo.progress(id, current, null, started, now);
                if (repo.transition(id, List.of(RolloutState.RUNNING), RolloutState.PAUSED,
                        "wave " + (w + 1) + ": " + c.counted() + " of " + c.devices() + " devices failed (error threshold "
                                + threshold + "%)", null, now)) {
                    log.changed(null, r, "paused", w, c.counted() + " of " + c.devices() + " devices failed, above the error threshold of "
                            + threshold + "%");
                }
                return;
            }
        }

        Long nextWaveAt = r.nextWaveAt();
        boolean finished = false;
        int last = r.waves().size() - 1;
        while (true) {
            WavePlan.Counts c = counts.get(current);
            boolean met = c.devices() == 0
                    || c.applied() * 100 >= (long) r.waves().get(current).successThreshold() * c.devices();
            if (!met) break;
            if (current == last) {
                finished = true;
                break;
            }
            if (r.waitMillis() > 0) {
                if (nextWaveAt == null) nextWaveAt = now + r.waitMillis();
                if (now < nextWaveAt) break;
            }
            current++;
            started.add(current);
            nextWaveAt = null;
        }

        List<String> nudge = new ArrayList<>();
        for (Map.Entry<String, Integer> e : assigned.entrySet()) {
            if (e.getValue() > current) continue;
            RolloutRepository.DeviceRow d = byId.get(e.getKey());
            if (d == null) continue;
            WavePlan.Status s = WavePlan.status(d, r.version());
            boolean retry = s == WavePlan.Status.FAILED && d.nextAttemptAt() != null && d.nextAttemptAt() <= now
                    && (lastTick == null || d.nextAttemptAt() > lastTick);
            // Devices of a wave that starts now are read from the database below: their online flag here may be old.
            boolean joined = fresh.containsKey(e.getKey()) && !started.contains(e.getValue()) && d.online();
            if (joined || retry) nudge.add(e.getKey());
        }
        repo.assign(id, fresh);
        if (!repo.progress(id, current, nextWaveAt, started, now)) return;
        for (int w : started) {
            log.changed(null, r, "wave_started", w, null);
            nudge.addAll(repo.onlineDevicesOfWave(id, w));
        }
        if (finished && repo.transition(id, List.of(RolloutState.RUNNING), RolloutState.FINISHED, null, null, now)) {
            firmware.releaseStaged(r.productId(), r.version(), r.productWide(), r.targetGroups(),
                    r.createdBy());
            log.changed(null, r, "finished", null, null);
        }
        targets.nudge(nudge);
    }
}
