package io.boson.rollouts;


import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which devices a rollout targets, which wave each is in, and where each stands. Pure functions of
 * what the repository read, so the scheduler's decisions are tested without a clock or a database.
 * <p>
 * Assignment is deterministic and stable: at the start, the target devices are ordered by a hash of
 * (rollout id, device id) and cut at the waves' cumulative shares, so the shares are exact; a device
 * that joins later takes the wave its hash falls into (as a percentile), or the current wave when
 * that one already started. Group waves take a device into the first wave whose group it is in.
 */
final class WavePlan {

    /** Where one device of a wave stands with the rollout's version. */
    enum Status { PENDING, OFFERED, DOWNLOADING, APPLIED, FAILED }

    private WavePlan() {
    }

    static long hash(long rolloutId, String deviceId) {
        long h = 0xcbf29ce484222325L ^ rolloutId * 0x9E3779B97F4A7C15L;
        for (byte b : deviceId.getBytes(StandardCharsets.US_ASCII)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** True when the device is one the rollout updates: not a development device, not locked, in the target. */
    static boolean targeted(Rollout r, RolloutRepository.DeviceRow d, List<String> groups) {
        if (d.development() || d.lockedVersion() != null) return false;
        return r.productWide() || groups.stream().anyMatch(r.targetGroups()::contains);
    }

    /** Every target device's wave when the rollout starts. Devices in no group wave are left out. */
    static Map<String, Integer> assignAll(Rollout r, List<String> targetIds, Map<String, List<String>> groups) {
        Map<String, Integer> out = new HashMap<>();
        if (groupWaves(r)) {
            for (String id : targetIds) {
                Integer w = groupWave(r, groups.getOrDefault(id, List.of()));
                if (w != null) out.put(id, w);
            }
            return out;
        }
        List<String> ordered = new ArrayList<>(targetIds);
        ordered.sort(Comparator.comparingLong((String id) -> hash(r.id(), id)).thenComparing(Comparator.naturalOrder()));
        int n = ordered.size();
        int from = 0;
        int cumulative = 0;
        for (Wave w : r.waves()) {
            cumulative += w.percent();
            int to = w.index() == r.waves().size() - 1 ? n : (int) ((long) cumulative * n / 100);
            for (int i = from; i < to; i++) out.put(ordered.get(i), w.index());
            from = Math.max(from, to);
        }
        return out;
    }

    /** The wave of a device that joined the target after the start, or null when no wave takes it. */
    static Integer lateWave(Rollout r, String id, List<String> groups) {
        Integer natural;
        if (groupWaves(r)) {
            natural = groupWave(r, groups);
        } else {
            int percentile = (int) Math.floorMod(hash(r.id(), id), 100L);
            int cumulative = 0;
            natural = r.waves().size() - 1;
            for (Wave w : r.waves()) {
                cumulative += w.percent();
                if (percentile < cumulative) {
                    natural = w.index();
                    break;
                }
            }
        }
        return natural == null ? null : Math.max(natural, r.currentWave());
    }

    static boolean groupWaves(Rollout r) {
        return r.waves().get(0).group() != null;
    }

    private static Integer groupWave(Rollout r, List<String> groups) {
        for (Wave w : r.waves()) if (groups.contains(w.group())) return w.index();
        return null;
    }

    static Status status(RolloutRepository.DeviceRow d, int version) {
        if (Objects.equals(d.productVersion(), version)) return Status.APPLIED;
        if (d.state() == null || !Objects.equals(d.jobVersion(), version)) return Status.PENDING;
        if (d.state().failed()) return Status.FAILED;
        return switch (d.state()) {
            case SUCCESS -> Status.APPLIED; // the device came back reporting the version
            case OFFERED -> Status.OFFERED;
            case IN_PROGRESS, APPLIED -> Status.DOWNLOADING;
            default -> Status.PENDING;
        };
    }

    /** A failure that counts against the error threshold: one since the rollout last resumed. */
    static boolean countedFailure(RolloutRepository.DeviceRow d, int version, long errorsSince) {
        return status(d, version) == Status.FAILED && d.jobUpdatedAt() != null && d.jobUpdatedAt() >= errorsSince;
    }

    /** Per-wave counts; {@code counted} is the failures that count against the error threshold. */
    record Counts(long devices, long pending, long offered, long downloading, long applied, long failed, long counted) {
    }

    static List<Counts> counts(Rollout r, Map<String, Integer> assignments, Map<String, RolloutRepository.DeviceRow> devices) {
        long[][] c = new long[r.waves().size()][7];
        assignments.forEach((id, wave) -> {
            RolloutRepository.DeviceRow d = devices.get(id);
            if (d == null || wave >= c.length) return;
            long[] w = c[wave];
            w[0]++;
            Status s = status(d, r.version());
            w[1 + s.ordinal()]++;
            if (s == Status.FAILED && countedFailure(d, r.version(), r.errorsSince())) w[6]++;
        });
        List<Counts> out = new ArrayList<>(c.length);
        for (long[] w : c) out.add(new Counts(w[0], w[1], w[2], w[3], w[4], w[5], w[6]));
        return out;
    }

}
