package io.boson.deviceos;

import io.boson.audit.AuditLog;
import io.boson.auth.Principal;
import io.boson.auth.Secrets;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.boson.devices.Device;
import io.boson.devices.DeviceIds;
import io.boson.devices.DeviceRepository;
import io.boson.devices.DeviceService;
import io.boson.errors.DomainException;
import io.boson.products.Product;
import io.boson.products.ProductService;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;

import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Devices' public keys (Particle's {@code POST /v1/provisioning/:deviceId}, what {@code particle keys
 * send} calls): a Device OS device proves it is itself with the private half in its DTLS handshake.
 * The platform admin registers a key for any device ID (registering the device when it is new); an
 * owner for their own devices. A new key replaces the old one and ends the device's session, so a
 * device keeps no session opened with a key it no longer has.
 */
public final class DeviceKeys {

    /** Platform of a device registered by its key alone: "unknown" until its first hello names it. */
    public static final int PLATFORM_UNKNOWN = 0;

    private final DeviceKeyRepository keys;
    private final DeviceService devices;
    private final DeviceRepository deviceRows;
    private final ProductService products;
    private final Bus bus;
    private final AuditLog audit;
    private final Clock clock;

    public DeviceKeys(DeviceKeyRepository keys, DeviceService devices, DeviceRepository deviceRows, ProductService products,
                      Bus bus, AuditLog audit, Clock clock) {
        this.keys = keys;
        this.devices = devices;
        this.deviceRows = deviceRows;
        this.products = products;
        this.bus = bus;
        this.audit = audit;
        this.clock = clock;
    }

    /** A parsed key: its algorithm ({@code ecc} for P-256, {@code rsa}) and DER. */
    record ParsedKey(String algorithm, PublicKey key) {
    }

    /**
     * Registers {@code pem} as the device's key. {@code algorithm} is {@code ecc} or {@code rsa} (as
     * particle-cli sends it; absent: read from the key). {@code platformId} (a Boson addition) or the
     * product's platform names the platform of a device registered here; without either it is taken
     * from the device's first hello.
     */
    public Device provision(Principal caller, String deviceId, String pem, String algorithm, String product, Integer platformId) {
        String id = deviceId == null ? null : deviceId.trim().toLowerCase(Locale.ROOT);
        Optional<Device> existing = DeviceIds.valid(id) ? devices.find(id) : Optional.empty();
        // Who may is decided before what was sent is read: someone else's device and an unknown ID read the same.
        if (!caller.platformAdmin() && existing.filter(d -> d.ownedBy(caller.userId())).isEmpty()) {
            throw DeviceService.notVisible();
        }
        if (!DeviceIds.valid(id)) throw DomainException.invalid("Invalid device ID: 24 hex characters expected");
        ParsedKey parsed = parse(pem);
        if (algorithm != null && !algorithm.isBlank() && !algorithm.equalsIgnoreCase(parsed.algorithm())) {
            throw DomainException.invalid("The key is " + (parsed.algorithm().equals("ecc") ? "an EC (P-256)" : "an RSA")
                    + " key, not " + algorithm);
        }
        Device device = existing.orElseGet(() -> register(caller, id, product, platformId));
        byte[] der = parsed.key().getEncoded();
        String fingerprint = fingerprint(der);
        Optional<DeviceKeyRepository.DeviceKey> holder = keys.byFingerprint(fingerprint);
        if (holder.isPresent() && !holder.get().deviceId().equals(id)) {
            throw DomainException.conflict("This public key is already another device's; each device needs its own key pair");
        }
        Optional<DeviceKeyRepository.DeviceKey> previous = keys.byDevice(id);
        keys.put(new DeviceKeyRepository.DeviceKey(id, parsed.algorithm(), der, fingerprint), clock.millis());
        audit.record(caller, device.productId(), "device.key", id, parsed.algorithm());
        // The device's session, if any, may have been opened with the old key: it ends, and the device comes back with the new one.
        if (previous.isPresent() && !previous.get().fingerprint().equals(fingerprint)) bus.publish(Subjects.deviceKick(id), new byte[0]);
        return device;
    }

    private Device register(Principal caller, String id, String product, Integer platformId) {
        int platform = platformId != null ? platformId : PLATFORM_UNKNOWN;
        if (platformId == null && product != null && !product.isBlank()) {
            Product p = products.lookup(product.trim()).orElse(null);
            if (p != null) platform = p.platformId();
        }
        if (platform != PLATFORM_UNKNOWN && !DeviceService.PLATFORMS.containsKey(platform)) {
            throw DomainException.invalid("Unknown platform_id " + platform);
        }
        // A device known by its key has a secret nobody was shown: it can use the MQTT protocol only after a new one is set.
        List<String> taken = deviceRows.register(List.of(new DeviceRepository.NewDevice(id, Secrets.sha256(Secrets.randomHex(16)),
                platform)), clock.millis());
        audit.record(caller, null, "device.register", id, "by its public key");
        return devices.find(id).orElseThrow(() -> new IllegalStateException("device " + id + " vanished"
                + (taken.isEmpty() ? "" : " (registered meanwhile)")));
    }

    /**
     * A device registered by its key alone ({@link #PLATFORM_UNKNOWN}) takes the platform its hello
     * names; a known platform never changes this way.
     */
    public void helloPlatform(String deviceId, int platformId) {
        if (platformId == PLATFORM_UNKNOWN || !DeviceService.PLATFORMS.containsKey(platformId)) return;
        if (keys.platformNamed(deviceId, platformId)) bus.publish(Subjects.deviceEdited(deviceId), new byte[0]);
    }

    /** The device whose key has this fingerprint. */
    public Optional<String> deviceOf(String fingerprint) {
        return keys.byFingerprint(fingerprint).map(DeviceKeyRepository.DeviceKey::deviceId);
    }

    public Optional<DeviceKeyRepository.DeviceKey> keyOf(String deviceId) {
        return keys.byDevice(deviceId);
    }

    /** SHA-256 of a public key's DER (SubjectPublicKeyInfo), lowercase hex. */
    public static String fingerprint(byte[] publicDer) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(publicDer));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a PEM public key: P-256 EC or RSA (1024 to 4096 bits); anything else is a 400. */
    static ParsedKey parse(String pem) {
        if (pem == null || pem.isBlank()) throw DomainException.invalid("publicKey is required: the device's public key as PEM");
        if (pem.length() > 16_384) throw DomainException.invalid("publicKey is too long for a public key");
        Object read;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            read = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw DomainException.invalid("publicKey is not a PEM public key");
        }
        SubjectPublicKeyInfo info;
        if (read instanceof SubjectPublicKeyInfo spki) {
            info = spki;
        } else if (read instanceof org.bouncycastle.asn1.pkcs.RSAPublicKey rsa) {
            try {
                info = new SubjectPublicKeyInfo(new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                        org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.rsaEncryption, org.bouncycastle.asn1.DERNull.INSTANCE), rsa);
            } catch (IOException e) {
                throw DomainException.invalid("publicKey is not a readable RSA public key");
            }
        } else {
            throw DomainException.invalid("publicKey is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        try {
            byte[] der = info.getEncoded();
            String oid = info.getAlgorithm().getAlgorithm().getId();
            if (oid.equals("1.2.840.10045.2.1")) {
                PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
                if (!(key instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256
                        || !"1.2.840.10045.3.1.7".equals(curveOid(info))) {
                    throw DomainException.invalid("Only P-256 (prime256v1) EC keys are used by Device OS");
                }
                return new ParsedKey("ecc", key);
            }
            if (oid.equals("1.2.840.113549.1.1.1")) {
                PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
                int bits = ((RSAPublicKey) key).getModulus().bitLength();
                if (bits < 1024 || bits > 4096) throw DomainException.invalid("RSA keys of 1024 to 4096 bits are accepted");
                return new ParsedKey("rsa", key);
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof DomainException d) throw d;
            throw DomainException.invalid("publicKey cannot be read as a public key");
        }
        throw DomainException.invalid("publicKey must be an EC (P-256) or RSA key");
    }

    private static String curveOid(SubjectPublicKeyInfo info) {
        return info.getAlgorithm().getParameters() instanceof org.bouncycastle.asn1.ASN1ObjectIdentifier o ? o.getId() : null;
    }
}
