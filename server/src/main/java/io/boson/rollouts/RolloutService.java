package io.boson.rollouts;

import io.boson.auth.Principal;
import io.boson.errors.DomainException;
import io.boson.firmware.FirmwareRepository;
import io.boson.products.Product;
import io.boson.products.ProductService;
import io.boson.team.Action;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Staged rollouts of a product's firmware (a Boson extension): create, approve, pause, resume,
 * cancel, and read them with per-wave counts. Permissions are the role table's firmware rows:
 * changing a rollout is releasing ({@code MANAGE_FIRMWARE}, Developer and up), reading one is
 * {@code VIEW_FIRMWARE}. A product has at most one unfinished rollout at a time.
 */
public final class RolloutService {

    public static final int MAX_WAVES = 20;
    public static final int DEFAULT_SUCCESS_THRESHOLD = 90;
    public static final int DEFAULT_ERROR_THRESHOLD = 10;
    static final Duration MAX_WAIT = Duration.ofDays(30);

    /** One wave as asked for: a {@code percent} of the target or a {@code group}; null thresholds take the defaults. */
    public record WaveSpec(Integer percent, String group, Integer successThreshold, Integer errorThreshold) {
    }

    /** A rollout as asked for; {@code groups} empty targets the whole product. */
    public record Spec(Integer version, List<String> groups, List<WaveSpec> waves, Long waitSeconds, boolean requiresApproval) {
    }

    /** Where a wave's devices stand. */
    public record WaveCounts(long devices, long pending, long offered, long downloading, long applied, long failed) {
    }

    /** A rollout with the counts of each of its waves. */
    public record View(Rollout rollout, List<WaveCounts> waves) {
    }

    /** One device of a rollout: its wave (0-based) and where it stands. */
    public record Member(String deviceId, int wave, String status) {
    }

    private final ProductService products;
    private final FirmwareRepository firmware;
    private final RolloutRepository repo;
    private final RolloutTargets targets;
    private final RolloutScheduler scheduler;
    private final RolloutLog log;
    private final Clock clock;

    RolloutService(ProductService products, FirmwareRepository firmware, RolloutRepository repo, RolloutTargets targets,
                   RolloutScheduler scheduler, RolloutLog log, Clock clock) {
        this.products = products;
        this.firmware = firmware;
        this.repo = repo;
        this.targets = targets;
        this.scheduler = scheduler;
        this.log = log;
        this.clock = clock;
    }

    public View create(Principal caller, String product, Spec spec) {
        Product p = products.require(caller, product, Action.MANAGE_FIRMWARE);
        if (spec.version() == null) throw DomainException.invalid("version is required: the uploaded firmware version to roll out");
        if (firmware.find(p.id(), spec.version()).isEmpty()) {
            throw DomainException.invalid("Firmware version " + spec.version() + " is not uploaded to this product");
        }
        List<String> groups = List.copyOf(new LinkedHashSet<>(spec.groups() == null ? List.of() : spec.groups()));
        requireGroups(p.id(), groups);
        List<Wave> waves = waves(p.id(), spec.waves());
        long wait = spec.waitSeconds() == null ? 0 : spec.waitSeconds();
        if (wait < 0 || wait > MAX_WAIT.toSeconds()) {
            throw DomainException.invalid("wait_seconds must be from 0 to " + MAX_WAIT.toSeconds());
        }
        List<Rollout> unfinished = repo.unfinished(p.id());
        if (!unfinished.isEmpty()) {
            throw DomainException.conflict("Rollout " + unfinished.get(0).id() + " of this product is " + unfinished.get(0).state().wire()
                    + ": finish or cancel it before starting another");
        }
        long now = clock.millis();
        RolloutState state = spec.requiresApproval() ? RolloutState.CREATED : RolloutState.APPROVED;
        long id = repo.insert(p.id(), spec.version(), state, groups, spec.requiresApproval(), Duration.ofSeconds(wait).toMillis(),
                waves, caller.userId(), now);
        Rollout r = repo.find(id).orElseThrow();
        log.changed(caller, r, "created", null, null);
        if (state == RolloutState.APPROVED) scheduler.tryDrive(id);
        return view(repo.find(id).orElseThrow());
    }

    private void requireGroups(long productId, List<String> names) {
        if (names.isEmpty()) return;
        Set<String> unknown = new LinkedHashSet<>(names);
        unknown.removeAll(firmware.groupIds(productId, names).keySet());
        if (!unknown.isEmpty()) throw DomainException.invalid("Unknown group(s) in this product: " + String.join(", ", unknown));
    }

    private List<Wave> waves(long productId, List<WaveSpec> specs) {
        if (specs == null || specs.isEmpty() || specs.size() > MAX_WAVES) {
            throw DomainException.invalid("waves must list 1 to " + MAX_WAVES + " waves, each with a percent or a group");
        }
        boolean byGroup = specs.get(0) != null && specs.get(0).group() != null;
        List<Wave> out = new ArrayList<>();
        int total = 0;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < specs.size(); i++) {
            WaveSpec s = specs.get(i);
            String which = "wave " + (i + 1) + ": ";
            if (s == null || (s.percent() == null) == (s.group() == null) || (s.group() != null) != byGroup) {
                throw DomainException.invalid(which + "give either a percent or a group, the same kind for every wave");
            }
            if (s.percent() != null && (s.percent() < 1 || s.percent() > 100)) {
                throw DomainException.invalid(which + "percent must be from 1 to 100");
            }
            if (s.group() != null && !seen.add(s.group())) throw DomainException.invalid(which + "group " + s.group() + " is in an earlier wave");
            int success = s.successThreshold() == null ? DEFAULT_SUCCESS_THRESHOLD : s.successThreshold();
            int error = s.errorThreshold() == null ? DEFAULT_ERROR_THRESHOLD : s.errorThreshold();
            if (success < 0 || success > 100 || error < 0 || error > 100) {
                throw DomainException.invalid(which + "success_threshold and error_threshold are percentages from 0 to 100");
            }
            if (s.percent() != null) total += s.percent();
            out.add(new Wave(i, s.percent(), s.group(), success, error, null));
        }
        if (byGroup) requireGroups(productId, List.copyOf(seen));
        else if (total != 100) throw DomainException.invalid("The waves' percents must add up to 100 (they add up to " + total + ")");
        return out;
    }

    public List<Rollout> list(Principal caller, String product) {
        Product p = products.require(caller, product, Action.VIEW_FIRMWARE);
        return repo.list(p.id());
    }

    public View get(Principal caller, String product, String id) {
        Product p = products.require(caller, product, Action.VIEW_FIRMWARE);
        return view(find(p, id));
    }

    public List<Member> members(Principal caller, String product, String id) {
        Product p = products.require(caller, product, Action.VIEW_FIRMWARE);
        Rollout r = find(p, id);
        Map<String, RolloutRepository.DeviceRow> byId = new HashMap<>();
        for (RolloutRepository.DeviceRow d : repo.devices(p.id())) byId.put(d.id(), d);
        List<Member> out = new ArrayList<>();
        repo.assignments(r.id()).forEach((device, wave) -> {
            RolloutRepository.DeviceRow d = byId.get(device);
            if (d != null) out.add(new Member(device, wave, WavePlan.status(d, r.version()).name().toLowerCase(java.util.Locale.ROOT)));
        });
        out.sort(java.util.Comparator.comparingInt(Member::wave).thenComparing(Member::deviceId));
        return out;
    }

    public View approve(Principal caller, String product, String id) {
        Rollout r = changeable(caller, product, id);
        if (!repo.transition(r.id(), List.of(RolloutState.CREATED), RolloutState.APPROVED, null, null, clock.millis())) {
            throw DomainException.invalid("Only a rollout waiting for approval can be approved; this one is " + r.state().wire());
        }
        log.changed(caller, r, "approved", null, null);
        scheduler.tryDrive(r.id());
        return view(repo.find(r.id()).orElseThrow());
    }

    public View pause(Principal caller, String product, String id) {
        Rollout r = changeable(caller, product, id);
        if (!repo.transition(r.id(), List.of(RolloutState.RUNNING), RolloutState.PAUSED, "paused by " + caller.username(), null,
                clock.millis())) {
            throw DomainException.invalid("Only a running rollout can be paused; this one is " + r.state().wire());
        }
        log.changed(caller, r, "paused", null, "by hand");
        return view(repo.find(r.id()).orElseThrow());
    }

    /** Failures before the resume no longer count against the error threshold; devices not updated yet are offered again. */
    public View resume(Principal caller, String product, String id) {
        Rollout r = changeable(caller, product, id);
        long now = clock.millis();
        if (!repo.transition(r.id(), List.of(RolloutState.PAUSED), RolloutState.RUNNING, null, now, now)) {
            throw DomainException.invalid("Only a paused rollout can be resumed; this one is " + r.state().wire());
        }
        log.changed(caller, r, "resumed", null, null);
        targets.nudge(repo.onlineDevices(r.id(), r.currentWave()));
        scheduler.tryDrive(r.id());
        return view(repo.find(r.id()).orElseThrow());
    }

    public View cancel(Principal caller, String product, String id) {
        Rollout r = changeable(caller, product, id);
        if (!targets.cancel(caller, r, null)) {
            throw DomainException.invalid("This rollout is " + r.state().wire() + " already");
        }
        return view(repo.find(r.id()).orElseThrow());
    }

    private Rollout changeable(Principal caller, String product, String id) {
        return find(products.require(caller, product, Action.MANAGE_FIRMWARE), id);
    }

    private Rollout find(Product p, String id) {
        long n;
        try {
            n = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw DomainException.notFound("Rollout not found");
        }
        return repo.find(p.id(), n).orElseThrow(() -> DomainException.notFound("Rollout not found"));
    }

    View view(Rollout r) {
        List<RolloutRepository.DeviceRow> rows = repo.devices(r.productId());
        Map<String, RolloutRepository.DeviceRow> byId = new HashMap<>(rows.size() * 2);
        for (RolloutRepository.DeviceRow d : rows) byId.put(d.id(), d);
        List<WaveCounts> out = new ArrayList<>();
        for (WavePlan.Counts c : WavePlan.counts(r, repo.assignments(r.id()), byId)) {
            out.add(new WaveCounts(c.devices(), c.pending(), c.offered(), c.downloading(), c.applied(), c.failed()));
        }
        return new View(r, out);
    }
}
