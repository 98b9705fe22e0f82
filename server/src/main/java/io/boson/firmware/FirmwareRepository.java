package io.boson.firmware;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Firmware versions, their binaries and releases, device locks and update jobs. */
public final class FirmwareRepository {

    private static final String FIRMWARE = """
            SELECT f.product_id, f.version, f.title, f.description, f.file_name, f.size_bytes, f.sha256, u.username,
                   f.uploaded_at, f.released_at, f.product_default, f.intelligent, f.updated_at
            FROM product_firmware f LEFT JOIN users u ON u.id = f.uploaded_by
            """;
    private static final String DEVICE = """
            SELECT d.id, d.product_id, d.product_version, d.development, d.online, f.locked_version, f.lock_flash, f.job,
                   f.job_product_id, f.job_version, f.job_size, f.job_sha256, f.state, f.attempts, f.last_error,
                   f.from_version, f.started_at, f.updated_at, f.next_attempt_at, f.bytes_sent, f.updates_forced,
                   p.release_generation
            FROM devices d LEFT JOIN device_firmware f ON f.device_id = d.id LEFT JOIN products p ON p.id = d.product_id
            """;
    private static final RowMapper<DeviceFirmware> DEVICE_MAPPER = (rs, ctx) -> new DeviceFirmware(rs.getString(1),
            rs.getObject(2, Long.class), rs.getObject(3, Integer.class), rs.getBoolean(4), rs.getBoolean(5),
            rs.getObject(6, Integer.class), rs.getBoolean(7), List.of(), rs.getString(8), rs.getObject(9, Long.class),
            rs.getObject(10, Integer.class), rs.getObject(11, Integer.class), rs.getString(12), JobState.of(rs.getString(13)),
            rs.getInt(14), rs.getString(15), rs.getObject(16, Integer.class), rs.getObject(17, Long.class),
            rs.getObject(18, Long.class), rs.getObject(19, Long.class), rs.getObject(20, Long.class), rs.getBoolean(21),
            rs.getLong(22));
    static final int CHUNK = 1000;

    private final Jdbi jdbi;

    public FirmwareRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    // --- versions ----------------------------------------------------------------------------

    /** False when the version already exists (nothing is stored then). */
    public boolean insert(long productId, int version, String title, String description, String fileName, byte[] data,
                          String sha256, long uploadedBy, long now) {
        return jdbi.inTransaction(h -> {
            if (h.createQuery("SELECT COUNT(*) FROM product_firmware WHERE product_id = ? AND version = ?")
                    .bind(0, productId).bind(1, version).mapTo(Integer.class).one() > 0) return false;
            h.createUpdate("""
                            INSERT INTO product_firmware(product_id, version, title, description, file_name, size_bytes, sha256,
                                uploaded_by, uploaded_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                    .bind(0, productId).bind(1, version).bind(2, title).bind(3, description).bind(4, fileName)
                    .bind(5, data.length).bind(6, sha256).bind(7, uploadedBy).bind(8, now).bind(9, now).execute();
            h.createUpdate("INSERT INTO product_firmware_binaries(product_id, version, data) VALUES (?, ?, ?)")
                    .bind(0, productId).bind(1, version).bind(2, data).execute();
            return true;
        });
    }

    public Optional<Firmware> find(long productId, int version) {
        return jdbi.withHandle(h -> h.createQuery(FIRMWARE + " WHERE f.product_id = ? AND f.version = ?")
                .bind(0, productId).bind(1, version).map(firmwareMapper(groups(h, productId))).findOne());
    }

    /** Every version of the product, newest first, with the groups each is released to. */
    public List<Firmware> list(long productId) {
        return jdbi.withHandle(h -> h.createQuery(FIRMWARE + " WHERE f.product_id = ? ORDER BY f.version DESC")
                .bind(0, productId).map(firmwareMapper(groups(h, productId))).list());
    }

    /** The versions in effect: the product default and those released to at least one group. */
    public List<Firmware> releases(long productId) {
        return list(productId).stream().filter(Firmware::released).toList();
    }

    /** The product's releases and the generation they are at least as new as (see {@link ReleaseCache}). */
    public ReleaseCache.Releases releasesWithGeneration(long productId) {
        return jdbi.withHandle(h -> {
            // The generation first: a release that commits in between makes the list newer than its label, never older.
            long generation = h.createQuery("SELECT release_generation FROM products WHERE id = ?").bind(0, productId)
                    .mapTo(Long.class).findOne().orElse(0L);
            List<Firmware> releases = h.createQuery(FIRMWARE + " WHERE f.product_id = ? ORDER BY f.version DESC")
                    .bind(0, productId).map(firmwareMapper(groups(h, productId))).stream().filter(Firmware::released).toList();
            return new ReleaseCache.Releases(generation, releases);
        });
    }

    /** Marks a change of what the product's releases say, inside the transaction that makes it. */
    public static void bumpReleaseGeneration(Handle h, long productId) {
        h.createUpdate("UPDATE products SET release_generation = release_generation + 1 WHERE id = ?").bind(0, productId).execute();
    }

    private static Map<Integer, List<String>> groups(Handle h, long productId) {
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        h.createQuery("""
                        SELECT r.version, g.name FROM firmware_release_groups r JOIN device_groups g ON g.id = r.group_id
                        WHERE r.product_id = ? ORDER BY g.name""").bind(0, productId)
                .map((rs, ctx) -> Map.entry(rs.getInt(1), rs.getString(2)))
                .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return out;
    }

    private static RowMapper<Firmware> firmwareMapper(Map<Integer, List<String>> groups) {
        return (rs, ctx) -> new Firmware(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getInt(6), rs.getString(7), rs.getString(8), rs.getLong(9), rs.getObject(10, Long.class), rs.getBoolean(11),
                rs.getBoolean(12), rs.getLong(13), List.copyOf(groups.getOrDefault(rs.getInt(2), List.of())));
    }

    public Optional<byte[]> binary(long productId, int version) {
        return jdbi.withHandle(h -> h.createQuery("SELECT data FROM product_firmware_binaries WHERE product_id = ? AND version = ?")
                .bind(0, productId).bind(1, version).map((rs, ctx) -> rs.getBytes(1)).findOne());
    }

    public void updateInfo(long productId, int version, String title, String description, long now) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE product_firmware SET title = ?, description = ?, updated_at = ? WHERE product_id = ? AND version = ?""")
                .bind(0, title).bind(1, description).bind(2, now).bind(3, productId).bind(4, version).execute());
    }

    /** Deletes a version that was never released; false when it was released (or is gone). */
    public boolean deleteUnreleased(long productId, int version) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        DELETE FROM product_firmware WHERE product_id = ? AND version = ? AND released_at IS NULL""")
                .bind(0, productId).bind(1, version).execute() == 1);
    }

    /** Group ids by name in the product; unknown names are missing from the result. */
    public Map<String, Long> groupIds(long productId, Collection<String> names) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (names.isEmpty()) return out;
        jdbi.useHandle(h -> h.createQuery("SELECT name, id FROM device_groups WHERE product_id = :p AND name IN (<names>)")
                .bind("p", productId).bindList("names", List.copyOf(names))
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> out.put(e.getKey(), e.getValue())));
        return out;
    }

    /**
     * Releases a version: to the product as default (the previous default stops being one) and to
     * exactly these groups (replacing the ones it had).
     */
    public void release(long productId, int version, boolean productDefault, Collection<Long> groupIds, boolean intelligent,
                        Long userId, long now) {
        jdbi.useTransaction(h -> {
            if (productDefault) {
                h.createUpdate("UPDATE product_firmware SET product_default = FALSE WHERE product_id = ? AND version <> ?")
                        .bind(0, productId).bind(1, version).execute();
            }
            h.createUpdate("DELETE FROM firmware_release_groups WHERE product_id = ? AND version = ?")
                    .bind(0, productId).bind(1, version).execute();
            for (Long g : groupIds) {
                h.createUpdate("INSERT INTO firmware_release_groups(product_id, version, group_id) VALUES (?, ?, ?)")
                        .bind(0, productId).bind(1, version).bind(2, g).execute();
            }
            boolean released = productDefault || !groupIds.isEmpty();
            h.createUpdate("""
                            UPDATE product_firmware SET product_default = ?, intelligent = ?, updated_at = ?,
                                released_at = CASE WHEN released_at IS NULL AND ? THEN ? ELSE released_at END,
                                released_by = CASE WHEN ? THEN ? ELSE released_by END
                            WHERE product_id = ? AND version = ?""")
                    .bind(0, productDefault).bind(1, intelligent).bind(2, now).bind(3, released).bind(4, now)
                    .bind(5, released).bind(6, userId).bind(7, productId).bind(8, version).execute();
            bumpReleaseGeneration(h, productId);
        });
    }

    // --- devices -----------------------------------------------------------------------------

    public Optional<DeviceFirmware> device(String deviceId) {
        return jdbi.withHandle(h -> h.createQuery(DEVICE + " WHERE d.id = ?").bind(0, deviceId).map(DEVICE_MAPPER).findOne()
                .map(d -> d.withGroups(d.productId() == null ? List.of() : groupsOfDevice(h, d.deviceId()))));
    }

    /** Every device of the product (or only {@code ids}), with its groups. */
    public List<DeviceFirmware> devices(long productId, Collection<String> ids) {
        return devices(productId, ids, null);
    }

    /**
     * The same, with the devices' groups already read by the caller (a product's device page reads
     * them for its own fields): then they are not read again.
     */
    public List<DeviceFirmware> devices(long productId, Collection<String> ids, Map<String, List<String>> knownGroups) {
        return jdbi.withHandle(h -> {
            List<DeviceFirmware> rows = new ArrayList<>();
            Map<String, List<String>> groups = new LinkedHashMap<>();
            java.util.function.Consumer<Map.Entry<String, String>> group =
                    e -> groups.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
            if (ids == null) {
                rows.addAll(h.createQuery(DEVICE + " WHERE d.product_id = ?").bind(0, productId).map(DEVICE_MAPPER).list());
                h.createQuery("""
                                SELECT m.device_id, g.name FROM device_group_members m JOIN device_groups g ON g.id = m.group_id
                                WHERE g.product_id = ?""").bind(0, productId)
                        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2))).forEach(group);
            } else {
                // By primary key, the product checked on the rows: with "product_id = ? AND id IN (...)" H2 walks
                // the product's index and tests the list on every row (~95 ms for a page at 100,000 devices).
                List<String> list = List.copyOf(ids);
                for (int i = 0; i < list.size(); i += CHUNK) {
                    List<String> chunk = list.subList(i, Math.min(list.size(), i + CHUNK));
                    h.createQuery(DEVICE + " WHERE d.id IN (<ids>)").bindList("ids", chunk).map(DEVICE_MAPPER).stream()
                            .filter(d -> d.productId() != null && d.productId() == productId).forEach(rows::add);
                    if (knownGroups != null) continue;
                    h.createQuery("""
                                    SELECT m.device_id, g.name FROM device_group_members m JOIN device_groups g ON g.id = m.group_id
                                    WHERE m.device_id IN (<ids>) AND g.product_id = :p""").bindList("ids", chunk).bind("p", productId)
                            .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2))).forEach(group);
                }
            }
            Map<String, List<String>> of = knownGroups != null ? knownGroups : groups;
            return rows.stream().map(d -> d.withGroups(of.getOrDefault(d.deviceId(), List.of()))).toList();
        });
    }

    public List<String> onlineDevices(long productId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM devices WHERE product_id = ? AND online")
                .bind(0, productId).mapTo(String.class).list());
    }

    private static List<String> groupsOfDevice(Handle h, String deviceId) {
        return h.createQuery("""
                        SELECT g.name FROM device_group_members m JOIN device_groups g ON g.id = m.group_id
                        WHERE m.device_id = ? ORDER BY g.name""").bind(0, deviceId).mapTo(String.class).list();
    }

    private static void ensureRow(Handle h, String deviceId) {
        if (h.createQuery("SELECT COUNT(*) FROM device_firmware WHERE device_id = ?").bind(0, deviceId)
                .mapTo(Integer.class).one() == 0) {
            h.createUpdate("INSERT INTO device_firmware(device_id) VALUES (?)").bind(0, deviceId).execute();
        }
    }

    public void forceUpdates(String deviceId, boolean forced) {
        jdbi.useTransaction(h -> {
            ensureRow(h, deviceId);
            h.createUpdate("UPDATE device_firmware SET updates_forced = ? WHERE device_id = ?")
                    .bind(0, forced).bind(1, deviceId).execute();
        });
    }

    public void lock(String deviceId, Integer version, boolean flash) {
        jdbi.useTransaction(h -> {
            ensureRow(h, deviceId);
            h.createUpdate("UPDATE device_firmware SET locked_version = ?, lock_flash = ? WHERE device_id = ?")
                    .bind(0, version).bind(1, version != null && flash).bind(2, deviceId).execute();
        });
    }

    /**
     * Starts a job, replacing the device's previous one. Attempts carry over when the previous
     * job failed on the same version, so back-off keeps growing for a device that keeps failing.
     */
    public void startJob(String deviceId, String job, Long productId, Integer version, int size, String sha256,
                         Integer fromVersion, byte[] directImage, long now) {
        jdbi.useTransaction(h -> {
            ensureRow(h, deviceId);
            h.createUpdate("""
                            UPDATE device_firmware SET
                                attempts = CASE WHEN state IN ('failed', 'rejected') AND job_version = ? THEN attempts ELSE 0 END,
                                job = ?, job_product_id = ?, job_version = ?, job_size = ?, job_sha256 = ?, state = 'offered',
                                last_error = NULL, from_version = ?, started_at = ?, updated_at = ?, next_attempt_at = NULL,
                                direct_image = ?, bytes_sent = 0
                            WHERE device_id = ?""")
                    .bind(0, version).bind(1, job).bind(2, productId).bind(3, version).bind(4, size).bind(5, sha256)
                    .bind(6, fromVersion).bind(7, now).bind(8, now).bind(9, directImage).bind(10, deviceId).execute();
        });
    }

    /** Moves the job on; false when the device's job is another one by now. */
    public boolean setState(String deviceId, String job, JobState state, String error, boolean countAttempt,
                            Long nextAttemptAt, Long bytesSent, long now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE device_firmware SET state = ?, last_error = ?, updated_at = ?, next_attempt_at = ?,
                            attempts = attempts + ?, direct_image = CASE WHEN ? THEN NULL ELSE direct_image END,
                            bytes_sent = COALESCE(?, bytes_sent)
                        WHERE device_id = ? AND job = ?""")
                .bind(0, state.wire()).bind(1, error).bind(2, now).bind(3, nextAttemptAt).bind(4, countAttempt ? 1 : 0)
                .bind(5, !state.active()).bind(6, bytesSent).bind(7, deviceId).bind(8, job).execute() == 1);
    }

    /** What serving a job needs: the job of the device, when it is that device's and not finished. */
    public record UnfinishedJob(Long productId, Integer version, int size) {
    }

    public Optional<UnfinishedJob> unfinishedJob(String deviceId, String job) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT job_product_id, job_version, job_size FROM device_firmware
                        WHERE device_id = ? AND job = ? AND state IN ('offered', 'in_progress')""")
                .bind(0, deviceId).bind(1, job)
                .map((rs, ctx) -> new UnfinishedJob(rs.getObject(1, Long.class), rs.getObject(2, Integer.class), rs.getInt(3)))
                .findOne());
    }

    /** The device says its job's image is staged: false when the job is not its own or not active (nothing changes then). */
    public boolean applied(String deviceId, String job, Long bytesSent, long now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE device_firmware SET state = 'applied', last_error = NULL, updated_at = ?, next_attempt_at = NULL,
                            bytes_sent = COALESCE(?, bytes_sent)
                        WHERE device_id = ? AND job = ? AND state IN ('offered', 'in_progress', 'applied')""")
                .bind(0, now).bind(1, bytesSent).bind(2, deviceId).bind(3, job).execute() == 1);
    }

    public Optional<byte[]> directImage(String deviceId, String job) {
        return jdbi.withHandle(h -> h.createQuery("SELECT direct_image FROM device_firmware WHERE device_id = ? AND job = ?")
                .bind(0, deviceId).bind(1, job).map((rs, ctx) -> Optional.ofNullable(rs.getBytes(1))).list()
                .stream().flatMap(Optional::stream).findFirst());
    }
}
