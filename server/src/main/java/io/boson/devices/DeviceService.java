package io.boson.devices;

import io.boson.audit.AuditLog;
import io.boson.auth.Principal;
import io.boson.auth.Secrets;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.boson.errors.DomainException;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The device registry and ownership: registering devices (platform admin), claiming, naming,
 * releasing, claim codes. Every call checks the caller. A device the caller cannot see, whether
 * unknown or someone else's, gets one answer, Particle's 403 "Permission Denied" (see
 * {@link #notVisible}), so its existence never leaks; claiming an unknown or malformed ID is 404
 * "device not found", as in Particle.
 */
public final class DeviceService {

    public static final int MAX_REGISTER = 10_000;
    public static final Duration CLAIM_CODE_TTL = Duration.ofHours(24);
    public static final int MAX_NOTES = 4000;
    /** Platform ids from @particle/device-constants. */
    public static final Map<Integer, String> PLATFORMS = Map.ofEntries(
            Map.entry(3, "gcc"), Map.entry(6, "Photon"), Map.entry(8, "P1"), Map.entry(10, "Electron"), Map.entry(12, "Argon"),
            Map.entry(13, "Boron"), Map.entry(23, "B SoM"), Map.entry(25, "B5 SoM"), Map.entry(26, "Tracker"),
            Map.entry(32, "P2"), Map.entry(35, "M SoM"), Map.entry(42, "Tachyon"));

    private static final String NOT_VISIBLE_INFO =
            "I didn't recognize that device name or ID, try opening https://<this cloud>/v1/devices";

    private final DeviceRepository devices;
    private final ClaimCodeRepository claimCodes;
    private final Bus bus;
    private final Clock clock;
    private final ProductTeams teams;
    private final AuditLog audit;
    /**
     * Devices by id for function calls, variable reads and streams, so that a call costs no device
     * query. Every change of owner or product ({@code dev.<id>.changed}, see {@link #changed}) and
     * every connect, disconnect and describe ({@code dev.<id>.presence}, from the gateway) and every
     * edit of its name or notes ({@code dev.<id>.edited}, see {@link #edited}) empties the entry on
     * every node. The expiry only bounds the staleness of what no call shows or depends on (last
     * heard, vitals, counters); it was 5 s, which at 1,000 devices made a third of all calls miss.
     */
    private final Cache<String, Device> forCalls = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofSeconds(60)).build();

    public DeviceService(DeviceRepository devices, ClaimCodeRepository claimCodes, Bus bus, Clock clock, ProductTeams teams,
                         AuditLog audit) {
        this.audit = audit;
        this.devices = devices;
        this.claimCodes = claimCodes;
        this.bus = bus;
        this.clock = clock;
        this.teams = teams;
        java.util.function.Consumer<io.boson.bus.BusMessage> forget = m -> {
            String[] tokens = m.subject().split("\\.");
            if (tokens.length == 3) forCalls.invalidate(tokens[1]);
        };
        bus.subscribe(Subjects.deviceChanged("*"), forget);
        bus.subscribe(Subjects.devicePresence("*"), forget);
        bus.subscribe(Subjects.deviceEdited("*"), forget);
    }

    /** A new device's credentials: the only time its secret is shown. */
    public record Credentials(String id, String secret) {
    }

    public record ClaimCode(String claimCode, List<String> deviceIds) {
    }

    public record Update(String name, String notes) {
    }

    public List<Credentials> register(Principal caller, Integer platformId, Integer count, List<String> ids) {
        if (!caller.platformAdmin()) throw DomainException.forbidden("Only the platform admin can register devices");
        if (platformId == null) throw DomainException.invalid("platform_id is required");
        if (!PLATFORMS.containsKey(platformId)) throw DomainException.invalid("Unknown platform_id " + platformId);
        List<String> wanted = new ArrayList<>();
        if (ids != null && !ids.isEmpty()) {
            if (count != null) throw DomainException.invalid("Give either count or ids, not both");
            if (ids.size() > MAX_REGISTER) throw DomainException.invalid("At most " + MAX_REGISTER + " devices per request");
            Set<String> seen = new HashSet<>();
            for (String id : ids) {
                if (!DeviceIds.valid(id)) throw DomainException.invalid("Invalid device ID " + id + ": 24 lowercase hex characters expected");
                if (!seen.add(id)) throw DomainException.invalid("Device ID " + id + " is listed twice");
                wanted.add(id);
            }
        } else {
            if (count == null || count < 1 || count > MAX_REGISTER) {
                throw DomainException.invalid("count must be between 1 and " + MAX_REGISTER);
            }
            for (int i = 0; i < count; i++) wanted.add(DeviceIds.random());
        }
        List<Credentials> creds = new ArrayList<>(wanted.size());
        List<DeviceRepository.NewDevice> rows = new ArrayList<>(wanted.size());
        for (String id : wanted) {
            String secret = Secrets.randomHex(16);
            creds.add(new Credentials(id, secret));
            rows.add(new DeviceRepository.NewDevice(id, Secrets.sha256(secret), platformId));
        }
        List<String> existing = devices.register(rows, clock.millis());
        if (!existing.isEmpty()) {
            throw DomainException.conflict("Already registered: " + String.join(", ", existing.subList(0, Math.min(10, existing.size()))));
        }
        return creds;
    }

    public List<Device> list(Principal caller) {
        return devices.listByOwner(caller.userId());
    }

    /** The caller's device by ID or name. */
    public Device get(Principal caller, String idOrName) {
        Optional<Device> found = DeviceIds.valid(idOrName)
                ? devices.find(idOrName).filter(d -> d.ownedBy(caller.userId()))
                : devices.findByOwnerAndName(caller.userId(), idOrName);
        return found.orElseThrow(DeviceService::notVisible);
    }

    /**
     * What the caller's own device routes ({@code /v1/devices/:id…}) answer for a device the caller
     * cannot see: Particle answers 403 "Permission Denied" for an unknown ID or name and for someone
     * else's device alike, so the answer tells nothing about which IDs exist. particle-cli prints
     * "Failed to rename X: Permission Denied", "Error calling function: `f`" from it.
     */
    public static DomainException notVisible() {
        return new DomainException.Forbidden("Permission Denied", NOT_VISIBLE_INFO);
    }

    /**
     * The caller's device by ID or name, for calls and streams: as {@link #get}, served from memory
     * when the device was looked up recently and has not changed owner or product since.
     */
    public Device getForCall(Principal caller, String idOrName) {
        if (!DeviceIds.valid(idOrName)) return get(caller, idOrName);
        Device d = forCalls.get(idOrName, id -> devices.find(id).orElse(null));
        if (d == null || !d.ownedBy(caller.userId())) throw notVisible();
        return d;
    }

    /**
     * A device by ID from the same memory as {@link #getForCall}, whoever asks: for a product's calls,
     * where the product's team standing was checked and the device's product is checked next.
     */
    public Optional<Device> findForCall(String id) {
        return Optional.ofNullable(forCalls.get(id, k -> devices.find(k).orElse(null)));
    }

    public Device update(Principal caller, String idOrName, Update update) {
        Device device = get(caller, idOrName);
        if (update.name() != null) {
            String name = DeviceIds.requireValidName(update.name());
            if (devices.nameTaken(caller.userId(), name, device.id())) {
                throw DomainException.conflict("You already have a device named " + name);
            }
            devices.rename(device.id(), name);
        }
        if (update.notes() != null) {
            if (update.notes().length() > MAX_NOTES) throw DomainException.invalid("notes are at most " + MAX_NOTES + " characters");
            devices.setNotes(device.id(), update.notes());
        }
        if (update.name() != null || update.notes() != null) edited(device.id());
        return devices.find(device.id()).orElseThrow();
    }

    public void unclaim(Principal caller, String idOrName) {
        Device device = get(caller, idOrName);
        devices.unclaim(device.id(), caller.userId());
        audit.record(caller, device.productId(), "device.unclaim", device.id(), null);
        devices.find(device.id()).ifPresent(this::changed);
    }

    /**
     * Claims a registered device. A developer device must be online, as in Particle; a product
     * device may be claimed while offline, but only by a member of its product's team, so a stolen
     * product device cannot become someone's developer device.
     */
    public Device claim(Principal caller, String id, boolean requestTransfer) {
        caller.requirePerson("claim devices by ID; customers claim with a claim code");
        if (id == null || id.isBlank()) throw DomainException.invalid("id is required");
        String deviceId = id.trim().toLowerCase();
        // A malformed ID is a device this cloud does not know, as Particle answers it.
        Device device = (DeviceIds.valid(deviceId) ? devices.find(deviceId) : Optional.<Device>empty())
                .orElseThrow(() -> DomainException.notFound("device not found"));
        if (device.ownedBy(caller.userId())) return device;
        if (device.ownerId() != null) {
            if (requestTransfer) throw DomainException.forbidden("Device transfers are not supported by this cloud");
            throw DomainException.forbidden("That belongs to someone else.");
        }
        if (device.inProduct()) {
            if (!teams.mayClaim(caller, device.productId())) {
                throw DomainException.forbidden("This device belongs to a product; only the product's team can claim it");
            }
        } else if (!device.online()) {
            throw DomainException.invalid("The device must be online to be claimed");
        }
        Device claimed = claimTo(device, caller.userId());
        audit.record(caller, device.productId(), "device.claim", device.id(), null);
        return claimed;
    }

    /** Deletes claim codes past their expiry (run hourly); returns how many. */
    public int deleteExpiredClaimCodes() {
        return claimCodes.deleteExpired(clock.millis());
    }

    public ClaimCode createClaimCode(Principal caller) {
        if (caller.kind() == io.boson.auth.User.Kind.PRODUCT) {
            throw DomainException.forbidden("Product tokens cannot claim devices; create claim codes with a customer's token");
        }
        String code = Secrets.randomAlnum(48);
        long now = clock.millis();
        claimCodes.insert(Secrets.sha256(code), caller.userId(), now + CLAIM_CODE_TTL.toMillis(), now);
        List<String> ids = devices.listByOwner(caller.userId()).stream().map(Device::id).toList();
        return new ClaimCode(code, ids);
    }

    /** A connected device presented a claim code (device protocol section 7). */
    public Device claimWithCode(String deviceId, String code) {
        Long userId = claimCodes.take(Secrets.sha256(code.trim()), clock.millis())
                .orElseThrow(() -> DomainException.invalid("Unknown or expired claim code"));
        Device device = devices.find(deviceId).orElseThrow(() -> DomainException.notFound("Device not found"));
        if (device.ownedBy(userId)) return device;
        if (device.ownerId() != null) throw DomainException.forbidden("That belongs to someone else.");
        if (!device.inProduct() && teams.customerProduct(userId).isPresent()) {
            throw DomainException.forbidden("A customer's claim code only claims devices of the customer's product");
        }
        if (device.inProduct() && !teams.mayClaim(userId, device.productId())) {
            throw DomainException.forbidden("This device belongs to a product; the claim code's owner is not on its team");
        }
        return claimTo(device, userId);
    }

    private Device claimTo(Device device, long userId) {
        String name = device.name() != null && !devices.nameTaken(userId, device.name(), device.id())
                ? device.name() : DeviceIds.defaultName(device.id());
        if (devices.nameTaken(userId, name, device.id())) name = "device_" + device.id();
        if (!devices.claim(device.id(), userId, name, clock.millis())) {
            throw DomainException.forbidden("That belongs to someone else.");
        }
        Device claimed = devices.find(device.id()).orElseThrow();
        changed(claimed);
        return claimed;
    }

    /** Nodes holding the device move it to its new scope before the API call returns (in-process bus). */
    public void changed(Device device) {
        moved(device.id(), Scope.placement(device));
    }

    /** @param placement the device's scope, and its owner's for a claimed product device ({@link Scope#placement}) */
    public void moved(String deviceId, String placement) {
        bus.publish(Subjects.deviceChanged(deviceId), placement.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Tells every node that a device's name, notes or flags were edited (their cached copies are stale). */
    public void edited(String deviceId) {
        bus.publish(Subjects.deviceEdited(deviceId), new byte[0]);
    }

    /** Ends the device's session wherever it is (MQTT 5: DISCONNECT 0x87). */
    public void disconnect(String deviceId) {
        bus.publish(Subjects.deviceKick(deviceId), new byte[0]);
    }

    // Gateway-facing: the device is the caller, authenticated by its secret.

    public Optional<Device> authenticate(String deviceId, String secret) {
        if (!DeviceIds.valid(deviceId) || secret == null) return Optional.empty();
        return devices.find(deviceId).filter(d -> Secrets.matchesSha256(secret, d.secretHash()));
    }

    public Optional<Device> find(String deviceId) {
        return devices.find(deviceId);
    }

    /** Messages the cloud dropped for the device because it did not read them (as last flushed). */
    public long droppedUnread(Device device) {
        return devices.droppedUnread(device.id());
    }
}
