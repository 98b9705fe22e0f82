package io.boson.usage;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

import java.sql.SQLException;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Usage as stored: per device and day, per owner and month, the devices that count toward each
 * owner's limit, plans, notifications, pauses and reports. Writes only ever add to counters, so
 * several nodes flushing at once keep the totals exact.
 */
final class UsageRepository {

    private final Jdbi jdbi;
    private final boolean postgres;

    UsageRepository(Jdbi jdbi, boolean postgres) {
        this.jdbi = jdbi;
        this.postgres = postgres;
    }

    /** One device's counts of one day, with who paid for them. */
    record Row(String deviceId, int day, String owner, Long productId, long dataOps, long cellBytes) {
    }

    record Totals(long dataOps, long cellBytes) {
        static final Totals ZERO = new Totals(0, 0);
    }

    static int month(int epochDay) {
        LocalDate d = LocalDate.ofEpochDay(epochDay);
        return d.getYear() * 100 + d.getMonthValue();
    }

    /** Adds a flush's counts to the device days and the owners' months, all or nothing. */
    void add(List<Row> rows) {
        if (rows.isEmpty()) return;
        Map<String, long[]> months = new HashMap<>();
        for (Row r : rows) {
            if (r.owner() == null) continue;
            long[] t = months.computeIfAbsent(r.owner() + " " + month(r.day()), k -> new long[2]);
            t[0] += r.dataOps();
            t[1] += r.cellBytes();
        }
        jdbi.useTransaction(h -> {
            PreparedBatch days = h.prepareBatch(postgres ? """
                    INSERT INTO usage_device_day(device_id, day_no, owner, product_id, data_ops, cell_bytes)
                    VALUES (:d, :day, :owner, :product, :ops, :bytes)
                    ON CONFLICT (device_id, day_no) DO UPDATE SET data_ops = usage_device_day.data_ops + EXCLUDED.data_ops,
                        cell_bytes = usage_device_day.cell_bytes + EXCLUDED.cell_bytes, owner = EXCLUDED.owner,
                        product_id = EXCLUDED.product_id""" : """
                    MERGE INTO usage_device_day t
                    USING (VALUES (CAST(:d AS CHAR(24)), CAST(:day AS INT), CAST(:owner AS VARCHAR(24)), CAST(:product AS BIGINT),
                                   CAST(:ops AS BIGINT), CAST(:bytes AS BIGINT)))
                          s(device_id, day_no, owner, product_id, data_ops, cell_bytes)
                    ON t.device_id = s.device_id AND t.day_no = s.day_no
                    WHEN MATCHED THEN UPDATE SET data_ops = t.data_ops + s.data_ops, cell_bytes = t.cell_bytes + s.cell_bytes,
                        owner = s.owner, product_id = s.product_id
                    WHEN NOT MATCHED THEN INSERT (device_id, day_no, owner, product_id, data_ops, cell_bytes)
                        VALUES (s.device_id, s.day_no, s.owner, s.product_id, s.data_ops, s.cell_bytes)""");
            for (Row r : rows) {
                days.bind("d", r.deviceId()).bind("day", r.day()).bind("owner", r.owner()).bind("product", r.productId())
                        .bind("ops", r.dataOps()).bind("bytes", r.cellBytes()).add();
            }
            days.execute();
            if (months.isEmpty()) return;
            PreparedBatch owners = h.prepareBatch(postgres ? """
                    INSERT INTO usage_owner_month(owner, month_no, data_ops, cell_bytes) VALUES (:owner, :month, :ops, :bytes)
                    ON CONFLICT (owner, month_no) DO UPDATE SET data_ops = usage_owner_month.data_ops + EXCLUDED.data_ops,
                        cell_bytes = usage_owner_month.cell_bytes + EXCLUDED.cell_bytes""" : """
                    MERGE INTO usage_owner_month t
                    USING (VALUES (CAST(:owner AS VARCHAR(24)), CAST(:month AS INT), CAST(:ops AS BIGINT), CAST(:bytes AS BIGINT)))
                          s(owner, month_no, data_ops, cell_bytes)
                    ON t.owner = s.owner AND t.month_no = s.month_no
                    WHEN MATCHED THEN UPDATE SET data_ops = t.data_ops + s.data_ops, cell_bytes = t.cell_bytes + s.cell_bytes
                    WHEN NOT MATCHED THEN INSERT (owner, month_no, data_ops, cell_bytes) VALUES (s.owner, s.month_no, s.data_ops, s.cell_bytes)""");
            for (Map.Entry<String, long[]> e : months.entrySet()) {
                String[] k = e.getKey().split(" ");
                owners.bind("owner", k[0]).bind("month", Integer.parseInt(k[1])).bind("ops", e.getValue()[0])
                        .bind("bytes", e.getValue()[1]).add();
            }
            owners.execute();
        });
    }

    /** An owner's pooled totals over months {@code from} (inclusive) to {@code to} (exclusive), yyyymm. */
    Totals ownerTotals(String owner, int from, int to) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT COALESCE(SUM(data_ops), 0), COALESCE(SUM(cell_bytes), 0) FROM usage_owner_month
                        WHERE owner = :o AND month_no >= :from AND month_no < :to""")
                .bind("o", owner).bind("from", from).bind("to", to)
                .map((rs, ctx) -> new Totals(rs.getLong(1), rs.getLong(2))).one());
    }

    // --- devices that count toward the limit --------------------------------------------------

    boolean counted(String owner, String deviceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM usage_devices WHERE owner = ? AND device_id = ?")
                .bind(0, owner).bind(1, deviceId).mapTo(Long.class).one()) > 0;
    }

    long deviceCount(String owner) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM usage_devices WHERE owner = ?")
                .bind(0, owner).mapTo(Long.class).one());
    }

    /** Counts the device toward the owner's limit from now; false when it already was. */
    boolean count(String owner, String deviceId, long now) {
        return insertOnce(h -> h.createUpdate("INSERT INTO usage_devices(owner, device_id, first_connected_at) VALUES (?, ?, ?)")
                .bind(0, owner).bind(1, deviceId).bind(2, now).execute());
    }

    // --- plans ---------------------------------------------------------------------------------

    record PlanRow(String owner, String plan, int blocks, Integer nextBlocks, Integer nextFrom, Long maxDevices,
                   Long maxDataOps, Long maxCellBytes, Long maxFirmwareBytes, Integer contractStart) {
    }

    Optional<PlanRow> plan(String owner) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT owner, plan, blocks, next_blocks, next_from, max_devices, max_data_ops, max_cell_bytes,
                               max_firmware_bytes, contract_start FROM usage_plans WHERE owner = ?""")
                .bind(0, owner)
                .map((rs, ctx) -> new PlanRow(rs.getString(1), rs.getString(2), rs.getInt(3), (Integer) rs.getObject(4),
                        (Integer) rs.getObject(5), (Long) rs.getObject(6), (Long) rs.getObject(7), (Long) rs.getObject(8),
                        (Long) rs.getObject(9), (Integer) rs.getObject(10)))
                .findOne());
    }

    void savePlan(PlanRow p, long now) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM usage_plans WHERE owner = ?").bind(0, p.owner()).execute();
            h.createUpdate("""
                            INSERT INTO usage_plans(owner, plan, blocks, next_blocks, next_from, max_devices, max_data_ops,
                                                    max_cell_bytes, max_firmware_bytes, contract_start, updated_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                    .bind(0, p.owner()).bind(1, p.plan()).bind(2, p.blocks()).bind(3, p.nextBlocks()).bind(4, p.nextFrom())
                    .bind(5, p.maxDevices()).bind(6, p.maxDataOps()).bind(7, p.maxCellBytes()).bind(8, p.maxFirmwareBytes())
                    .bind(9, p.contractStart()).bind(10, now).execute();
        });
    }

    /** Raises a Growth owner's blocks from a month on, unless something already raised them as far. */
    boolean raiseBlocks(String owner, int blocks, int fromMonth, long now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE usage_plans SET next_blocks = ?, next_from = ?, updated_at = ?
                        WHERE owner = ? AND plan = 'growth' AND (next_blocks IS NULL OR next_blocks < ?)""")
                .bind(0, blocks).bind(1, fromMonth).bind(2, now).bind(3, owner).bind(4, blocks).execute()) == 1;
    }

    // --- notifications and pauses -----------------------------------------------------------------

    record Notification(long id, String owner, int period, String eventType, String resource, int threshold, long createdAt,
                        String details) {
    }

    /** Records a notification once: false when this owner already had it for this period. */
    boolean notifyOnce(String owner, int period, String eventType, String resource, int threshold, long limit, long now,
                       String details) {
        return insertOnce(h -> h.createUpdate("""
                        INSERT INTO usage_notifications(owner, period, event_type, resource, threshold, limit_value, created_at, details)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
                .bind(0, owner).bind(1, period).bind(2, eventType).bind(3, resource).bind(4, threshold).bind(5, limit)
                .bind(6, now).bind(7, details).execute());
    }

    List<Notification> notifications(String owner, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, owner, period, event_type, resource, threshold, created_at, details FROM usage_notifications
                        WHERE owner = ? ORDER BY id DESC LIMIT ?""")
                .bind(0, owner).bind(1, limit)
                .map((rs, ctx) -> new Notification(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                        rs.getString(5), rs.getInt(6), rs.getLong(7), rs.getString(8)))
                .list());
    }

    /** Owners that reached 100 % of a pausing resource in {@code month} at or before {@code before}. */
    List<Notification> fullSince(int month, long before) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, owner, period, event_type, resource, threshold, created_at, details FROM usage_notifications
                        WHERE period = ? AND event_type = 'usage_threshold' AND threshold = 100
                          AND resource IN ('data_operations', 'cellular_data') AND created_at <= ?""")
                .bind(0, month).bind(1, before)
                .map((rs, ctx) -> new Notification(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                        rs.getString(5), rs.getInt(6), rs.getLong(7), rs.getString(8)))
                .list());
    }

    boolean pause(String owner, int month, String resource, long now) {
        return insertOnce(h -> h.createUpdate("INSERT INTO usage_pauses(owner, month_no, resource, paused_at) VALUES (?, ?, ?, ?)")
                .bind(0, owner).bind(1, month).bind(2, resource).bind(3, now).execute());
    }

    /** Lifts the owner's pause of this month; true when there was one. */
    boolean resume(String owner, int month) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM usage_pauses WHERE owner = ? AND month_no = ?")
                .bind(0, owner).bind(1, month).execute()) > 0;
    }

    Set<String> paused(int month) {
        return new HashSet<>(jdbi.withHandle(h -> h.createQuery("SELECT owner FROM usage_pauses WHERE month_no = ?")
                .bind(0, month).mapTo(String.class).list()));
    }

    private boolean insertOnce(org.jdbi.v3.core.HandleCallback<Integer, RuntimeException> insert) {
        try {
            return jdbi.withHandle(insert) == 1;
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof SQLException s && "23505".equals(s.getSQLState())) return false;
            throw e;
        }
    }

}
