package io.boson.rollouts;

import io.boson.auth.Principal;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.boson.errors.DomainException;
import io.boson.firmware.DeviceFirmware;
import io.boson.firmware.Precedence;
import io.boson.firmware.StagedTargets;

import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rollouts' side of the release precedence. A running rollout's version is the target of the
 * devices of its started waves (pushed at once, like an intelligent release). A paused or cancelled
 * rollout, or a wave that has not started, offers nothing, but keeps the devices that already run
 * its version on it, so that nothing is downgraded; a cancelled rollout stops holding them at the
 * product's next release.
 */
public final class RolloutTargets implements StagedTargets {

    static final List<RolloutState> UNFINISHED = List.of(RolloutState.CREATED, RolloutState.APPROVED, RolloutState.RUNNING,
            RolloutState.PAUSED);

    private final RolloutRepository repo;
    private final RolloutLog log;
    private final Bus bus;
    private final Clock clock;

    RolloutTargets(RolloutRepository repo, RolloutLog log, Bus bus, Clock clock) {
        this.repo = repo;
        this.log = log;
        this.bus = bus;
        this.clock = clock;
    }

    @Override
    public Precedence.Target target(DeviceFirmware d) {
        if (d.productId() == null) return null;
        return first(repo.placements(d.productId(), d.deviceId()), d.productVersion());
    }

    @Override
    public Map<String, Precedence.Target> targets(long productId, Collection<DeviceFirmware> devices) {
        // A page of devices (or one) by the device index; a whole fleet in one pass over the product.
        Map<String, List<RolloutRepository.Placement>> all = devices.size() <= RolloutRepository.IDS_PER_QUERY
                ? repo.placements(productId, devices.stream().map(DeviceFirmware::deviceId).toList())
                : repo.placements(productId);
        Map<String, Precedence.Target> out = new HashMap<>();
        if (all.isEmpty()) return out;
        for (DeviceFirmware d : devices) {
            List<RolloutRepository.Placement> ps = all.get(d.deviceId());
            Precedence.Target t = ps == null ? null : first(ps, d.productVersion());
            if (t != null) out.put(d.deviceId(), t);
        }
        return out;
    }

    private static Precedence.Target first(List<RolloutRepository.Placement> placements, Integer runs) {
        for (RolloutRepository.Placement p : placements) {
            if (p.state() == RolloutState.RUNNING && p.wave() <= p.currentWave()) {
                return new Precedence.Target(p.version(), Precedence.Source.ROLLOUT, true);
            }
            if (Objects.equals(runs, p.version())) return new Precedence.Target(p.version(), Precedence.Source.ROLLOUT, false);
        }
        return null;
    }

    @Override
    public void releasing(Principal caller, long productId, int version, boolean productDefault, Collection<String> groups,
                          boolean cancelRollouts) {
        for (Rollout r : repo.unfinished(productId)) {
            boolean overlaps = r.productWide() || productDefault || groups.stream().anyMatch(r.targetGroups()::contains);
            if (r.version() == version || !overlaps) continue;
            if (!cancelRollouts) {
                throw DomainException.invalid("Rollout " + r.id() + " of version " + r.version() + " (" + r.state().wire()
                        + ") targets these devices: cancel it first, or release with \"cancel_rollouts\": true to cancel it");
            }
            cancel(caller, r, "cancelled by a release of version " + version);
        }
        repo.retireCancelled(productId);
    }

    @Override
    public void devicesChanged(Collection<String> deviceIds) {
        if (!deviceIds.isEmpty()) repo.markRescan(deviceIds);
    }

    /** Cancels an unfinished rollout; its online devices that were offered its version hear at once that they are not. */
    boolean cancel(Principal caller, Rollout r, String reason) {
        if (!repo.transition(r.id(), UNFINISHED, RolloutState.CANCELLED, null, null, clock.millis())) return false;
        log.changed(caller, r, "cancelled", null, reason);
        nudge(repo.onlineDevices(r.id(), r.currentWave()));
        return true;
    }

    void nudge(Collection<String> deviceIds) {
        for (String id : deviceIds) bus.publish(Subjects.deviceFirmware(id), new byte[0]);
    }
}
