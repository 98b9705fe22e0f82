package io.boson.firmware;

import io.boson.audit.AuditLog;
import io.boson.auth.Principal;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.boson.devices.Device;
import io.boson.devices.DeviceService;
import io.boson.errors.DomainException;
import io.boson.products.Product;
import io.boson.products.ProductDevices;
import io.boson.products.ProductService;
import io.boson.team.Action;

import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Product firmware releases and their preview, device locks and forced updates, and developer
 * flashing (the versions themselves are {@link FirmwareStore}'s). Permissions come from the role
 * table: releasing is {@code MANAGE_FIRMWARE}, locks {@code EDIT_DEVICE} (and
 * {@code FLASH_DEVICES} to push at once), flashing one device {@code FLASH_DEVICES}. Whatever
 * may change a device's target nudges the online devices concerned; {@link OtaDelivery} decides.
 */
public final class FirmwareService {

    private final ProductService products;
    private final ProductDevices fleet;
    private final DeviceService devices;
    private final FirmwareRepository repo;
    private final OtaDelivery ota;
    private final Bus bus;
    private final AuditLog audit;
    private final Clock clock;
    private final FirmwareStore store;
    private final StagedTargets staged;

    public FirmwareService(ProductService products, ProductDevices fleet, DeviceService devices, FirmwareRepository repo,
                           FirmwareStore store, OtaDelivery ota, Bus bus, AuditLog audit, Clock clock, StagedTargets staged) {
        this.staged = staged;
        this.store = store;
        this.products = products;
        this.fleet = fleet;
        this.devices = devices;
        this.repo = repo;
        this.ota = ota;
        this.bus = bus;
        this.audit = audit;
        this.clock = clock;
    }

    // --- releases ----------------------------------------------------------------------------

    public Firmware release(Principal caller, String product, Integer version, boolean productDefault, List<String> groups,
                            boolean intelligent) {
        return release(caller, product, version, productDefault, groups, intelligent, false);
    }

    /** A release; {@code cancelRollouts} cancels unfinished rollouts of another version to the same devices instead of refusing. */
    public Firmware release(Principal caller, String product, Integer version, boolean productDefault, List<String> groups,
                            boolean intelligent, boolean cancelRollouts) {
        Product p = products.require(caller, product, Action.MANAGE_FIRMWARE);
        Firmware f = store.find(p, Integer.toString(FirmwareStore.validVersion(version)));
        Set<String> names = new LinkedHashSet<>(groups == null ? List.of() : groups);
        Map<String, Long> ids = repo.groupIds(p.id(), names);
        names.removeAll(ids.keySet());
        if (!names.isEmpty()) throw DomainException.invalid("Unknown group(s) in this product: " + String.join(", ", names));
        staged.releasing(caller, p.id(), f.version(), productDefault, ids.keySet(), cancelRollouts);
        repo.release(p.id(), f.version(), productDefault, ids.values(), intelligent, caller.userId(), clock.millis());
        audit.record(caller, p.id(), "firmware.release", "v" + f.version(), "product_default=" + productDefault
                + " groups=" + ids.keySet() + " intelligent=" + intelligent);
        nudge(repo.onlineDevices(p.id()));
        return repo.find(p.id(), f.version()).orElseThrow();
    }

    /**
     * A finished rollout becomes a release of its version (intelligent, as its waves were): to the
     * product as default, or to its groups in addition to those the version already had.
     */
    public void releaseStaged(long productId, int version, boolean productDefault, Collection<String> groups, Long userId) {
        Firmware f = repo.find(productId, version).orElseThrow(() -> DomainException.notFound("Firmware version not found"));
        Set<String> names = new LinkedHashSet<>(f.groups());
        names.addAll(groups);
        Map<String, Long> ids = repo.groupIds(productId, names);
        repo.release(productId, version, productDefault || f.productDefault(), ids.values(), true, userId, clock.millis());
        audit.recordProductSystem(productId, "firmware.release", "v" + version, "finished rollout: product_default="
                + (productDefault || f.productDefault()) + " groups=" + ids.keySet());
        nudge(repo.onlineDevices(productId));
    }

    /** How many devices a release would update, by the version they run now (null: unknown). */
    public record Impact(long total, Map<Integer, Long> byVersion) {
    }

    public Impact impact(Principal caller, String product, Integer version, List<String> groups, boolean productDefault) {
        Product p = products.require(caller, product, Action.VIEW_FIRMWARE);
        Firmware f = store.find(p, Integer.toString(FirmwareStore.validVersion(version)));
        Firmware proposed = new Firmware(p.id(), f.version(), f.title(), f.description(), f.fileName(), f.size(), f.sha256(),
                f.uploadedBy(), f.uploadedAt(), f.releasedAt(), productDefault, f.intelligent(), f.updatedAt(),
                groups == null ? List.of() : List.copyOf(groups));
        List<Firmware> after = Precedence.with(repo.releases(p.id()), proposed);
        Map<Integer, Long> byVersion = new TreeMap<>(java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));
        long total = 0;
        for (DeviceFirmware d : repo.devices(p.id(), null)) {
            Precedence.Target t = Precedence.target(d, after);
            if (t != null && t.version() == f.version() && !Objects.equals(d.productVersion(), f.version())) {
                total++;
                byVersion.merge(d.productVersion(), 1L, Long::sum);
            }
        }
        return new Impact(total, byVersion);
    }

    /** Devices aimed at a version, by where they stand; {@code running} counts devices that run it, whatever their target. */
    public record Rollout(long targeted, long pending, long inProgress, long updated, long failed, long running) {
    }

    public Map<Integer, Rollout> rollouts(long productId) {
        List<Firmware> releases = repo.releases(productId);
        List<DeviceFirmware> all = repo.devices(productId, null);
        Map<String, Precedence.Target> waves = staged.targets(productId, all);
        Map<Integer, long[]> counts = new TreeMap<>();
        for (DeviceFirmware d : all) {
            if (d.productVersion() != null) counts.computeIfAbsent(d.productVersion(), k -> new long[6])[5]++;
            Precedence.Target t = Precedence.target(d, releases, waves.get(d.deviceId()));
            if (t == null) continue;
            long[] c = counts.computeIfAbsent(t.version(), k -> new long[6]);
            c[0]++;
            boolean sameJob = Objects.equals(d.jobVersion(), t.version()) && d.state() != null;
            if (Objects.equals(d.productVersion(), t.version())) c[3]++;
            else if (sameJob && d.state().failed()) c[4]++;
            else if (sameJob && d.state().active()) c[2]++;
            else c[1]++;
        }
        Map<Integer, Rollout> out = new TreeMap<>();
        counts.forEach((v, c) -> out.put(v, new Rollout(c[0], c[1], c[2], c[3], c[4], c[5])));
        return out;
    }

    // --- devices -----------------------------------------------------------------------------

    /** Locks a product device to a version ({@code null} unlocks); {@code flash} pushes it to the device now. */
    public Device lock(Principal caller, String product, String idOrName, Integer version, boolean flash) {
        Product p = products.require(caller, product, flash ? Action.FLASH_DEVICES : Action.EDIT_DEVICE);
        products.require(caller, product, Action.EDIT_DEVICE);
        Device d = fleet.get(caller, p, idOrName);
        if (version != null) store.find(p, Integer.toString(FirmwareStore.validVersion(version)));
        repo.lock(d.id(), version, flash);
        audit.record(caller, p.id(), "device.lock", d.id(), version == null ? "unlocked" : "v" + version + (flash ? " flash" : ""));
        staged.devicesChanged(List.of(d.id()));
        nudge(List.of(d.id()));
        return d;
    }

    /**
     * Particle's {@code firmware_updates_forced}: the product's updates reach the device even if its
     * firmware disabled them (the offer says {@code forced}). Re-evaluates the device at once.
     */
    public void forceUpdates(Principal caller, String product, String idOrName, boolean forced) {
        Product p = products.require(caller, product, Action.EDIT_DEVICE);
        Device d = fleet.get(caller, p, idOrName);
        repo.forceUpdates(d.id(), forced);
        audit.record(caller, p.id(), "device.firmware_updates_forced", d.id(), Boolean.toString(forced));
        nudge(List.of(d.id()));
    }

    /**
     * Flashes one device with a binary: a developer device by its owner ({@code product} null), or a
     * product device that is a development device, by a team member with flash rights.
     */
    public Device flash(Principal caller, String product, String idOrName, String fileName, byte[] data) {
        Device d;
        if (product != null) {
            Product p = products.require(caller, product, Action.FLASH_DEVICES);
            d = fleet.get(caller, p, idOrName);
        } else {
            d = devices.get(caller, idOrName);
            if (d.inProduct()) {
                products.find(d.productId()).map(p -> products.require(caller, Long.toString(p.id()), Action.FLASH_DEVICES))
                        .orElseThrow(() -> DomainException.notFound("Device not found"));
            }
        }
        if (d.inProduct() && !d.development()) {
            throw DomainException.invalid("Only development devices of a product can be flashed directly; mark it as a "
                    + "development device first (development: true), or release the firmware to it");
        }
        store.requireBinary(fileName, data);
        if (!d.online()) throw new DomainException.DeviceOffline();
        ota.startDirect(d, data, FirmwareStore.sha256(data));
        audit.record(caller, d.productId(), "device.flash", d.id(), data.length + " bytes");
        nudge(List.of(d.id()));
        return d;
    }

    /** A product changed something that can move these devices' targets: the online ones check at once. */
    public void devicesChanged(Collection<String> deviceIds) {
        staged.devicesChanged(deviceIds);
        nudge(deviceIds);
    }

    public DeviceFirmware deviceFirmware(String deviceId) {
        return repo.device(deviceId).orElseThrow(() -> DomainException.notFound("Device not found"));
    }

    /** These devices of the product, with their groups in the product already known. */
    public List<DeviceFirmware> deviceFirmware(long productId, Collection<String> ids, Map<String, List<String>> groups) {
        return repo.devices(productId, ids, groups);
    }

    /** The device's target; the releases come from the cache the offers use, as new as the device row read. */
    public Precedence.Target target(DeviceFirmware d) {
        return d.productId() == null ? null
                : Precedence.target(d, ota.releases(d.productId(), d.releaseGeneration()), staged.target(d));
    }

    public Map<String, Precedence.Target> targets(long productId, List<DeviceFirmware> ds) {
        if (ds.isEmpty()) return Map.of();
        long generation = ds.stream().mapToLong(DeviceFirmware::releaseGeneration).max().orElse(0);
        List<Firmware> releases = ota.releases(productId, generation);
        Map<String, Precedence.Target> waves = staged.targets(productId, ds);
        Map<String, Precedence.Target> out = new java.util.HashMap<>();
        for (DeviceFirmware d : ds) out.put(d.deviceId(), Precedence.target(d, releases, waves.get(d.deviceId())));
        return out;
    }

    public java.util.Optional<OtaDelivery.Progress> progress(String job) {
        return ota.progress(job);
    }

    /** The online devices among these check their target at once. */
    public void nudge(Collection<String> deviceIds) {
        for (String id : deviceIds) bus.publish(Subjects.deviceFirmware(id), new byte[0]);
    }
}
