import java.sql.*;
import java.util.*;

/**
 * The product import's update on H2, standalone: 100,000 device rows of 110,000 (Boson's own schema,
 * made by its migrations) moved into a product in one transaction, with the IDs in the random order
 * devices arrive in, sorted, or as MERGE statements of 10,000 (docs/benchmarks.md, "Batches in key
 * order on H2"). The directory is emptied first.
 *
 *   java -cp server/target/boson.jar bench/tools/ImportLab.java random|sorted|merge /tmp/importlab
 */
public class ImportLab {
    public static void main(String[] a) throws Exception {
        String mode = a[0];
        java.nio.file.Path dir = java.nio.file.Path.of(a[1], mode);
        if (java.nio.file.Files.exists(dir)) {
            try (var files = java.nio.file.Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        String url = "jdbc:h2:async:" + dir.toAbsolutePath() + "/boson;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        org.flywaydb.core.Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration").load().migrate();
        int n = 100_000;
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO products(id, slug, name, platform_id, created_at) VALUES (1001, 'p', 'p', 13, 1)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO devices(id, secret_hash, platform_id, registered_at) VALUES (?, 'h', 13, 1)")) {
                for (int i = 0; i < n + 10_000; i++) {
                    String id = String.format("%024x", i * 7919L);
                    if (i < n) ids.add(id);
                    p.setString(1, id);
                    p.addBatch();
                    if (i % 1000 == 999) p.executeBatch();
                }
                p.executeBatch();
            }
            c.commit();
            Collections.shuffle(ids, new Random(1));
            if (mode.equals("sorted")) Collections.sort(ids);
            long t0 = System.nanoTime();
            int updated = 0;
            if (mode.equals("merge")) {
                for (int i = 0; i < n; i += 10_000) {
                    try (PreparedStatement p = c.prepareStatement("MERGE INTO devices d USING TABLE(id CHAR(24) = ?) s ON d.id = s.id"
                            + " WHEN MATCHED AND d.product_id IS NULL THEN UPDATE SET product_id = ?, imported_at = ?, removed_from_product = NULL")) {
                        p.setArray(1, c.createArrayOf("CHAR", ids.subList(i, i + 10_000).toArray()));
                        p.setLong(2, 1001);
                        p.setLong(3, 5);
                        updated += p.executeUpdate();
                    }
                }
            } else {
                try (PreparedStatement p = c.prepareStatement("UPDATE devices SET product_id = ?, imported_at = ?, removed_from_product = NULL"
                        + " WHERE id = ? AND product_id IS NULL")) {
                    for (String id : ids) {
                        p.setLong(1, 1001);
                        p.setLong(2, 5);
                        p.setString(3, id);
                        p.addBatch();
                    }
                    for (int r : p.executeBatch()) updated += r;
                }
            }
            long t1 = System.nanoTime();
            c.commit();
            long t2 = System.nanoTime();
            System.out.printf("%s: updated %d in %.2f s, commit %.2f s%n", mode, updated, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        }
    }
}
