package io.boson.usage;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

import java.util.List;
import java.util.Optional;

/**
 * Reading usage back: totals grouped by device, product or day over a range of days, paged, and
 * the rows of a usage report. Filters are an owner or a product, optionally one product or device.
 */
final class UsageReads {

    private final Jdbi jdbi;

    UsageReads(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    enum By { DEVICE, PRODUCT, DAY }

    /** Whose usage: an owner's (optionally one of its products or devices), or one product's. */
    record Filter(String owner, Long productId, String deviceId, int fromDay, int toDay) {
        String where() {
            return where("");
        }

        /** The condition, with columns of the table aliased {@code alias}. */
        String where(String alias) {
            StringBuilder w = new StringBuilder(alias + "day_no >= :from AND " + alias + "day_no <= :to");
            if (owner != null) w.append(" AND ").append(alias).append("owner = :owner");
            if (productId != null) w.append(" AND ").append(alias).append("product_id = :product");
            if (deviceId != null) w.append(" AND ").append(alias).append("device_id = :device");
            return w.toString();
        }

        Query bind(Query q) {
            q.bind("from", fromDay).bind("to", toDay);
            if (owner != null) q.bind("owner", owner);
            if (productId != null) q.bind("product", productId);
            if (deviceId != null) q.bind("device", deviceId);
            return q;
        }
    }

    /** One group's totals: its key is a device id, a product id (or null for developer devices) or an epoch day. */
    record Line(String key, long dataOps, long cellBytes) {
    }

    record Page(List<Line> lines, long total, long dataOps, long cellBytes) {
    }

    Page usage(Filter f, By by, int page, int perPage) {
        String column = switch (by) {
            case DEVICE -> "device_id";
            case PRODUCT -> "product_id";
            case DAY -> "day_no";
        };
        return jdbi.withHandle(h -> {
            long[] totals = f.bind(h.createQuery("SELECT COUNT(DISTINCT " + column + "), COALESCE(SUM(data_ops), 0), "
                            + "COALESCE(SUM(cell_bytes), 0) FROM usage_device_day WHERE " + f.where()))
                    .map((rs, ctx) -> new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3)}).one();
            List<Line> lines = f.bind(h.createQuery("SELECT " + column + ", SUM(data_ops), SUM(cell_bytes) FROM usage_device_day WHERE "
                            + f.where() + " GROUP BY " + column + " ORDER BY " + column + " LIMIT :limit OFFSET :offset"))
                    .bind("limit", perPage).bind("offset", (long) (page - 1) * perPage)
                    .map((rs, ctx) -> new Line(rs.getString(1), rs.getLong(2), rs.getLong(3))).list();
            return new Page(lines, totals[0], totals[1], totals[2]);
        });
    }

    /** A report's rows: per device per day, oldest first, with the device's name. */
    record ReportRow(int day, String deviceId, String name, Long productId, long dataOps, long cellBytes) {
    }

    List<ReportRow> reportRows(Filter f, List<String> devices) {
        String only = devices.isEmpty() ? "" : " AND u.device_id IN (<devices>)";
        return jdbi.withHandle(h -> {
            Query q = h.createQuery("SELECT u.day_no, u.device_id, d.name, u.product_id, u.data_ops, u.cell_bytes "
                    + "FROM usage_device_day u LEFT JOIN devices d ON d.id = u.device_id WHERE "
                    + f.where("u.") + only + " ORDER BY u.day_no, u.device_id");
            if (!devices.isEmpty()) q.bindList("devices", devices);
            return f.bind(q).map((rs, ctx) -> new ReportRow(rs.getInt(1), rs.getString(2), rs.getString(3),
                    (Long) rs.getObject(4), rs.getLong(5), rs.getLong(6))).list();
        });
    }

    /** The devices whose last describe reported this ICCID ({@code "iccid"} in the describe, a Boson addition). */
    List<String> devicesWithIccid(String iccid) {
        if (iccid.isEmpty() || !iccid.chars().allMatch(Character::isLetterOrDigit)) return List.of();
        return jdbi.withHandle(h -> h.createQuery("SELECT device_id, describe_json FROM device_reports WHERE describe_json LIKE :p ORDER BY device_id")
                .bind("p", "%" + iccid + "%")
                .map((rs, ctx) -> iccid.equals(iccidOf(rs.getString(2))) ? rs.getString(1) : null).list())
                .stream().filter(java.util.Objects::nonNull).toList();
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    static String iccidOf(String describeJson) {
        try {
            com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(describeJson).get("iccid");
            return n != null && n.isTextual() ? n.asText() : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    Long productOf(String deviceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT product_id FROM devices WHERE id = ?").bind(0, deviceId)
                .map((rs, ctx) -> (Long) rs.getObject(1)).findOne().orElse(null));
    }

    /** The owner key of an account by username, or of an organization by id or slug. */
    Optional<String> userOwner(String username) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM users WHERE username = ?").bind(0, username)
                .mapTo(Long.class).findOne()).map(id -> "u" + id);
    }

    Optional<String> orgOwner(String idOrSlug) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM orgs WHERE slug = :s OR CAST(id AS VARCHAR(40)) = :s")
                .bind("s", idOrSlug).mapTo(Long.class).findOne()).map(id -> "o" + id);
    }

    /** Firmware bytes stored by an owner's products (Enterprise's firmware storage limit). */
    long firmwareBytes(String owner) {
        String where = owner.startsWith("o") ? "p.org_id = :id" : "p.org_id IS NULL AND p.owner_user_id = :id";
        return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(f.size_bytes), 0) FROM product_firmware f "
                        + "JOIN products p ON p.id = f.product_id WHERE " + where)
                .bind("id", Long.parseLong(owner.substring(1))).mapTo(Long.class).one());
    }
}
