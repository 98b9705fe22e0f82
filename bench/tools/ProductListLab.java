import java.net.*;
import java.sql.*;
import java.util.*;
import javax.sql.DataSource;

/**
 * The product device list's SQL before and after a change, in one JVM on one database: the two server
 * jars are loaded in two class loaders and their ProductDeviceRepository.list is called alternately
 * for the products benchmark's six queries (docs/benchmarks.md, products, "Point 6"). For a machine
 * too loaded for bench/run products; the repository's time only (no HTTP).
 *
 *   java -Dbefore=old/boson.jar -Dafter=server/target/boson.jar bench/tools/ProductListLab.java \
 *        "jdbc:h2:file:/tmp/lab/boson;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0" sa
 *   (or a jdbc:postgresql://…?currentSchema=<fresh schema> URL and user postgres)
 *
 * The database must be new (it writes 100,010 devices); the "after" jar's migrations make its schema.
 */
public class ProductListLab {
    static Object repo(ClassLoader cl, DataSource ds, boolean h2) throws Exception {
        Class<?> jdbiC = cl.loadClass("org.jdbi.v3.core.Jdbi");
        Object jdbi = jdbiC.getMethod("create", DataSource.class).invoke(null, ds);
        return cl.loadClass("io.boson.products.ProductDeviceRepository").getConstructor(jdbiC, boolean.class).newInstance(jdbi, h2);
    }
    record Lister(Object repo, ClassLoader cl) {
        Object list(long p, String[] a) throws Exception {
            Class<?> qc = cl.loadClass("io.boson.products.ProductDeviceQuery");
            Object q = qc.getMethod("of", String.class, String.class, String.class, String.class, String.class, String.class, String.class)
                    .invoke(null, (Object[]) a);
            return repo.getClass().getMethod("list", long.class, qc).invoke(repo, p, q);
        }
    }
    static String sig(Object page) throws Exception {
        List<?> devs = (List<?>) page.getClass().getMethod("devices").invoke(page);
        StringBuilder s = new StringBuilder("total=" + page.getClass().getMethod("total").invoke(page) + " ids=");
        for (Object d : devs) s.append(((String) d.getClass().getMethod("id").invoke(d)).substring(0, 6)).append(',');
        return s.toString();
    }
    public static void main(String[] args) throws Exception {
        String url = args[0]; String user = args[1]; boolean h2 = url.startsWith("jdbc:h2");
        URLClassLoader after = new URLClassLoader(new URL[]{Path(System.getProperty("after", "server/target/boson.jar"))}, ClassLoader.getPlatformClassLoader());
        URLClassLoader before = new URLClassLoader(new URL[]{Path(System.getProperty("before"))}, ClassLoader.getPlatformClassLoader());
        Class<?> hc = after.loadClass("com.zaxxer.hikari.HikariDataSource");
        DataSource ds = (DataSource) hc.getConstructor().newInstance();
        Thread.currentThread().setContextClassLoader(after);
        hc.getMethod("setDriverClassName", String.class).invoke(ds, h2 ? "org.h2.Driver" : "org.postgresql.Driver");
        hc.getMethod("setJdbcUrl", String.class).invoke(ds, url);
        hc.getMethod("setUsername", String.class).invoke(ds, user);
        hc.getMethod("setMaximumPoolSize", int.class).invoke(ds, 2);
        Object fw = after.loadClass("org.flywaydb.core.Flyway").getMethod("configure", ClassLoader.class).invoke(null, after);
        fw = fw.getClass().getMethod("dataSource", DataSource.class).invoke(fw, ds);
        fw = fw.getClass().getMethod("locations", String[].class).invoke(fw, (Object) new String[]{"classpath:db/migration"});
        Object flyway = fw.getClass().getMethod("load").invoke(fw);
        flyway.getClass().getMethod("migrate").invoke(flyway);
        long p, other;
        String touched, anId;
        int n = 100_000;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            p = product(c); other = product(c);
            Random r = new Random(7);
            List<String> ids = new ArrayList<>();
            long t = System.nanoTime();
            try (PreparedStatement s = c.prepareStatement("INSERT INTO devices(id, secret_hash, platform_id, registered_at, product_id, name, last_heard) VALUES (?, 'h', 13, 0, ?, ?, ?)")) {
                for (int i = 0; i < n + 10; i++) {
                    String id = String.format("%08x%016x", r.nextInt() & 0x7fffffff, r.nextLong());
                    ids.add(id);
                    s.setString(1, id); s.setLong(2, i < n ? p : other);
                    if (i % 100 == 1 && i / 100 < 1000) s.setString(3, String.format("dev-%05d", i / 100)); else s.setNull(3, Types.VARCHAR);
                    if (i % 100 == 2) s.setLong(4, 1_700_000_000_000L + i); else s.setNull(4, Types.BIGINT);
                    s.addBatch();
                    if (i % 5000 == 4999) s.executeBatch();
                }
                s.executeBatch();
            }
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE product_device_counts SET devices = " + n + " WHERE product_id = " + p);
                s.executeUpdate("UPDATE product_device_counts SET devices = 10 WHERE product_id = " + other);
                s.executeUpdate("INSERT INTO device_groups(product_id, name, created_at) VALUES (" + p + ", 'g1', 0)");
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO device_group_members(group_id, device_id) SELECT id, ? FROM device_groups WHERE product_id = " + p)) {
                for (int i = 0; i < n; i += 100) { s.setString(1, ids.get(i)); s.addBatch(); }
                s.executeBatch();
            }
            c.commit();
            System.out.printf("setup %.1f s%n", (System.nanoTime() - t) / 1e9);
            if (!h2) try (Statement s = c.createStatement()) { c.setAutoCommit(true); s.execute("VACUUM ANALYZE devices"); s.execute("VACUUM ANALYZE device_group_members"); }
            touched = ids.get(n + 1); anId = ids.get(12345).substring(0, 6);
        }
        Lister old = new Lister(repo(before, ds, h2), before), neu = new Lister(repo(after, ds, h2), after);
        String[][] queries = {
                {null, null, null, null, null, null, null},
                {null, null, null, null, null, "2000", "50"},
                {null, null, "g1", null, null, null, null},
                {null, "dev-001", null, null, null, null, null},
                {anId, null, null, null, null, null, null},
                {null, null, null, "lastConnection", "desc", null, null}};
        String[] names = {"first page", "page 2000 of 50", "groups=g1", "deviceName=dev-001", "deviceId=<6 hex>", "lastConnection desc"};
        System.out.println("| query | before p50 / p99 ms | after p50 / p99 ms | same page |");
        for (int qi = 0; qi < queries.length; qi++) {
            long[][] lat = new long[2][30];
            String s0 = null, s1 = null;
            for (int rep = -10; rep < 30; rep++) {
                for (int v = 0; v < 2; v++) {
                    touch(ds, touched, rep * 2 + v);
                    long t0 = System.nanoTime();
                    Object page = (v == 0 ? old : neu).list(p, queries[qi]);
                    long dt = System.nanoTime() - t0;
                    if (rep >= 0) lat[v][rep] = dt;
                    if (rep == 29) { if (v == 0) s0 = sig(page); else s1 = sig(page); }
                }
            }
            System.out.printf("| %s | %s | %s | %s |%n", names[qi], pct(lat[0]), pct(lat[1]), s0.equals(s1) ? "yes" : "NO: " + s0 + " vs " + s1);
        }
        hc.getMethod("close").invoke(ds);
    }
    static URL Path(String s) throws Exception { return java.nio.file.Path.of(s).toUri().toURL(); }
    static String pct(long[] a) { long[] b = a.clone(); Arrays.sort(b); return String.format("%.1f / %.1f", b[b.length / 2] / 1e6, b[(int) Math.ceil(b.length * 0.99) - 1] / 1e6); }
    static void touch(DataSource ds, String id, int i) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE devices SET notes = ? WHERE id = ?")) {
            s.setString(1, "touch " + i); s.setString(2, id); s.executeUpdate();
        }
    }
    static long product(Connection c) throws Exception {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO products(slug, name, platform_id, created_at) VALUES (?, 'p', 13, 0)", new String[]{"id"})) {
            s.setString(1, "p" + System.nanoTime()); s.executeUpdate();
            try (ResultSet rs = s.getGeneratedKeys()) { rs.next(); long id = rs.getLong(1);
                try (Statement st = c.createStatement()) { st.executeUpdate("INSERT INTO product_device_counts(product_id, devices, generation) VALUES (" + id + ", 0, 0)"); }
                return id; }
        }
    }
}
