package io.boson.devices;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The device registry: identity, ownership, presence and what the device last reported. */
public final class DeviceRepository {

    /** The device columns with the owner's name; callers append WHERE / ORDER BY. */
    public static final String SELECT = """
            SELECT d.id, d.secret_hash, d.platform_id, d.name, d.notes, d.owner_id, COALESCE(u.email, u.username), d.registered_at,
                   d.claimed_at, d.online, d.session_id, d.node_id, d.last_heard, d.last_handshake_at,
                   d.last_ip_address, d.last_disconnect_reason, r.describe_json, r.vitals_json, r.vitals_at,
                   d.system_firmware_version, d.product_version, d.rate_limited, d.product_id, d.development,
                   d.first_connected_at, d.removed_from_product
            FROM devices d LEFT JOIN users u ON u.id = d.owner_id LEFT JOIN device_reports r ON r.device_id = d.id
            """;

    public static final RowMapper<Device> MAPPER = (rs, ctx) -> new Device(
            rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5),
            rs.getObject(6, Long.class), rs.getString(7), rs.getLong(8), rs.getObject(9, Long.class),
            rs.getBoolean(10), rs.getString(11), rs.getString(12), rs.getObject(13, Long.class),
            rs.getObject(14, Long.class), rs.getString(15), rs.getString(16), rs.getString(17), rs.getString(18),
            rs.getObject(19, Long.class), rs.getString(20), rs.getObject(21, Integer.class), rs.getLong(22),
            rs.getObject(23, Long.class), rs.getBoolean(24), rs.getObject(25, Long.class), rs.getObject(26, Long.class));

    private final Jdbi jdbi;

    public DeviceRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public record NewDevice(String id, String secretHash, int platformId) {
    }

    /** Inserts all or nothing; returns the IDs that already existed (nothing is inserted then). */
    public List<String> register(List<NewDevice> devices, long now) {
        return jdbi.inTransaction(h -> {
            List<String> existing = existingIds(h, devices.stream().map(NewDevice::id).toList());
            if (!existing.isEmpty()) return existing;
            PreparedBatch batch = h.prepareBatch(
                    "INSERT INTO devices(id, secret_hash, platform_id, registered_at) VALUES (?, ?, ?, ?)");
            // In key order: on H2 a batch of random device IDs writes all over the table's and indexes' pages
            // (see ProductDeviceRepository.addToProduct).
            for (NewDevice d : devices.stream().sorted(java.util.Comparator.comparing(NewDevice::id)).toList()) {
                batch.bind(0, d.id()).bind(1, d.secretHash()).bind(2, d.platformId()).bind(3, now).add();
            }
            batch.execute();
            return List.of();
        });
    }

    private static List<String> existingIds(Handle h, Collection<String> ids) {
        if (ids.isEmpty()) return List.of();
        return h.createQuery("SELECT id FROM devices WHERE id IN (<ids>)").bindList("ids", List.copyOf(ids))
                .mapTo(String.class).list();
    }

    public Optional<Device> find(String id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE d.id = ?").bind(0, id).map(MAPPER).findOne());
    }

    public Optional<Device> findByOwnerAndName(long ownerId, String name) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE d.owner_id = ? AND d.name = ?")
                .bind(0, ownerId).bind(1, name).map(MAPPER).findOne());
    }

    public List<Device> listByOwner(long ownerId) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE d.owner_id = ? ORDER BY d.name, d.id")
                .bind(0, ownerId).map(MAPPER).list());
    }

    public boolean nameTaken(long ownerId, String name, String exceptId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM devices WHERE owner_id = ? AND name = ? AND id <> ?")
                .bind(0, ownerId).bind(1, name).bind(2, exceptId).mapTo(Long.class).one()) > 0;
    }

    public void rename(String id, String name) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE devices SET name = ? WHERE id = ?").bind(0, name).bind(1, id).execute());
    }

    public void setNotes(String id, String notes) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE devices SET notes = ? WHERE id = ?").bind(0, notes).bind(1, id).execute());
    }

    /** Claims an unowned device; false when someone else got it first. */
    public boolean claim(String id, long ownerId, String name, long now) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE devices SET owner_id = ?, name = ?, notes = NULL, claimed_at = ? WHERE id = ? AND owner_id IS NULL")
                .bind(0, ownerId).bind(1, name).bind(2, now).bind(3, id).execute()) == 1;
    }

    /** Releases a device; the previous owner's name and notes go with it. */
    public boolean unclaim(String id, long ownerId) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE devices SET owner_id = NULL, name = NULL, notes = NULL, claimed_at = NULL WHERE id = ? AND owner_id = ?")
                .bind(0, id).bind(1, ownerId).execute()) == 1;
    }

    public void markOnline(String id, String sessionId, String nodeId, String ip, long now) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE devices SET online = TRUE, session_id = ?, node_id = ?, last_ip_address = ?,
                               last_handshake_at = ?, last_heard = ?,
                               first_connected_at = CASE WHEN product_id IS NOT NULL AND first_connected_at IS NULL
                                                         THEN ? ELSE first_connected_at END
                        WHERE id = ?""")
                .bind(0, sessionId).bind(1, nodeId).bind(2, ip).bind(3, now).bind(4, now).bind(5, now).bind(6, id).execute());
    }

    /**
     * A session this node still holds, recorded offline by another node that took this one for dead
     * (see {@code health.NodeWatch}): online again, unless the device has had another session since.
     */
    public boolean reassertOnline(String id, String sessionId, String nodeId, long now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE devices SET online = TRUE, session_id = ?, node_id = ?, last_heard = ?
                        WHERE id = ? AND session_id IS NULL""")
                .bind(0, sessionId).bind(1, nodeId).bind(2, now).bind(3, id).execute()) == 1;
    }

    /** Marks offline only if {@code sessionId} is still the device's session (a takeover may have replaced it). */
    public boolean markOffline(String id, String sessionId, String reason, long now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE devices SET online = FALSE, session_id = NULL, node_id = NULL, last_disconnect_reason = ?,
                               last_heard = ? WHERE id = ? AND session_id = ?""")
                .bind(0, reason).bind(1, now).bind(2, id).bind(3, sessionId).execute()) == 1;
    }

    /** At start-up a node owns no sessions: whatever it held before a crash is offline. */
    public int clearNode(String nodeId) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE devices SET online = FALSE, session_id = NULL, node_id = NULL WHERE node_id = ?")
                .bind(0, nodeId).execute());
    }

    /** The devices a node holds sessions for, as recorded (for when that node is lost). */
    public List<Device> onNode(String nodeId) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE d.node_id = ?").bind(0, nodeId).map(MAPPER).list());
    }

    public void saveDescribe(String id, String json, String systemVersion, Integer productVersion) {
        // Two statements, each its own transaction: a failed insert in report() must not abort the other (PostgreSQL).
        jdbi.useHandle(h -> {
            h.createUpdate("UPDATE devices SET system_firmware_version = ?, product_version = ? WHERE id = ?")
                    .bind(0, systemVersion).bind(1, productVersion).bind(2, id).execute();
            report(h, id, List.of("describe_json"), json);
        });
    }

    public void saveVitals(String id, String json, long now) {
        jdbi.useHandle(h -> report(h, id, List.of("vitals_json", "vitals_at"), json, now));
    }

    /**
     * Sets these columns of the device's row in device_reports, making the row at the device's first
     * report. A device's first describe and first vitals arrive together and are written by different
     * gateway workers, so two first inserts can race: the loser updates the row the winner made.
     */
    private static void report(Handle h, String id, List<String> columns, Object... values) {
        if (setReport(h, id, columns, values) > 0) return;
        if (h.createQuery("SELECT COUNT(*) FROM devices WHERE id = ?").bind(0, id).mapTo(Integer.class).one() == 0) return;
        var insert = h.createUpdate("INSERT INTO device_reports(device_id, " + String.join(", ", columns) + ") VALUES (?"
                + ", ?".repeat(columns.size()) + ")").bind(0, id);
        for (int i = 0; i < values.length; i++) insert.bind(i + 1, values[i]);
        try {
            insert.execute();
        } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException raced) {
            if (setReport(h, id, columns, values) == 0) throw raced;
        }
    }

    private static int setReport(Handle h, String id, List<String> columns, Object... values) {
        var update = h.createUpdate("UPDATE device_reports SET " + String.join(" = ?, ", columns) + " = ? WHERE device_id = ?");
        for (int i = 0; i < values.length; i++) update.bind(i, values[i]);
        return update.bind(values.length, id).execute();
    }

    /** Adds the events each device had dropped by the rate limit since the last flush. */
    public void addRateLimited(Map<String, Long> counts) {
        if (counts.isEmpty()) return;
        jdbi.useHandle(h -> {
            PreparedBatch batch = h.prepareBatch("UPDATE devices SET rate_limited = rate_limited + ? WHERE id = ?");
            counts.forEach((id, n) -> batch.bind(0, n).bind(1, id).add());
            batch.execute();
        });
    }

    public void addDroppedUnread(Map<String, Long> counts) {
        if (counts.isEmpty()) return;
        jdbi.useHandle(h -> {
            PreparedBatch batch = h.prepareBatch("UPDATE devices SET dropped_unread = dropped_unread + ? WHERE id = ?");
            counts.forEach((id, n) -> batch.bind(0, n).bind(1, id).add());
            batch.execute();
        });
    }

    /** Messages dropped because the device did not read them (see {@code DeviceSession}). */
    public long droppedUnread(String deviceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT dropped_unread FROM devices WHERE id = :id").bind("id", deviceId)
                .mapTo(Long.class).findOne().orElse(0L));
    }

    /** One batch for all devices heard since the last flush. */
    public void updateLastHeard(Map<String, Long> lastHeard) {
        if (lastHeard.isEmpty()) return;
        jdbi.useHandle(h -> {
            PreparedBatch batch = h.prepareBatch(
                    "UPDATE devices SET last_heard = ? WHERE id = ? AND (last_heard IS NULL OR last_heard < ?)");
            lastHeard.forEach((id, at) -> batch.bind(0, at).bind(1, id).bind(2, at).add());
            batch.execute();
        });
    }
}
