package io.boson.products;

import io.boson.devices.Device;
import io.boson.devices.DeviceRepository;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of {@code GET /v1/products/:p/devices}, written so that no page reads the whole product.
 *
 * <ul>
 *   <li>The total of an unfiltered list is the product's stored count ({@code product_device_counts}),
 *       not a {@code COUNT(*)} of 100,000 index entries.</li>
 *   <li>Pages in device-ID order are read as a key range from a remembered page start
 *       ({@link PageBoundaries}); a page no one asked for yet is found by an ID-only probe (one index,
 *       no rows, no joins), and its start is remembered with the next page's.</li>
 *   <li>Sorts by name or last connection put devices without one last in both directions, as two
 *       index-ordered reads (those with a value, then those without) instead of one sort of the
 *       whole product. On H2 the index is named and the ORDER BY starts with {@code product_id}: H2
 *       uses an index for ORDER BY only when the ORDER BY starts with the index's first column.</li>
 * </ul>
 */
final class ProductDeviceListing {

    private final boolean h2;
    private final PageBoundaries boundaries = new PageBoundaries();

    ProductDeviceListing(boolean h2) {
        this.h2 = h2;
    }

    /** A product's device count and membership generation, as of the statement that read them. */
    record Membership(long devices, long generation) {
    }

    static Optional<Membership> membership(Handle h, long productId) {
        return h.createQuery("SELECT devices, generation FROM product_device_counts WHERE product_id = ?")
                .bind(0, productId).map((rs, ctx) -> new Membership(rs.getLong(1), rs.getLong(2))).findOne();
    }

    ProductDeviceRepository.Page list(Handle h, long productId, ProductDeviceQuery q) {
        Membership m = membership(h, productId).orElse(null);
        boolean unfiltered = q.deviceId() == null && q.deviceName() == null && q.groups().isEmpty();
        long total = unfiltered && m != null ? m.devices() : count(h, productId, q, "");
        List<Device> devices = switch (q.sortColumn()) {
            // An ID prefix matches few devices: one statement with OFFSET reads no more than they are.
            case "d.id" -> unfiltered ? byId(h, productId, q, m) : offsetPage(h, productId, q);
            case "d.name" -> nullsLast(h, productId, q, nameExpr(), "devices_product_name", "");
            case "d.last_heard" -> nullsLast(h, productId, q, "d.last_heard", "devices_product_heard", Long.MIN_VALUE);
            default -> offsetPage(h, productId, q);
        };
        return new ProductDeviceRepository.Page(devices, total);
    }

    // --- device-ID order: keyset pages ------------------------------------------------------------

    private List<Device> byId(Handle h, long productId, ProductDeviceQuery q, Membership m) {
        // The first page is one statement, as exact as any: no boundary to check, none remembered.
        if (m == null || q.page() == 1) return offsetPage(h, productId, q);
        PageBoundaries.Key key = new PageBoundaries.Key(productId, q.deviceId(), q.descending(), q.perPage());
        PageBoundaries.Start start = boundaries.floor(key, m.generation(), q.page());
        String dir = q.descending() ? " DESC" : " ASC";
        String from = q.descending() ? " AND d.id <= :from" : " AND d.id >= :from";
        String order = " ORDER BY d.product_id" + dir + ", d.id" + dir;
        String firstId = start == null ? null : start.firstId();
        long skip = (long) (q.page() - (start == null ? 1 : start.page())) * q.perPage();
        if (skip > 0) {
            // Only IDs, from one index: the start of the page, without reading the rows before it.
            Query probe = bindFilters(h.createQuery("SELECT d.id FROM devices d" + idHint() + where(q)
                    + (firstId == null ? "" : from) + order + " LIMIT 1 OFFSET :skip"), productId, q).bind("skip", skip);
            if (firstId != null) probe.bind("from", firstId);
            firstId = probe.mapTo(String.class).findOne().orElse(null);
            if (firstId == null) return recheck(h, productId, m) ? List.of() : offsetPage(h, productId, q);
        }
        Query page = bindFilters(h.createQuery(select(idHint()) + where(q) + (firstId == null ? "" : from) + order
                + " LIMIT :limit"), productId, q).bind("limit", q.perPage() + 1);
        if (firstId != null) page.bind("from", firstId);
        List<Device> rows = page.map(DeviceRepository.MAPPER).list();
        // The boundary, the probe and the page are separate statements: they describe one state of the
        // product only if no device joined or left it meanwhile. Otherwise read the page the plain way.
        if (!recheck(h, productId, m)) return offsetPage(h, productId, q);
        if (!rows.isEmpty()) boundaries.remember(key, m.generation(), q.page(), rows.get(0).id());
        if (rows.size() > q.perPage()) {
            boundaries.remember(key, m.generation(), q.page() + 1, rows.get(q.perPage()).id());
            return rows.subList(0, q.perPage());
        }
        return rows;
    }

    private static boolean recheck(Handle h, long productId, Membership m) {
        return membership(h, productId).map(now -> now.generation() == m.generation()).orElse(false);
    }

    private String idHint() {
        return h2 ? " USE INDEX (devices_product_id)" : "";
    }

    // --- sorts with devices that have no value: those with one, then those without ----------------

    private List<Device> nullsLast(Handle h, long productId, ProductDeviceQuery q, String column, String index, Object min) {
        String dir = q.descending() ? " DESC" : " ASC";
        boolean unfiltered = q.deviceId() == null && q.deviceName() == null && q.groups().isEmpty();
        String hint = h2 && unfiltered ? " USE INDEX (" + index + ")" : "";
        String order = " ORDER BY d.product_id" + dir + ", " + column + dir + ", d.id" + dir;
        long offset = (long) (q.page() - 1) * q.perPage();
        String having = " AND " + column + " >= :min";
        List<Device> rows = new ArrayList<>(bindFilters(h.createQuery(select(hint) + where(q) + having + order
                        + " LIMIT :limit OFFSET :offset"), productId, q)
                .bind("min", min).bind("limit", q.perPage()).bind("offset", offset)
                .map(DeviceRepository.MAPPER).list());
        // A name prefix matches only named devices.
        if (rows.size() == q.perPage() || (q.deviceName() != null && column.equals(nameExpr()))) return rows;
        long withValue = rows.isEmpty() ? countWith(h, productId, q, having, min) : offset + rows.size();
        rows.addAll(bindFilters(h.createQuery(select(hint) + where(q) + " AND " + column + " IS NULL" + order
                        + " LIMIT :limit OFFSET :offset"), productId, q)
                .bind("limit", q.perPage() - rows.size()).bind("offset", Math.max(0, offset - withValue))
                .map(DeviceRepository.MAPPER).list());
        return rows;
    }

    private long countWith(Handle h, long productId, ProductDeviceQuery q, String condition, Object min) {
        return bindFilters(h.createQuery("SELECT COUNT(*) FROM devices d" + where(q) + condition), productId, q)
                .bind("min", min).mapTo(Long.class).one();
    }

    // --- everything else: one statement with OFFSET -------------------------------------------------

    private List<Device> offsetPage(Handle h, long productId, ProductDeviceQuery q) {
        String dir = q.descending() ? " DESC" : " ASC";
        String column = q.sortColumn().equals("d.name") ? nameExpr() : q.sortColumn();
        boolean unfilteredById = column.equals("d.id") && q.deviceId() == null && q.deviceName() == null && q.groups().isEmpty();
        String order = unfilteredById ? " ORDER BY d.product_id" + dir + ", d.id" + dir
                : column.equals("d.id") ? " ORDER BY d.id" + dir : " ORDER BY " + column + dir + " NULLS LAST, d.id" + dir;
        return bindFilters(h.createQuery(select(unfilteredById ? idHint() : "") + where(q) + order + " LIMIT :limit OFFSET :offset"), productId, q)
                .bind("limit", q.perPage()).bind("offset", (long) (q.page() - 1) * q.perPage())
                .map(DeviceRepository.MAPPER).list();
    }

    // --- filters ----------------------------------------------------------------------------------

    private long count(Handle h, long productId, ProductDeviceQuery q, String condition) {
        return bindFilters(h.createQuery("SELECT COUNT(*) FROM devices d" + where(q) + condition), productId, q)
                .mapTo(Long.class).one();
    }

    /**
     * Names compare by code point on both databases: H2 compares strings that way, and PostgreSQL
     * does with the "C" collation, which its name index has (V71), whatever the database's collation.
     * A prefix is then exactly a key range, which a generic plan can use (a LIKE parameter cannot).
     */
    private String nameExpr() {
        return h2 ? "d.name" : "d.name COLLATE \"C\"";
    }

    private String where(ProductDeviceQuery q) {
        StringBuilder where = new StringBuilder(" WHERE d.product_id = :p");
        // IDs are lowercase hex, so [prefix, prefix + "g") is exactly "starts with prefix", and a range
        // uses the primary key on any collation (LIKE 'x%' does not on PostgreSQL's non-C collations).
        if (q.deviceId() != null) where.append(" AND d.id >= :idFrom AND d.id < :idTo");
        if (q.deviceName() != null) {
            where.append(" AND d.name LIKE :namePrefix");
            if (nameUpperBound(q.deviceName()) != null) {
                where.append(" AND ").append(nameExpr()).append(" >= :nameFrom AND ").append(nameExpr()).append(" < :nameTo");
            }
        }
        if (!q.groups().isEmpty()) {
            // Start from the groups' members, not from every device of the product.
            where.append(" AND d.id IN (SELECT m.device_id FROM device_group_members m JOIN device_groups g")
                    .append(" ON g.id = m.group_id WHERE g.product_id = :p AND g.name IN (<groups>))");
        }
        return where.toString();
    }

    private static Query bindFilters(Query query, long productId, ProductDeviceQuery q) {
        query.bind("p", productId);
        if (q.deviceId() != null) query.bind("idFrom", q.deviceId()).bind("idTo", q.deviceId() + "g");
        if (q.deviceName() != null) {
            query.bind("namePrefix", likePrefix(q.deviceName()));
            String upper = nameUpperBound(q.deviceName());
            if (upper != null) query.bind("nameFrom", q.deviceName()).bind("nameTo", upper);
        }
        if (!q.groups().isEmpty()) query.bindList("groups", q.groups());
        return query;
    }

    /** The first string after every string that starts with an ASCII prefix; null when the prefix is not plain ASCII. */
    static String nameUpperBound(String prefix) {
        if (prefix.isEmpty() || !prefix.chars().allMatch(c -> c > 0x20 && c < 0x7f)) return null;
        return prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
    }

    private static String likePrefix(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private static String select(String hint) {
        return hint.isEmpty() ? DeviceRepository.SELECT : DeviceRepository.SELECT.replace("FROM devices d", "FROM devices d" + hint);
    }
}
