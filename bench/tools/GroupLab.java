import java.sql.*;
import java.util.*;

/**
 * The product device list's group filter on H2, standalone: 100,000 devices in a product (Boson's own
 * schema, made by its migrations), every 100th in group g1, and the count and first page of the group
 * read two ways, 40 times each after 10 unmeasured, with a write to the devices table before each
 * read so that H2 cannot reuse a result (docs/benchmarks.md, "Batches in key order on H2, and the
 * group filter from its members"):
 *   walk     d.id IN (SELECT members …), as H2 plans it: a walk of the product's devices
 *   members  the members' IDs first, then the devices joined from TABLE(id CHAR(24) = ?) by primary key
 * The database is made in DIR on the first run and reused after.
 *
 *   java -cp server/target/boson.jar bench/tools/GroupLab.java /tmp/grouplab
 */
public class GroupLab {
    static final String IN = " WHERE d.product_id = 1001 AND d.id IN (SELECT m.device_id FROM device_group_members m"
            + " JOIN device_groups g ON g.id = m.group_id WHERE g.product_id = 1001 AND g.name = 'g1')";
    static final String TABLE = " FROM TABLE(id CHAR(24) = ?) t JOIN devices d ON d.id = t.id WHERE d.product_id = 1001";
    static final String COLS = "SELECT d.*, u.email, r.describe_json";
    static final String JOINS = " LEFT JOIN users u ON u.id = d.owner_id LEFT JOIN device_reports r ON r.device_id = d.id";

    public static void main(String[] a) throws Exception {
        String url = "jdbc:h2:file:" + java.nio.file.Path.of(a[0]).toAbsolutePath() + "/boson;DB_CLOSE_ON_EXIT=FALSE";
        boolean fresh = !java.nio.file.Files.exists(java.nio.file.Path.of(a[0], "boson.mv.db"));
        if (fresh) org.flywaydb.core.Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration").load().migrate();
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            if (fresh) fill(c);
            Map<String, String> queries = new LinkedHashMap<>();
            queries.put("walk count", "SELECT COUNT(*) FROM devices d" + IN);
            queries.put("walk page", COLS + " FROM devices d" + JOINS + IN + " ORDER BY d.id LIMIT 25");
            queries.put("members count", "SELECT COUNT(*)" + TABLE);
            queries.put("members page", COLS + TABLE.replace(" WHERE", JOINS + " WHERE") + " ORDER BY d.id LIMIT 25");
            for (var q : queries.entrySet()) {
                long[] t = new long[40];
                for (int r = 0; r < 50; r++) {
                    try (Statement s = c.createStatement()) {
                        s.execute("UPDATE devices SET notes = '" + r + "' WHERE id = '" + String.format("%024x", 105_000 * 7919L) + "'");
                    }
                    long t0 = System.nanoTime();
                    if (q.getKey().startsWith("members")) {
                        List<String> ids = new ArrayList<>();
                        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT DISTINCT m.device_id FROM device_group_members m"
                                + " JOIN device_groups g ON g.id = m.group_id WHERE g.product_id = 1001 AND g.name = 'g1'")) {
                            while (rs.next()) ids.add(rs.getString(1));
                        }
                        try (PreparedStatement p = c.prepareStatement(q.getValue())) {
                            p.setArray(1, c.createArrayOf("CHAR", ids.toArray()));
                            drain(p);
                        }
                    } else {
                        try (PreparedStatement p = c.prepareStatement(q.getValue())) {
                            drain(p);
                        }
                    }
                    if (r >= 10) t[r - 10] = System.nanoTime() - t0;
                }
                Arrays.sort(t);
                System.out.printf("%-14s p50 %6.2f ms  max %6.2f ms%n", q.getKey(), t[20] / 1e6, t[39] / 1e6);
            }
        }
    }

    static void drain(PreparedStatement p) throws SQLException {
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) rs.getString(1);
        }
    }

    static void fill(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO products(id, slug, name, platform_id, created_at) VALUES (1001, 'p', 'p', 13, 1)");
            s.execute("INSERT INTO products(id, slug, name, platform_id, created_at) VALUES (1002, 'q', 'q', 13, 1)");
        }
        c.setAutoCommit(false);
        try (PreparedStatement p = c.prepareStatement("INSERT INTO devices(id, secret_hash, platform_id, registered_at, product_id) VALUES (?, 'h', 13, 1, ?)")) {
            for (int i = 0; i < 110_000; i++) {
                p.setString(1, String.format("%024x", i * 7919L));
                p.setLong(2, i < 100_000 ? 1001 : 1002);
                p.addBatch();
                if (i % 1000 == 999) p.executeBatch();
            }
            p.executeBatch();
        }
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO device_groups(id, product_id, name, created_at) VALUES (1, 1001, 'g1', 1)");
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO device_group_members(group_id, device_id) VALUES (1, ?)")) {
            for (int i = 0; i < 100_000; i += 100) {
                p.setString(1, String.format("%024x", i * 7919L));
                p.addBatch();
            }
            p.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE");
        }
    }
}
