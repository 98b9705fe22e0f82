package io.boson.health;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet series tables. Each node adds to its own rows (the node is part of the key), so one
 * flush is an UPDATE batch and an INSERT batch for the rows that did not exist, with no contention
 * between nodes; a chart sums over nodes and dimensions.
 */
final class FleetRepository {

    /** The "any version" values of the firmware and Device OS columns. */
    static final int ANY_FIRMWARE = -1;
    static final String ANY_SYSTEM = "*";
    static final String MINUTES = "fleet_minutes";
    static final String HOURS = "fleet_hours";

    private final Jdbi jdbi;
    private final String nodeId;

    FleetRepository(Jdbi jdbi, String nodeId) {
        this.jdbi = jdbi;
        this.nodeId = nodeId;
    }

    /** What a device counts under: its product, product firmware version (0 = none), Device OS version and groups. */
    record Dims(long productId, int firmwareVersion, String systemVersion, List<String> groups) {
        static final Dims NONE = new Dims(0, 0, "", List.of());
    }

    /** One row's key; {@code at} is the minute (or hour) it starts at. */
    record Key(long productId, String metric, long at, String group, int firmwareVersion, String systemVersion) {
    }

    Map<String, Dims> dims(Collection<String> deviceIds) {
        Map<String, Dims> out = new HashMap<>();
        if (deviceIds.isEmpty()) return out;
        List<String> ids = List.copyOf(deviceIds);
        for (int i = 0; i < ids.size(); i += 500) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + 500));
            jdbi.useHandle(h -> h.createQuery("""
                            SELECT d.id, d.product_id, d.product_version, d.system_firmware_version, g.name
                            FROM devices d LEFT JOIN device_group_members m ON m.device_id = d.id
                                           LEFT JOIN device_groups g ON g.id = m.group_id
                            WHERE d.id IN (<ids>) ORDER BY d.id, g.name""")
                    .bindList("ids", chunk)
                    .map((rs, ctx) -> {
                        String id = rs.getString(1);
                        Long product = rs.getObject(2, Long.class);
                        Integer fw = rs.getObject(3, Integer.class);
                        String sys = rs.getString(4);
                        String group = rs.getString(5);
                        if (product == null) {
                            out.put(id, Dims.NONE);
                            return id;
                        }
                        Dims d = out.get(id);
                        List<String> groups = d == null ? new ArrayList<>() : new ArrayList<>(d.groups());
                        if (group != null) groups.add(group);
                        out.put(id, new Dims(product, fw == null ? 0 : fw, sys == null ? "" : sys, List.copyOf(groups)));
                        return id;
                    }).list());
            for (String id : chunk) out.putIfAbsent(id, Dims.NONE);
        }
        return out;
    }

    /** Adds the amounts to this node's minute and hour rows, in one transaction (both or neither). */
    void add(Map<Key, Long> minutes, Map<Key, Long> hours) {
        if (minutes.isEmpty() && hours.isEmpty()) return;
        jdbi.useTransaction(h -> {
            add(h, MINUTES, minutes);
            add(h, HOURS, hours);
        });
    }

    private void add(org.jdbi.v3.core.Handle h, String table, Map<Key, Long> amounts) {
        if (amounts.isEmpty()) return;
        {
            List<Map.Entry<Key, Long>> entries = new ArrayList<>(amounts.entrySet());
            PreparedBatch update = h.prepareBatch("UPDATE " + table + " SET amount = amount + ? WHERE product_id = ? AND metric = ?"
                    + " AND at = ? AND group_name = ? AND firmware_version = ? AND system_version = ? AND node_id = ?");
            for (Map.Entry<Key, Long> e : entries) bindKey(update.bind(0, e.getValue()), 1, e.getKey()).add();
            int[] updated = update.execute();
            PreparedBatch insert = h.prepareBatch("INSERT INTO " + table + "(product_id, metric, at, group_name, firmware_version,"
                    + " system_version, node_id, amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
            boolean any = false;
            for (int i = 0; i < entries.size(); i++) {
                if (updated[i] == 0) {
                    bindKey(insert, 0, entries.get(i).getKey()).bind(7, entries.get(i).getValue()).add();
                    any = true;
                }
            }
            if (any) insert.execute();
        }
    }

    private PreparedBatch bindKey(PreparedBatch b, int from, Key k) {
        return b.bind(from, k.productId()).bind(from + 1, k.metric()).bind(from + 2, k.at()).bind(from + 3, k.group())
                .bind(from + 4, k.firmwareVersion()).bind(from + 5, k.systemVersion()).bind(from + 6, nodeId);
    }

    /** A filter on the dimensions: group "" means every device; null version filters mean any. */
    record Filter(String group, Integer firmwareVersion, String systemVersion) {
    }

    record Cell(long at, String metric, long amount) {
    }

    /**
     * Sums per row start and metric over nodes and the dimensions the filter leaves open: one query
     * per metric, each one range of the primary key (product, metric, group, time).
     */
    List<Cell> cells(String table, long productId, Collection<String> metrics, long from, long to, Filter f) {
        String sql = "SELECT at, SUM(amount) FROM " + table + " WHERE product_id = :p AND metric = :m AND group_name = :g"
                + " AND firmware_version = :fw AND system_version = :sys AND at >= :from AND at < :to GROUP BY at ORDER BY at";
        int fw = f.firmwareVersion() == null ? ANY_FIRMWARE : f.firmwareVersion();
        String sys = f.systemVersion() == null ? ANY_SYSTEM : f.systemVersion();
        return jdbi.withHandle(h -> {
            List<Cell> out = new ArrayList<>();
            for (String metric : metrics) {
                Query q = h.createQuery(sql).bind("p", productId).bind("m", metric).bind("g", f.group())
                        .bind("fw", fw).bind("sys", sys).bind("from", from).bind("to", to);
                out.addAll(q.map((rs, ctx) -> new Cell(rs.getLong(1), metric, rs.getLong(2))).list());
            }
            return out;
        });
    }

    record Now(long devices, long online) {
    }

    /** The product's devices and how many are online now, by the same filter (from the device registry). */
    Now now(long productId, Filter f) {
        StringBuilder sql = new StringBuilder("SELECT COUNT(*), COALESCE(SUM(CASE WHEN d.online THEN 1 ELSE 0 END), 0)"
                + " FROM devices d WHERE d.product_id = :p");
        if (f.firmwareVersion() != null) sql.append(" AND d.product_version = :fw");
        if (f.systemVersion() != null) sql.append(" AND d.system_firmware_version = :sys");
        if (!f.group().isEmpty()) {
            sql.append(" AND EXISTS (SELECT 1 FROM device_group_members m JOIN device_groups g ON g.id = m.group_id"
                    + " WHERE m.device_id = d.id AND g.product_id = :p AND g.name = :g)");
        }
        return jdbi.withHandle(h -> {
            Query q = h.createQuery(sql.toString()).bind("p", productId);
            if (f.firmwareVersion() != null) q.bind("fw", f.firmwareVersion());
            if (f.systemVersion() != null) q.bind("sys", f.systemVersion());
            if (!f.group().isEmpty()) q.bind("g", f.group());
            return q.map((rs, ctx) -> new Now(rs.getLong(1), rs.getLong(2))).one();
        });
    }

    boolean groupExists(long productId, String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM device_groups WHERE product_id = ? AND name = ?")
                .bind(0, productId).bind(1, name).mapTo(Long.class).one()) > 0;
    }

    int prune(String table, long before) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM " + table + " WHERE at < ?").bind(0, before).execute());
    }

}
