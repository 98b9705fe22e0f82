package io.boson.deviceos;

import org.jdbi.v3.core.Jdbi;

import java.util.Optional;

/** Devices' public keys for Device OS's protocol, found by device or by the key's fingerprint. */
public final class DeviceKeyRepository {

    private final Jdbi jdbi;
    private final boolean postgres;

    public DeviceKeyRepository(Jdbi jdbi, boolean postgres) {
        this.jdbi = jdbi;
        this.postgres = postgres;
    }

    public record DeviceKey(String deviceId, String algorithm, byte[] publicDer, String fingerprint) {
    }

    /** Stores the device's key, replacing the one it had. */
    public void put(DeviceKey key, long now) {
        String sql = postgres
                ? "INSERT INTO device_keys(device_id, algorithm, public_der, fingerprint, created_at) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (device_id) DO UPDATE SET algorithm = EXCLUDED.algorithm, public_der = EXCLUDED.public_der,"
                + " fingerprint = EXCLUDED.fingerprint, created_at = EXCLUDED.created_at"
                : "MERGE INTO device_keys(device_id, algorithm, public_der, fingerprint, created_at) KEY (device_id) VALUES (?, ?, ?, ?, ?)";
        jdbi.useHandle(h -> h.createUpdate(sql).bind(0, key.deviceId()).bind(1, key.algorithm()).bind(2, key.publicDer())
                .bind(3, key.fingerprint()).bind(4, now).execute());
    }

    /** Records the platform a device registered by its key alone named in its hello; false when it was known. */
    public boolean platformNamed(String deviceId, int platformId) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE devices SET platform_id = ? WHERE id = ? AND platform_id = ?")
                .bind(0, platformId).bind(1, deviceId).bind(2, DeviceKeys.PLATFORM_UNKNOWN).execute()) == 1;
    }

    public Optional<DeviceKey> byFingerprint(String fingerprint) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT device_id, algorithm, public_der, fingerprint FROM device_keys WHERE fingerprint = ?")
                .bind(0, fingerprint).map((rs, ctx) -> new DeviceKey(rs.getString(1), rs.getString(2), rs.getBytes(3),
                        rs.getString(4))).findOne());
    }

    public Optional<DeviceKey> byDevice(String deviceId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT device_id, algorithm, public_der, fingerprint FROM device_keys WHERE device_id = ?")
                .bind(0, deviceId).map((rs, ctx) -> new DeviceKey(rs.getString(1), rs.getString(2), rs.getBytes(3),
                        rs.getString(4))).findOne());
    }
}
