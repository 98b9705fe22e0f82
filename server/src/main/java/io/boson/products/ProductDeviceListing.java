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
    private final int memberLimit;

    ProductDeviceListing(boolean h2) {
        this(h2, ProductDeviceRepository.ARRAY_CHUNK);
    }

    /** @param memberLimit the most group members a group filter reads the devices from (else it walks the product) */
    ProductDeviceListing(boolean h2, int memberLimit) {
        this.h2 = h2;
        this.memberLimit = memberLimit;
    }

    /** A product's device count and membership generation, as of the statement that read them. */
    record Membership(long devices, long generation) {
    }

    static Optional<Membership> membership(Handle h, long productId) {
        return h.createQuery("SELECT devices, generation FROM product_device_counts WHERE product_id = ?")
                .bind(0, productId).map((rs, ctx) -> new Membership(rs.getLong(1), rs.getLong(2))).findOne();
    }

    ProductDeviceRepository.Page list(Handle h, long productId, ProductDeviceQuery q) {
        Filter f = filter(h, productId, q);
        if (f.members() != null) return fromMembers(h, f);
        Membership m = membership(h, productId).orElse(null);
        boolean unfiltered = q.deviceId() == null && q.deviceName() == null && q.groups().isEmpty();
        long total = unfiltered && m != null ? m.devices() : count(h, f, "");
        List<Device> devices = switch (q.sortColumn()) {
            // An ID prefix matches few devices: one statement with OFFSET reads no more than they are.
            case "d.id" -> unfiltered ? byId(h, f, m) : offsetPage(h, f);
            case "d.name" -> nullsLast(h, f, nameExpr(), "devices_product_name", "");
            case "d.last_heard" -> nullsLast(h, f, "d.last_heard", "devices_product_heard", Long.MIN_VALUE);
            default -> offsetPage(h, f);
        };
        return new ProductDeviceRepository.Page(devices, total);
    }

    // --- a group filter read from the members -----------------------------------------------------

    /**
     * One statement reads the sort keys of the groups' devices (at most {@code memberLimit}) and orders
     * their IDs, which gives both the total and the page; then only the page's rows are read, with
     * their joins. Counting and paging separately read every member's row twice, and the page read
     * each member's owner and reports as well (3,000 lookups for a group of 1,000, to keep 25).
     * Devices without a value of the sort key come last in both directions, as in the other plans.
     */
    private ProductDeviceRepository.Page fromMembers(Handle h, Filter f) {
        ProductDeviceQuery q = f.q();
        String dir = q.descending() ? " DESC" : " ASC";
        String column = q.sortColumn().equals("d.name") ? nameExpr() : q.sortColumn();
        String order = column.equals("d.id") ? " ORDER BY d.id" + dir
                : " ORDER BY CASE WHEN " + column + " IS NULL THEN 1 ELSE 0 END, " + column + dir + ", d.id" + dir;
        List<String> ids = f.bind(h.createQuery("SELECT d.id FROM " + f.from() + f.where() + order)).mapTo(String.class).list();
        int from = (int) Math.min(ids.size(), (long) (q.page() - 1) * q.perPage());
        List<String> page = ids.subList(from, Math.min(ids.size(), from + q.perPage()));
        if (page.isEmpty()) return new ProductDeviceRepository.Page(List.of(), ids.size());
        java.util.Map<String, Device> rows = new java.util.HashMap<>();
        h.createQuery(DeviceRepository.SELECT + " WHERE d.id IN (<ids>)").bindList("ids", page)
                .map(DeviceRepository.MAPPER).forEach(d -> rows.put(d.id(), d));
        // A device that left the product between the two statements is left out of the page.
        List<Device> devices = page.stream().map(rows::get).filter(java.util.Objects::nonNull)
                .filter(d -> d.productId() != null && d.productId() == f.productId()).toList();
        return new ProductDeviceRepository.Page(devices, ids.size());
    }

    // --- device-ID order: keyset pages ------------------------------------------------------------

    private List<Device> byId(Handle h, Filter f, Membership m) {
        ProductDeviceQuery q = f.q();
        long productId = f.productId();
        // The first page is one statement, as exact as any: no boundary to check, none remembered.
        if (m == null || q.page() == 1) return offsetPage(h, f);
        PageBoundaries.Key key = new PageBoundaries.Key(productId, q.deviceId(), q.descending(), q.perPage());
        PageBoundaries.Start start = boundaries.floor(key, m.generation(), q.page());
        String dir = q.descending() ? " DESC" : " ASC";
        String from = q.descending() ? " AND d.id <= :from" : " AND d.id >= :from";
        String order = " ORDER BY d.product_id" + dir + ", d.id" + dir;
        String firstId = start == null ? null : start.firstId();
        long skip = (long) (q.page() - (start == null ? 1 : start.page())) * q.perPage();
        if (skip > 0) {
            // Only IDs, from one index: the start of the page, without reading the rows before it.
            Query probe = f.bind(h.createQuery("SELECT d.id FROM devices d" + idHint() + f.where()
                    + (firstId == null ? "" : from) + order + " LIMIT 1 OFFSET :skip")).bind("skip", skip);
            if (firstId != null) probe.bind("from", firstId);
            firstId = probe.mapTo(String.class).findOne().orElse(null);
            if (firstId == null) return recheck(h, productId, m) ? List.of() : offsetPage(h, f);
        }
        Query page = f.bind(h.createQuery(select(idHint()) + f.where() + (firstId == null ? "" : from) + order
                + " LIMIT :limit")).bind("limit", q.perPage() + 1);
        if (firstId != null) page.bind("from", firstId);
        List<Device> rows = page.map(DeviceRepository.MAPPER).list();
        // The boundary, the probe and the page are separate statements: they describe one state of the
        // product only if no device joined or left it meanwhile. Otherwise read the page the plain way.
        if (!recheck(h, productId, m)) return offsetPage(h, f);
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

    private List<Device> nullsLast(Handle h, Filter f, String column, String index, Object min) {
        ProductDeviceQuery q = f.q();
        String dir = q.descending() ? " DESC" : " ASC";
        boolean unfiltered = q.deviceId() == null && q.deviceName() == null && q.groups().isEmpty();
        String hint = h2 && unfiltered ? " USE INDEX (" + index + ")" : "";
        String order = " ORDER BY d.product_id" + dir + ", " + column + dir + ", d.id" + dir;
        long offset = (long) (q.page() - 1) * q.perPage();
        String having = " AND " + column + " >= :min";
        List<Device> rows = new ArrayList<>(f.bind(h.createQuery(select(hint) + f.where() + having + order
                        + " LIMIT :limit OFFSET :offset"))
                .bind("min", min).bind("limit", q.perPage()).bind("offset", offset)
                .map(DeviceRepository.MAPPER).list());
        // A name prefix matches only named devices.
        if (rows.size() == q.perPage() || (q.deviceName() != null && column.equals(nameExpr()))) return rows;
        long withValue = rows.isEmpty() ? countWith(h, f, having, min) : offset + rows.size();
        rows.addAll(f.bind(h.createQuery(select(hint) + f.where() + " AND " + column + " IS NULL" + order
                        + " LIMIT :limit OFFSET :offset"))
                .bind("limit", q.perPage() - rows.size()).bind("offset", Math.max(0, offset - withValue))
                .map(DeviceRepository.MAPPER).list());
        return rows;
    }

    private long countWith(Handle h, Filter f, String condition, Object min) {
        return f.bind(h.createQuery("SELECT COUNT(*) FROM " + f.from() + f.where() + condition))
                .bind("min", min).mapTo(Long.class).one();
    }

    // --- everything else: one statement with OFFSET -------------------------------------------------

    private List<Device> offsetPage(Handle h, Filter f) {
        ProductDeviceQuery q = f.q();
        String dir = q.descending() ? " DESC" : " ASC";
        String column = q.sortColumn().equals("d.name") ? nameExpr() : q.sortColumn();
        boolean unfilteredById = column.equals("d.id") && q.deviceId() == null && q.deviceName() == null && q.groups().isEmpty();
        String order = unfilteredById ? " ORDER BY d.product_id" + dir + ", d.id" + dir
                : column.equals("d.id") ? " ORDER BY d.id" + dir : " ORDER BY " + column + dir + " NULLS LAST, d.id" + dir;
        return f.bind(h.createQuery(select(unfilteredById ? idHint() : "") + f.where() + order + " LIMIT :limit OFFSET :offset"))
                .bind("limit", q.perPage()).bind("offset", (long) (q.page() - 1) * q.perPage())
                .map(DeviceRepository.MAPPER).list();
    }

    // --- filters ----------------------------------------------------------------------------------

    private long count(Handle h, Filter f, String condition) {
        return f.bind(h.createQuery("SELECT COUNT(*) FROM " + f.from() + f.where() + condition))
                .mapTo(Long.class).one();
    }

    /**
     * Names compare by code point on both databases: H2 compares strings that way, and PostgreSQL
     * does with the "C" collation, which its name index has (V71), whatever the database's collation.
     * A prefix is then exactly a key range, which a generic plan can use (a LIKE parameter cannot).
     */
    private String nameExpr() {
        return nameExpr(h2);
    }

    private static String nameExpr(boolean h2) {
        return h2 ? "d.name" : "d.name COLLATE \"C\"";
    }

    /**
     * A list request's filters. A group filter of at most {@code memberLimit} devices (10,000; H2's
     * arrays hold 65,536) reads the groups' members first and then only their devices, by primary key:
     * {@code d.id IN (members of the groups)} is planned by both databases as a walk of every device of
     * the product (100,000 rows: 85-150 ms on H2, 14 ms on PostgreSQL), whatever the group's size. H2
     * joins a table of the IDs given as an array, PostgreSQL reads {@code id = ANY(array)} from its
     * primary key (1,000 members: a few ms). Larger groups keep the walk.
     */
    private Filter filter(Handle h, long productId, ProductDeviceQuery q) {
        if (q.groups().isEmpty()) return new Filter(h2, productId, q, null);
        List<String> members = h.createQuery("""
                        SELECT DISTINCT m.device_id FROM device_group_members m JOIN device_groups g ON g.id = m.group_id
                        WHERE g.product_id = :p AND g.name IN (<groups>) LIMIT :limit""")
                .bind("p", productId).bindList("groups", q.groups()).bind("limit", memberLimit + 1)
                .mapTo(String.class).list();
        return new Filter(h2, productId, q, members.size() <= memberLimit ? members : null);
    }

    /** @param members the IDs of the groups' members when the devices are read from them, else null */
    private record Filter(boolean h2, long productId, ProductDeviceQuery q, List<String> members) {

        /** H2 reads the members as a table of IDs joined by primary key. */
        boolean joinsMembers() {
            return h2 && members != null;
        }

        String from() {
            return joinsMembers() ? "TABLE(id CHAR(24) = :members) t JOIN devices d ON d.id = t.id" : "devices d";
        }

        String where() {
            StringBuilder where = new StringBuilder(" WHERE d.product_id = :p");
            // IDs are lowercase hex, so [prefix, prefix + "g") is exactly "starts with prefix", and a range
            // uses the primary key on any collation (LIKE 'x%' does not on PostgreSQL's non-C collations).
            if (q.deviceId() != null) where.append(" AND d.id >= :idFrom AND d.id < :idTo");
            if (q.deviceName() != null) {
                where.append(" AND d.name LIKE :namePrefix");
                if (nameUpperBound(q.deviceName()) != null) {
                    String name = nameExpr(h2);
                    where.append(" AND ").append(name).append(" >= :nameFrom AND ").append(name).append(" < :nameTo");
                }
            }
            if (members != null && !h2) where.append(" AND d.id = ANY(CAST(:members AS CHAR(24)[]))");
            if (!q.groups().isEmpty() && members == null) {
                where.append(" AND d.id IN (SELECT m.device_id FROM device_group_members m JOIN device_groups g")
                        .append(" ON g.id = m.group_id WHERE g.product_id = :p AND g.name IN (<groups>))");
            }
            return where.toString();
        }

        Query bind(Query query) {
            query.bind("p", productId);
            if (q.deviceId() != null) query.bind("idFrom", q.deviceId()).bind("idTo", q.deviceId() + "g");
            if (q.deviceName() != null) {
                query.bind("namePrefix", likePrefix(q.deviceName()));
                String upper = nameUpperBound(q.deviceName());
                if (upper != null) query.bind("nameFrom", q.deviceName()).bind("nameTo", upper);
            }
            if (members != null) query.bindArray("members", String.class, members);
            else if (!q.groups().isEmpty()) query.bindList("groups", q.groups());
            return query;
        }
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
