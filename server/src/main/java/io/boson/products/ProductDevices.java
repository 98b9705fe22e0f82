package io.boson.products;

import io.boson.audit.AuditLog;
import io.boson.auth.Principal;
import io.boson.devices.Describe;
import io.boson.devices.Device;
import io.boson.devices.DeviceAccess;
import io.boson.devices.DeviceIds;
import io.boson.devices.DeviceRef;
import io.boson.devices.DeviceService;
import io.boson.devices.Scope;
import io.boson.errors.DomainException;
import io.boson.team.Action;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A product's fleet: importing devices, listing and editing them, removing them, and the
 * protection rules. A device becomes a product device only by import and stays one until the
 * team removes it; firmware that names a product the device is not in gets it disconnected and
 * listed for the team to approve (import) or deny.
 */
public final class ProductDevices implements DeviceAccess {

    public static final int MAX_IMPORT = 100_000;
    private static final String NOT_IN_PRODUCT = "Device not found for this product";

    private final ProductService products;
    private final ProductDeviceRepository repo;
    private final DeviceService devices;
    private final AuditLog audit;
    private final Clock clock;

    public ProductDevices(ProductService products, ProductDeviceRepository repo, DeviceService devices, AuditLog audit,
                          Clock clock) {
        this.products = products;
        this.repo = repo;
        this.devices = devices;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public Device resolve(Principal caller, DeviceRef ref, Action action) {
        // An owner may do everything with their own devices; product devices follow the caller's role.
        if (ref.product() == null) return devices.getForCall(caller, ref.idOrName());
        Product product = products.require(caller, ref.product(), action);
        // By ID from the calls' memory (emptied on every node when a device changes product), as for owners.
        if (!DeviceIds.valid(ref.idOrName())) return get(caller, product, ref.idOrName());
        return devices.findForCall(ref.idOrName()).filter(d -> d.productId() != null && d.productId() == product.id())
                .orElseThrow(() -> DomainException.notFound(NOT_IN_PRODUCT));
    }

    /** As {@link #resolve}, read from the store: for what shows the device's row itself (its detail). */
    public Device resolveFresh(Principal caller, DeviceRef ref, Action action) {
        if (ref.product() == null) throw new IllegalArgumentException("a product device");
        return get(caller, products.require(caller, ref.product(), action), ref.idOrName());
    }

    /** A device of the product by ID or name. */
    public Device get(Principal caller, Product product, String idOrName) {
        return find(product, idOrName).orElseThrow(() -> DomainException.notFound(NOT_IN_PRODUCT));
    }

    private Optional<Device> find(Product product, String idOrName) {
        return DeviceIds.valid(idOrName) ? repo.find(product.id(), idOrName) : repo.findByName(product.id(), idOrName);
    }

    public ImportResult importDevices(Principal caller, String productIdOrSlug, List<String> rawIds) {
        Product product = products.require(caller, productIdOrSlug, Action.IMPORT_DEVICES);
        // Device IDs compare lowercased; what is refused is reported as it was sent (as Particle does).
        Map<String, String> unique = new LinkedHashMap<>();
        for (String raw : rawIds) {
            if (raw == null) continue;
            String sent = raw.trim();
            if (!sent.isEmpty()) unique.putIfAbsent(sent.toLowerCase(), sent);
        }
        if (unique.isEmpty()) throw DomainException.invalid("No device IDs given: send id, ids or a file with one ID per line");
        if (unique.size() > MAX_IMPORT) throw DomainException.invalid("At most " + MAX_IMPORT + " device IDs per import");
        List<String> invalid = new ArrayList<>();
        List<String> wellFormed = new ArrayList<>();
        unique.forEach((id, sent) -> {
            if (DeviceIds.valid(id)) wellFormed.add(id);
            else invalid.add(sent);
        });
        long now = clock.millis();
        Map<String, Long> owners = new HashMap<>();
        ImportResult result = repo.inTransaction(h -> {
            Map<String, ProductDeviceRepository.Registered> known = repo.registered(h, wellFormed);
            List<String> add = new ArrayList<>();
            List<String> existing = new ArrayList<>();
            List<String> nonmember = new ArrayList<>();
            List<String> protectedIds = new ArrayList<>();
            Map<Long, Boolean> ownerOnTeam = new HashMap<>();
            for (String id : wellFormed) {
                ProductDeviceRepository.Registered r = known.get(id);
                if (r == null || r.platformId() != product.platformId()) {
                    invalid.add(unique.get(id));
                } else if (r.productId() != null) {
                    (r.productId() == product.id() ? existing : protectedIds).add(id);
                } else if (r.ownerId() != null
                        && !ownerOnTeam.computeIfAbsent(r.ownerId(), o -> products.onTeam(o, product.id()))) {
                    nonmember.add(id);
                } else {
                    add.add(id);
                    if (r.ownerId() != null) owners.put(id, r.ownerId());
                }
            }
            repo.addToProduct(h, product.id(), add, now);
            return new ImportResult(add, existing, nonmember, invalid, protectedIds);
        });
        audit.record(caller, product.id(), "devices.import", result.updated() + " added",
                "requested=" + unique.size() + " existing=" + result.existingDeviceIds().size() + " invalid="
                        + result.invalidDeviceIds().size() + " protected=" + result.protectedDeviceIds().size()
                        + " nonmember=" + result.nonmemberDeviceIds().size());
        // Connected devices move to the product's scope at once.
        String scope = Scope.product(product.id());
        for (String id : result.updatedDeviceIds()) devices.moved(id, Scope.placement(scope, owners.get(id)));
        return result;
    }

    public ProductDeviceRepository.Page list(Principal caller, String productIdOrSlug, ProductDeviceQuery query) {
        return repo.list(products.require(caller, productIdOrSlug, Action.VIEW_DEVICE).id(), query);
    }

    public ProductDeviceRepository.Page quarantined(Principal caller, String productIdOrSlug, ProductDeviceQuery query) {
        return repo.quarantined(products.require(caller, productIdOrSlug, Action.VIEW_DEVICE).id(), query.page(), query.perPage());
    }

    public Map<String, List<String>> groupsOf(List<Device> page) {
        return repo.groupsOf(page.stream().map(Device::id).toList());
    }

    /** The customers who own devices of a page (Particle lists them beside the devices): id → email. */
    public Map<Long, String> customersOf(List<Device> page) {
        return repo.customers(page.stream().map(Device::ownerId).filter(java.util.Objects::nonNull).distinct().toList());
    }

    /** The changes of {@code PUT /v1/products/:p/devices/:id}; null fields stay as they are. */
    public record Update(String name, String notes, Boolean development) {
    }

    public Device update(Principal caller, String productIdOrSlug, String idOrName, Update u) {
        Product product = products.require(caller, productIdOrSlug, Action.EDIT_DEVICE);
        Device d = get(caller, product, idOrName);
        if (u.name() != null) {
            String name = DeviceIds.requireValidName(u.name());
            if (repo.nameTaken(product.id(), name, d.id())) throw DomainException.conflict("The product already has a device named " + name);
            repo.rename(d.id(), name);
        }
        if (u.notes() != null) {
            if (u.notes().length() > DeviceService.MAX_NOTES) throw DomainException.invalid("notes are at most 4000 characters");
            repo.setNotes(d.id(), u.notes());
        }
        if (u.development() != null) repo.setDevelopment(d.id(), u.development());
        if (u.name() != null || u.notes() != null || u.development() != null) devices.edited(d.id());
        audit.record(caller, product.id(), "device.update", d.id(), (u.name() != null ? "name=" + u.name() + " " : "")
                + (u.notes() != null ? "notes " : "") + (u.development() != null ? "development=" + u.development() : ""));
        return repo.find(product.id(), d.id()).orElseThrow();
    }

    /**
     * Removes a device from the product (it is unclaimed too, and refused until imported again),
     * or with {@code deny} refuses a device that is waiting for approval.
     */
    public void remove(Principal caller, String productIdOrSlug, String id, boolean deny) {
        Product product = products.require(caller, productIdOrSlug, Action.REMOVE_DEVICES);
        String raw = id == null ? "" : id.trim();
        String deviceId = raw.toLowerCase();
        if (deny) {
            if (!repo.deny(product.id(), deviceId, clock.millis())) {
                throw DomainException.notFound("No device with this ID is waiting for approval in this product");
            }
            audit.record(caller, product.id(), "device.deny", deviceId, null);
            return;
        }
        // Particle answers removing a device that is not in the product with 400 (particle-cli then
        // prints "Error removing device from product: Device not found for this product").
        Device d = find(product, DeviceIds.valid(deviceId) ? deviceId : raw)
                .orElseThrow(() -> DomainException.invalid(NOT_IN_PRODUCT));
        repo.remove(product.id(), d.id());
        audit.record(caller, product.id(), "device.remove", d.id(), d.ownerUsername() == null ? null : "was claimed by " + d.ownerUsername());
        devices.moved(d.id(), Scope.unowned(d.id()));
        devices.disconnect(d.id());
    }

    // --- the gateway's checks -------------------------------------------------------------------

    /** Why a device may not connect at all, if it may not: removed from its product, or denied. */
    public Optional<String> connectRefusal(Device d) {
        if (d.inProduct()) return Optional.empty();
        if (d.removedFromProduct() != null) return Optional.of("removed from its product");
        if (repo.isDenied(d.id())) return Optional.of("denied");
        return Optional.empty();
    }

    /**
     * Checks the product a device's firmware names. Returns false when the device must be
     * disconnected; a device that is in no product is then listed in the named product for approval.
     */
    public boolean acceptsDescribe(String deviceId, Describe describe) {
        if (describe.productId() == null) return true;
        Device d = devices.find(deviceId).orElse(null);
        if (d == null) return false;
        if (d.productId() != null) return d.productId().longValue() == describe.productId();
        Optional<Product> named = products.find(describe.productId());
        if (named.isPresent() && named.get().platformId() == d.platformId() && !repo.isDenied(named.get().id(), deviceId)) {
            repo.quarantine(named.get().id(), deviceId, clock.millis());
        }
        return false;
    }
}
