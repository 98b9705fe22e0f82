package io.boson.products;

import io.boson.devices.Device;
import io.boson.devices.DeviceRepository;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Product membership of devices: import, listing with filters, quarantine and denial. */
public final class ProductDeviceRepository {

    /** IN lists are sent in chunks of this size: small enough for any driver, large enough to be few. */
    static final int CHUNK = 1000;
    /** IDs per H2 array parameter (H2's own limit is 65,536 elements). */
    static final int ARRAY_CHUNK = 10_000;

    private final Jdbi jdbi;
    private final ProductDeviceListing listing;
    private final boolean h2;

    /** @param h2 whether the database is H2, whose planner needs a hint for index-ordered pages */
    public ProductDeviceRepository(Jdbi jdbi, boolean h2) {
        this.jdbi = jdbi;
        this.listing = new ProductDeviceListing(h2);
        this.h2 = h2;
    }

    /**
     * Starts a change of the product's membership: increments its generation, which also locks its
     * count row until the transaction ends, so that the membership changes of one product take turns
     * and each adds its own difference to the count ({@link #countChanged}).
     */
    static void beginMembershipChange(Handle h, long productId) {
        int updated = h.createUpdate("UPDATE product_device_counts SET generation = generation + 1 WHERE product_id = ?")
                .bind(0, productId).execute();
        if (updated == 0) {
            // A product made before its row could be (every product gets one at creation and in V70).
            h.createUpdate("""
                            INSERT INTO product_device_counts(product_id, devices, generation)
                            SELECT ?, COUNT(*), 1 FROM devices WHERE product_id = ?""")
                    .bind(0, productId).bind(1, productId).execute();
        }
    }

    static void countChanged(Handle h, long productId, long difference) {
        if (difference == 0) return;
        h.createUpdate("UPDATE product_device_counts SET devices = devices + ? WHERE product_id = ?")
                .bind(0, difference).bind(1, productId).execute();
    }

    /** What import needs to know about a registered device. */
    record Registered(String id, int platformId, Long productId, Long ownerId) {
    }

    Map<String, Registered> registered(Handle h, List<String> ids) {
        Map<String, Registered> found = new HashMap<>();
        org.jdbi.v3.core.mapper.RowMapper<Registered> mapper = (rs, ctx) -> new Registered(rs.getString(1), rs.getInt(2),
                rs.getObject(3, Long.class), rs.getObject(4, Long.class));
        if (!h2) {
            // PostgreSQL: one statement with the IDs as one array (an index lookup per element), where
            // 100 statements of 1,000 parameters took five times as long.
            h.createQuery("SELECT id, platform_id, product_id, owner_id FROM devices WHERE id = ANY(CAST(:ids AS CHAR(24)[]))")
                    .bindArray("ids", String.class, ids).map(mapper).forEach(r -> found.put(r.id(), r));
            return found;
        }
        // H2 plans "= ANY(array)" as a scan of the table for each element. "id IN (1,000 parameters)" uses the
        // primary key but tests each row it finds against the whole list again (1,000 x 1,000 comparisons per
        // statement: 100,000 IDs took ~8 s of an import's CPU). The IDs as a table joined by primary key are one
        // lookup each: 10,000 in 30-60 ms where the IN lists took 470-1,160 ms.
        // An H2 array holds at most 65,536 elements, and an import up to 100,000 IDs: 10,000 per statement.
        // In key order, as addToProduct writes them: the lookups then walk the primary key's pages in order.
        List<String> sorted = ids.stream().sorted().toList();
        for (int i = 0; i < sorted.size(); i += ARRAY_CHUNK) {
            h.createQuery("SELECT d.id, d.platform_id, d.product_id, d.owner_id FROM TABLE(id CHAR(24) = :ids) t"
                            + " JOIN devices d ON d.id = t.id")
                    .bindArray("ids", String.class, sorted.subList(i, Math.min(sorted.size(), i + ARRAY_CHUNK)))
                    .map(mapper).forEach(r -> found.put(r.id(), r));
        }
        return found;
    }

    /** Adds devices to the product (only those in no product) and approves them if they were waiting. */
    void addToProduct(Handle h, long productId, List<String> ids, long now) {
        if (ids.isEmpty()) return;
        beginMembershipChange(h, productId);
        long added = 0;
        if (!h2) {
            added = h.createUpdate("""
                            UPDATE devices SET product_id = :p, imported_at = :now, removed_from_product = NULL
                            WHERE id = ANY(CAST(:ids AS CHAR(24)[])) AND product_id IS NULL""")
                    .bind("p", productId).bind("now", now).bindArray("ids", String.class, ids).execute();
        } else {
            PreparedBatch add = h.prepareBatch("""
                    UPDATE devices SET product_id = ?, imported_at = ?, removed_from_product = NULL
                    WHERE id = ? AND product_id IS NULL""");
            // In key order: H2 updates 100,000 rows of one transaction in 4 s in primary-key order and in 55 s in
            // the random order device IDs come in (each row's pages of the table and its indexes copied again).
            for (String id : ids.stream().sorted().toList()) add.bind(0, productId).bind(1, now).bind(2, id).add();
            for (int n : add.execute()) added += n;
        }
        countChanged(h, productId, added);
        // Most products have no device waiting or denied: then there is nothing to delete, 100 times over.
        for (String table : List.of("quarantined_devices", "denied_devices")) {
            boolean any = h.createQuery("SELECT device_id FROM " + table + " WHERE product_id = ? LIMIT 1")
                    .bind(0, productId).mapTo(String.class).findOne().isPresent();
            if (!any) continue;
            for (int i = 0; i < ids.size(); i += CHUNK) {
                h.createUpdate("DELETE FROM " + table + " WHERE product_id = :p AND device_id IN (<ids>)")
                        .bind("p", productId).bindList("ids", ids.subList(i, Math.min(ids.size(), i + CHUNK))).execute();
            }
        }
    }

    <T> T inTransaction(org.jdbi.v3.core.HandleCallback<T, RuntimeException> work) {
        return jdbi.inTransaction(work);
    }

    public Optional<Device> find(long productId, String id) {
        return jdbi.withHandle(h -> h.createQuery(DeviceRepository.SELECT + " WHERE d.product_id = ? AND d.id = ?")
                .bind(0, productId).bind(1, id).map(DeviceRepository.MAPPER).findOne());
    }

    public Optional<Device> findByName(long productId, String name) {
        return jdbi.withHandle(h -> h.createQuery(DeviceRepository.SELECT
                        + " WHERE d.product_id = ? AND d.name = ? ORDER BY d.id")
                .bind(0, productId).bind(1, name).map(DeviceRepository.MAPPER).findFirst());
    }

    public boolean nameTaken(long productId, String name, String exceptId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM devices WHERE product_id = ? AND name = ? AND id <> ?")
                .bind(0, productId).bind(1, name).bind(2, exceptId).mapTo(Long.class).one()) > 0;
    }

    /** A page of the product's devices and the total that match. */
    public record Page(List<Device> devices, long total) {
    }

    public Page list(long productId, ProductDeviceQuery q) {
        return jdbi.withHandle(h -> listing.list(h, productId, q));
    }

    /** Group names of each device, in one query for a whole page. */
    public Map<String, List<String>> groupsOf(Collection<String> deviceIds) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (deviceIds.isEmpty()) return out;
        jdbi.useHandle(h -> h.createQuery("""
                        SELECT m.device_id, g.name FROM device_group_members m JOIN device_groups g ON g.id = m.group_id
                        WHERE m.device_id IN (<ids>) ORDER BY g.name""")
                .bindList("ids", List.copyOf(deviceIds))
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue())));
        return out;
    }

    /** Which of these accounts are customers (not team members): id → email. */
    public Map<Long, String> customers(Collection<Long> ownerIds) {
        Map<Long, String> out = new LinkedHashMap<>();
        if (ownerIds.isEmpty()) return out;
        jdbi.useHandle(h -> h.createQuery("SELECT id, email FROM users WHERE kind = 'customer' AND id IN (<ids>) ORDER BY email")
                .bindList("ids", List.copyOf(ownerIds))
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue())));
        return out;
    }

    /** Takes a device out of its product: unclaimed, not development, out of every group, refused until imported again. */
    public void remove(long productId, String deviceId) {
        jdbi.useTransaction(h -> {
            beginMembershipChange(h, productId);
            h.createUpdate("""
                            DELETE FROM device_group_members WHERE device_id = ?
                            AND group_id IN (SELECT id FROM device_groups WHERE product_id = ?)""")
                    .bind(0, deviceId).bind(1, productId).execute();
            int removed = h.createUpdate("""
                            UPDATE devices SET product_id = NULL, owner_id = NULL, name = NULL, notes = NULL, claimed_at = NULL,
                                   development = FALSE, removed_from_product = ? WHERE id = ? AND product_id = ?""")
                    .bind(0, productId).bind(1, deviceId).bind(2, productId).execute();
            countChanged(h, productId, -removed);
            // The product's firmware lock goes with the device (a removed device is refused at CONNECT,
            // so an unfinished update of it is never served again).
            h.createUpdate("UPDATE device_firmware SET locked_version = NULL, lock_flash = FALSE WHERE device_id = ?")
                    .bind(0, deviceId).execute();
        });
    }

    public void rename(String id, String name) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE devices SET name = ? WHERE id = ?").bind(0, name).bind(1, id).execute());
    }

    public void setNotes(String id, String notes) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE devices SET notes = ? WHERE id = ?").bind(0, notes).bind(1, id).execute());
    }

    public void setDevelopment(String id, boolean development) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE devices SET development = ? WHERE id = ?")
                .bind(0, development).bind(1, id).execute());
    }

    // --- quarantine ---------------------------------------------------------------------------

    public void quarantine(long productId, String deviceId, long now) {
        jdbi.useTransaction(h -> {
            int updated = h.createUpdate("UPDATE quarantined_devices SET last_seen_at = ? WHERE product_id = ? AND device_id = ?")
                    .bind(0, now).bind(1, productId).bind(2, deviceId).execute();
            if (updated == 0) {
                h.createUpdate("INSERT INTO quarantined_devices(product_id, device_id, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)")
                        .bind(0, productId).bind(1, deviceId).bind(2, now).bind(3, now).execute();
            }
        });
    }

    public Page quarantined(long productId, int page, int perPage) {
        return jdbi.withHandle(h -> {
            long total = h.createQuery("SELECT COUNT(*) FROM quarantined_devices WHERE product_id = ?").bind(0, productId)
                    .mapTo(Long.class).one();
            List<Device> devices = h.createQuery(DeviceRepository.SELECT
                            + " JOIN quarantined_devices q ON q.device_id = d.id WHERE q.product_id = :p ORDER BY q.first_seen_at, d.id"
                            + " LIMIT :limit OFFSET :offset")
                    .bind("p", productId).bind("limit", perPage).bind("offset", (long) (page - 1) * perPage)
                    .map(DeviceRepository.MAPPER).list();
            return new Page(devices, total);
        });
    }

    /** Denies a waiting device: it leaves the list and is refused while it belongs to no product. */
    public boolean deny(long productId, String deviceId, long now) {
        return jdbi.inTransaction(h -> {
            int removed = h.createUpdate("DELETE FROM quarantined_devices WHERE product_id = ? AND device_id = ?")
                    .bind(0, productId).bind(1, deviceId).execute();
            if (removed == 0) return false;
            h.createUpdate("INSERT INTO denied_devices(product_id, device_id, denied_at) VALUES (?, ?, ?)")
                    .bind(0, productId).bind(1, deviceId).bind(2, now).execute();
            return true;
        });
    }

    public boolean isDenied(String deviceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM denied_devices WHERE device_id = ?")
                .bind(0, deviceId).mapTo(Long.class).one()) > 0;
    }

    public boolean isDenied(long productId, String deviceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM denied_devices WHERE product_id = ? AND device_id = ?")
                .bind(0, productId).bind(1, deviceId).mapTo(Long.class).one()) > 0;
    }
}
