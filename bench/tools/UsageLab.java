import java.sql.*;
import java.util.*;
import java.lang.management.*;

/**
 * The usage flush's write on H2, standalone: 1,000 device-day counters (Boson's own schema, made by its
 * migrations) added to 60 times, as each 5 s flush does, with the MERGE the server runs (rows in arrival
 * order), the same MERGE with rows in key order, or UPDATE by primary key then INSERT of the missing
 * rows; CPU and wall time per row of the last 30 flushes (docs/benchmarks.md, "SSE streams without a
 * thread of their own"). The directory is emptied first.
 *
 *   java -cp server/target/boson.jar bench/tools/UsageLab.java merge|merge-sorted|update /tmp/usagelab 1000
 */
public class UsageLab {
    static final String MERGE = """
        MERGE INTO usage_device_day t
        USING (VALUES (CAST(? AS CHAR(24)), CAST(? AS INT), CAST(? AS VARCHAR(24)), CAST(? AS BIGINT),
                       CAST(? AS BIGINT), CAST(? AS BIGINT)))
              s(device_id, day_no, owner, product_id, data_ops, cell_bytes)
        ON t.device_id = s.device_id AND t.day_no = s.day_no
        WHEN MATCHED THEN UPDATE SET data_ops = t.data_ops + s.data_ops, cell_bytes = t.cell_bytes + s.cell_bytes,
            owner = s.owner, product_id = s.product_id
        WHEN NOT MATCHED THEN INSERT (device_id, day_no, owner, product_id, data_ops, cell_bytes)
            VALUES (s.device_id, s.day_no, s.owner, s.product_id, s.data_ops, s.cell_bytes)""";
    public static void main(String[] a) throws Exception {
        String mode = a[0];
        java.nio.file.Path dir = java.nio.file.Path.of(a[1], mode);
        if (java.nio.file.Files.exists(dir)) try (var f = java.nio.file.Files.walk(dir)) { f.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); }
        String url = "jdbc:h2:async:" + dir.toAbsolutePath() + "/boson;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        org.flywaydb.core.Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration").load().migrate();
        int n = Integer.parseInt(a[2]);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(String.format("%024x", i * 7919L));
        ThreadMXBean tm = ManagementFactory.getThreadMXBean();
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.setAutoCommit(false);
            Random r = new Random(1);
            for (int round = 0; round < 60; round++) {
                List<String> order = new ArrayList<>(ids);
                Collections.shuffle(order, r);
                if (!mode.equals("merge")) Collections.sort(order);
                long cpu0 = tm.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                if (mode.startsWith("merge")) {
                    try (PreparedStatement p = c.prepareStatement(MERGE)) {
                        for (String id : order) { p.setString(1, id); p.setInt(2, 20000); p.setString(3, "owner1"); p.setLong(4, 1001); p.setLong(5, 3); p.setLong(6, 0); p.addBatch(); }
                        p.executeBatch();
                    }
                } else {
                    List<String> missing = new ArrayList<>();
                    try (PreparedStatement p = c.prepareStatement("UPDATE usage_device_day SET data_ops = data_ops + ?, cell_bytes = cell_bytes + ?, owner = ?, product_id = ? WHERE device_id = ? AND day_no = ?")) {
                        for (String id : order) { p.setLong(1, 3); p.setLong(2, 0); p.setString(3, "owner1"); p.setLong(4, 1001); p.setString(5, id); p.setInt(6, 20000); p.addBatch(); }
                        int[] res = p.executeBatch();
                        for (int i = 0; i < res.length; i++) if (res[i] == 0) missing.add(order.get(i));
                    }
                    if (!missing.isEmpty()) try (PreparedStatement p = c.prepareStatement("INSERT INTO usage_device_day(device_id, day_no, owner, product_id, data_ops, cell_bytes) VALUES (?,?,?,?,?,?)")) {
                        for (String id : missing) { p.setString(1, id); p.setInt(2, 20000); p.setString(3, "owner1"); p.setLong(4, 1001); p.setLong(5, 3); p.setLong(6, 0); p.addBatch(); }
                        p.executeBatch();
                    }
                }
                c.commit();
                long cpu = tm.getCurrentThreadCpuTime() - cpu0, wall = System.nanoTime() - t0;
                if (round >= 30) System.out.printf("%s round %d: %.1f us cpu/row, %.1f us wall/row%n", mode, round, cpu / 1000.0 / n, wall / 1000.0 / n);
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(data_ops) FROM usage_device_day")) { rs.next(); System.out.println(rs.getLong(1) + " rows, sum " + rs.getLong(2)); }
        }
    }
}
