package io.boson.bench;

import io.boson.devices.DeviceRepository;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * One {@code GET /v1/products/:p/devices} query, and the same listing as plain JDBC: the SQL that
 * {@code ProductDeviceRepository.list} and {@code groupsOf} send for it (the count, the page, and the
 * groups of the page's devices), written out here so that it runs without the server. The column
 * list is the server's own ({@link DeviceRepository#SELECT}); the WHERE and ORDER BY are copied,
 * and the benchmark checks that the JDBC page holds the same device IDs and total as the HTTP
 * answer, so a change to the server's SQL shows up as a mismatch rather than a silently wrong
 * baseline.
 *
 * @param sortAttr null for the default (deviceId); {@code perPage} 0 for the default (25), not sent
 */
record ProductListQuery(String key, String label, String deviceId, String deviceName, List<String> groups,
                        String sortAttr, boolean desc, int page, int perPage) {

    static final int DEFAULT_PER_PAGE = 25;
    private static final Map<String, String> SORTS = Map.of(
            "deviceId", "d.id", "deviceName", "d.name", "lastConnection", "d.last_heard",
            "firmwareVersion", "d.product_version");

    /** The HTTP query string, only with the parameters this query sets (so defaults are the server's). */
    String queryString() {
        StringJoiner q = new StringJoiner("&");
        if (page > 1) q.add("page=" + page);
        if (perPage > 0) q.add("per_page=" + perPage);
        if (deviceId != null) q.add("deviceId=" + enc(deviceId));
        if (deviceName != null) q.add("deviceName=" + enc(deviceName));
        if (!groups.isEmpty()) q.add("groups=" + enc(String.join(",", groups)));
        if (sortAttr != null) q.add("sortAttr=" + sortAttr);
        if (desc) q.add("sortDir=desc");
        return q.length() == 0 ? "" : "?" + q;
    }

    int effectivePerPage() {
        return perPage > 0 ? perPage : DEFAULT_PER_PAGE;
    }

    // --- the SQL, as ProductDeviceRepository.list builds it -------------------------------------

    private String where() {
        StringBuilder w = new StringBuilder(" WHERE d.product_id = ?");
        if (deviceId != null) w.append(" AND d.id LIKE ?");
        if (deviceName != null) w.append(" AND d.name LIKE ?");
        if (!groups.isEmpty()) {
            w.append(" AND EXISTS (SELECT 1 FROM device_group_members m JOIN device_groups g ON g.id = m.group_id")
                    .append(" WHERE m.device_id = d.id AND g.product_id = ? AND g.name IN (")
                    .append(String.join(", ", groups.stream().map(g -> "?").toList())).append("))");
        }
        return w.toString();
    }

    private String order() {
        String column = SORTS.get(sortAttr == null ? "deviceId" : sortAttr);
        String dir = desc ? " DESC" : " ASC";
        return " ORDER BY " + column + dir + ", d.id" + dir;
    }

    String countSql() {
        return "SELECT COUNT(*) FROM devices d" + where();
    }

    String pageSql() {
        return DeviceRepository.SELECT + where() + order() + " LIMIT ? OFFSET ?";
    }

    static String groupsSql(int ids) {
        return "SELECT m.device_id, g.name FROM device_group_members m JOIN device_groups g ON g.id = m.group_id"
                + " WHERE m.device_id IN (" + String.join(", ", java.util.Collections.nCopies(ids, "?")) + ") ORDER BY g.name";
    }

    private List<Object> filterParams(long productId) {
        List<Object> p = new ArrayList<>();
        p.add(productId);
        if (deviceId != null) p.add(likePrefix(deviceId));
        if (deviceName != null) p.add(likePrefix(deviceName));
        if (!groups.isEmpty()) {
            p.add(productId);
            p.addAll(groups);
        }
        return p;
    }

    private List<Object> pageParams(long productId) {
        List<Object> p = filterParams(productId);
        p.add(effectivePerPage());
        p.add((long) (page - 1) * effectivePerPage());
        return p;
    }

    private static String likePrefix(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    /** One listing over JDBC: what the server's repository runs for one request. */
    record Run(long total, List<String> ids, long countNanos, long pageNanos, long groupsNanos) {
        long totalNanos() {
            return countNanos + pageNanos + groupsNanos;
        }
    }

    /** Runs the count, the page (reading every column, as the server's row mapper does) and the page's groups. */
    Run runJdbc(Connection c, long productId) throws SQLException {
        long t0 = System.nanoTime();
        long total;
        try (PreparedStatement s = prepare(c, countSql(), filterParams(productId)); ResultSet rs = s.executeQuery()) {
            rs.next();
            total = rs.getLong(1);
        }
        long t1 = System.nanoTime();
        List<String> ids = new ArrayList<>(effectivePerPage());
        try (PreparedStatement s = prepare(c, pageSql(), pageParams(productId)); ResultSet rs = s.executeQuery()) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                ids.add(rs.getString(1));
                for (int i = 2; i <= columns; i++) rs.getObject(i);
            }
        }
        long t2 = System.nanoTime();
        if (!ids.isEmpty()) {
            try (PreparedStatement s = prepare(c, groupsSql(ids.size()), new ArrayList<>(ids)); ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rs.getString(1);
                    rs.getString(2);
                }
            }
        }
        long t3 = System.nanoTime();
        return new Run(total, ids, t1 - t0, t2 - t1, t3 - t2);
    }

    /**
     * EXPLAIN ANALYZE of the count and of the page, with this query's parameters bound. On PostgreSQL also
     * the generic plan: pgjdbc turns a statement into a server-side prepared statement from its 5th
     * execution on a connection, and PostgreSQL may then plan it once for any parameter values (a generic
     * plan, which cannot look at the LIKE pattern); {@link #planCache} tells which one the runs got.
     */
    String explain(Connection c, long productId, boolean postgres) throws SQLException {
        if (!postgres) {
            return "-- count\n" + plan(c, "EXPLAIN ANALYZE " + countSql(), filterParams(productId))
                    + "\n-- page\n" + plan(c, "EXPLAIN ANALYZE " + pageSql(), pageParams(productId));
        }
        String prefix = "EXPLAIN (ANALYZE, BUFFERS) ";
        return "-- count (custom plan, for these parameter values)\n" + plan(c, prefix + countSql(), filterParams(productId))
                + "\n-- count (generic plan)\n" + genericPlan(c, "bench_count", countSql(), filterParams(productId))
                + "\n-- page (custom plan, for these parameter values)\n" + plan(c, prefix + pageSql(), pageParams(productId))
                + "\n-- page (generic plan)\n" + genericPlan(c, "bench_page", pageSql(), pageParams(productId));
    }

    /** PostgreSQL: how often the server-side prepared count and page statements of this connection were run
     *  with a generic and with a custom plan ({@code pg_prepared_statements}). */
    String planCache(Connection c) throws SQLException {
        return "count " + planCounts(c, countSql()) + "; page " + planCounts(c, pageSql());
    }

    private static String planCounts(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = ?")) {
            s.setString(1, dollars(sql));
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) return "not prepared on the server";
                return rs.getLong(1) + " generic / " + rs.getLong(2) + " custom";
            }
        }
    }

    private static String genericPlan(Connection c, String name, String sql, List<Object> params) throws SQLException {
        StringJoiner args = new StringJoiner(", ");
        for (Object v : params) args.add(v instanceof String t ? "'" + t.replace("'", "''") + "'" : v.toString());
        StringBuilder out = new StringBuilder();
        try (Statement s = c.createStatement()) {
            s.execute("PREPARE " + name + " AS " + dollars(sql));
            try {
                s.execute("SET plan_cache_mode = force_generic_plan");
                try (ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS) EXECUTE " + name + "(" + args + ")")) {
                    while (rs.next()) out.append(rs.getString(1)).append('\n');
                }
            } finally {
                s.execute("RESET plan_cache_mode");
                s.execute("DEALLOCATE " + name);
            }
        }
        return out.toString().stripTrailing();
    }

    /** {@code ?} placeholders as PostgreSQL's {@code $1, $2, …}, as pgjdbc sends them. */
    private static String dollars(String sql) {
        StringBuilder out = new StringBuilder();
        int n = 0;
        for (char ch : sql.toCharArray()) {
            if (ch == '?') out.append('$').append(++n);
            else out.append(ch);
        }
        return out.toString();
    }

    private static String plan(Connection c, String sql, List<Object> params) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (PreparedStatement s = prepare(c, sql, params); ResultSet rs = s.executeQuery()) {
            while (rs.next()) out.append(rs.getString(1)).append('\n');
        }
        return out.toString().stripTrailing();
    }

    private static PreparedStatement prepare(Connection c, String sql, List<Object> params) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        try {
            for (int i = 0; i < params.size(); i++) {
                Object v = params.get(i);
                if (v instanceof Long l) s.setLong(i + 1, l);
                else if (v instanceof Integer n) s.setInt(i + 1, n);
                else s.setString(i + 1, (String) v);
            }
            return s;
        } catch (SQLException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
