package io.boson.health;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.util.List;
import java.util.Optional;

/** The device_history table: batched inserts, newest-first pages, per-bucket chart aggregates, pruning. */
final class HistoryRepository {

    /** A vitals value that can be charted, and its column. */
    enum Chart {
        SIGNAL_STRENGTH("signal_strength"), SIGNAL_QUALITY("signal_quality"), RTT("rtt"),
        MEMORY_USED("mem_used"), BATTERY_CHARGE("battery_charge");

        final String column;

        Chart(String column) {
            this.column = column;
        }

        /** The API name (the column, except memory: {@code memory_used}). */
        String apiName() {
            return this == MEMORY_USED ? "memory_used" : column;
        }

        static Optional<Chart> of(String name) {
            for (Chart c : values()) if (c.apiName().equals(name) || c.column.equals(name)) return Optional.of(c);
            return Optional.empty();
        }
    }

    record Row(HistoryEntry entry, Double[] charts) {
    }

    record Point(long bucketStart, double min, double max, double avg, long count) {
    }

    private final Jdbi jdbi;

    HistoryRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    void insert(List<Row> rows) {
        if (rows.isEmpty()) return;
        jdbi.useHandle(h -> {
            PreparedBatch b = h.prepareBatch("""
                    INSERT INTO device_history(device_id, at, kind, payload, detail, signal_strength, signal_quality, rtt,
                                               mem_used, battery_charge) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""");
            for (Row r : rows) {
                HistoryEntry e = r.entry();
                b.bind(0, e.deviceId()).bind(1, e.at()).bind(2, e.kind().column).bind(3, e.payload()).bind(4, e.detail());
                for (int i = 0; i < 5; i++) b.bindByType(5 + i, r.charts()[i], Double.class);
                b.add();
            }
            b.execute();
        });
    }

    /** Entries of one kind in [from, to), newest first. */
    List<HistoryEntry> page(String deviceId, HistoryEntry.Kind kind, long from, long to, int offset, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT device_id, at, kind, payload, detail FROM device_history
                        WHERE device_id = ? AND kind = ? AND at >= ? AND at < ?
                        ORDER BY at DESC, id DESC LIMIT ? OFFSET ?""")
                .bind(0, deviceId).bind(1, kind.column).bind(2, from).bind(3, to).bind(4, limit).bind(5, offset)
                .map((rs, ctx) -> new HistoryEntry(rs.getString(1), rs.getLong(2), HistoryEntry.Kind.of(rs.getString(3)),
                        rs.getString(4), rs.getString(5)))
                .list());
    }

    long count(String deviceId, HistoryEntry.Kind kind, long from, long to) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM device_history WHERE device_id = ? AND kind = ? AND at >= ? AND at < ?")
                .bind(0, deviceId).bind(1, kind.column).bind(2, from).bind(3, to).mapTo(Long.class).one());
    }

    /** The oldest kept entry's time and how many entries the device has, of any kind. */
    record Extent(long records, Long oldest, Long newest) {
    }

    Extent extent(String deviceId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT COUNT(*), MIN(at), MAX(at) FROM device_history WHERE device_id = ?")
                .bind(0, deviceId)
                .map((rs, ctx) -> new Extent(rs.getLong(1), rs.getObject(2, Long.class), rs.getObject(3, Long.class)))
                .one());
    }

    /** Min, max, average and count of one chart per bucket, computed by the database over this device's rows. */
    List<Point> chart(String deviceId, Chart chart, long from, long to, long bucketMillis) {
        String sql = "SELECT b, MIN(v), MAX(v), AVG(v), COUNT(v) FROM (SELECT (at - ?) / ? AS b, " + chart.column
                + " AS v FROM device_history WHERE device_id = ? AND kind = 'vitals' AND at >= ? AND at < ? AND "
                + chart.column + " IS NOT NULL) x GROUP BY b ORDER BY b";
        return jdbi.withHandle(h -> h.createQuery(sql)
                .bind(0, from).bind(1, bucketMillis).bind(2, deviceId).bind(3, from).bind(4, to)
                .map((rs, ctx) -> new Point(from + rs.getLong(1) * bucketMillis, rs.getDouble(2), rs.getDouble(3),
                        rs.getDouble(4), rs.getLong(5)))
                .list());
    }

    int prune(long before) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM device_history WHERE at < ?").bind(0, before).execute());
    }
}
