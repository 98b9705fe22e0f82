package io.boson.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The products benchmark (docs/benchmarks.md, "Products: import and the product device list"):
 * on embedded H2 and on PostgreSQL, in one run,
 * <ol>
 *   <li><b>import</b>: {@code POST /v1/products/:p/devices {"ids": […]}} with 10,000 and with
 *       100,000 registered device IDs in one request each, then the same 100,000 again (all
 *       reported as existing); seconds and IDs/s;</li>
 *   <li><b>the product device list</b> at 100,000 devices in the product
 *       ({@code GET /v1/products/:p/devices}): first page, a deep page, group filter, name prefix,
 *       device ID prefix, sorted by last connection; p50/p99 latency of one client;</li>
 * </ol>
 * and, as the baseline, the same listing SQL run directly over JDBC against the same database
 * (count + page + the page's groups, as the server's repository sends it), so the cost of HTTP,
 * authentication, JSON and the server's data layer is the difference between the two.
 *
 * <p>Boson runs as its own JVM from the shipped jar, as in {@link FirstBenchmark}: embedded H2 in a
 * fresh data directory, or PostgreSQL in a fresh schema created before and dropped after.
 */
public final class ProductsBenchmark {

    private static final String HOST = "127.0.0.1";
    private static final Duration IMPORT_TIMEOUT = Duration.ofMinutes(10);
    private static final int WARMUP_DEVICES = 2_000;
    private static final int RENAME_THREADS = 4;
    private static final int ONLINE_CONNECT_RATE = 250;

    /** A timed setup step or import. {@code serverCpuSeconds} is the Boson process's CPU over the step. */
    record Timed(String what, int ids, double seconds, double serverCpuSeconds, String outcome) {
        double perSecond() {
            return ids / seconds;
        }
    }

    /** {@code planCache}: PostgreSQL only, how many runs of the count and the page got a generic plan. */
    record Jdbc(long total, Samples.Summary count, Samples.Summary page, Samples.Summary groups, Samples.Summary sum,
                String check, String planCache) {
    }

    /** One list query: what HTTP returned, its latency, and the JDBC baseline (null until run). */
    record QueryRun(ProductListQuery query, long total, int rows, int bytes, String firstLastHeard, List<String> ids,
                    Samples.Summary http, Jdbc jdbc, String plan) {
        QueryRun with(Jdbc j, String p) {
            return new QueryRun(query, total, rows, bytes, firstLastHeard, ids, http, j, p);
        }
    }

    record DbRun(String db, String storage, List<Timed> setup, List<Timed> imports, List<QueryRun> queries, int warnings,
                 List<String> notes) {
    }

    /** Where the machine's CPU went over a phase, in cores: the Boson server, this JVM, and every other process
     *  (PostgreSQL's, when it is the storage, and anything else running on the machine). */
    static final class CpuWatch {
        private final long serverPid;
        private final long self = ProcessHandle.current().pid();
        private final long wall0 = System.nanoTime();
        private final long machine0 = ProcessStats.machineBusyNanos();
        private final long server0;
        private final long self0 = ProcessStats.cpuNanos(self);

        CpuWatch(long serverPid) {
            this.serverPid = serverPid;
            this.server0 = serverPid > 0 ? ProcessStats.cpuNanos(serverPid) : 0;
        }

        String stop(String phase) {
            double wall = System.nanoTime() - wall0;
            double server = serverPid > 0 ? (ProcessStats.cpuNanos(serverPid) - server0) / wall : 0;
            double driver = (ProcessStats.cpuNanos(self) - self0) / wall;
            double machine = (ProcessStats.machineBusyNanos() - machine0) / wall;
            return String.format(Locale.ROOT, "CPU during %s (%.0f s), in cores: Boson server %.2f, "
                    + "benchmark JVM %.2f, all other processes %.2f.", phase, wall / 1e9, server, driver,
                    Math.max(0, machine - server - driver));
        }
    }

    private final ProductsOptions options;
    private final Path java;

    private ProductsBenchmark(ProductsOptions options) {
        this.options = options;
        this.java = ProcessHandle.current().info().command().map(Path::of).orElse(Path.of("java"));
    }

    public static void main(String[] args) throws Exception {
        Launch.main(args, ProductsOptions::parse, ProductsOptions::serverJar, options -> new ProductsBenchmark(options).run());
    }

    private void run() throws Exception {
        long start = System.nanoTime();
        ProductsReport report = new ProductsReport(options, ProductsReport.environment(java));
        System.out.println(report.header());
        for (String db : options.databases()) {
            System.out.printf("== %s ==%n", db.equals("h2") ? "embedded H2" : "PostgreSQL");
            DbRun run;
            try {
                run = db.equals("h2") ? runH2() : runPostgres();
            } catch (SQLException e) {
                if (!db.equals("postgres")) throw e;
                System.out.println("   PostgreSQL skipped: " + e.getMessage());
                continue;
            }
            report.add(run);
            System.out.println();
            System.out.println(report.section(run));
        }
        report.wallSeconds((System.nanoTime() - start) / 1e9);
        Path out = options.out();
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        Files.writeString(out, report.markdown());
        System.out.println(report.summary());
        System.out.println("Results (with the query plans) written to " + out.toAbsolutePath());
    }

    private DbRun runH2() throws Exception {
        Path dir = Files.createTempDirectory("boson-bench-products-");
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("boson") + ";DB_CLOSE_ON_EXIT=FALSE";
        boolean ok = false;
        try {
            DbRun run = runDb("H2", "embedded H2 " + org.h2.engine.Constants.VERSION + " (--data-dir " + dir + ")", dir, List.of(),
                    () -> DriverManager.getConnection(url, "sa", ""), false);
            ok = true;
            return run;
        } finally {
            if (ok && !options.keep()) deleteRecursively(dir);
            else System.out.println("   (server data and log kept in " + dir + "; JDBC URL " + url + ")");
        }
    }

    private DbRun runPostgres() throws Exception {
        String schema = "boson_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Properties props = new Properties();
        props.setProperty("user", options.pgUser());
        if (options.pgPassword() != null) props.setProperty("password", options.pgPassword());
        try (Connection c = DriverManager.getConnection(options.pgUrl(), props); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        String url = options.pgUrl() + (options.pgUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        Path dir = Files.createTempDirectory("boson-bench-products-pg-");
        List<String> serve = new ArrayList<>(List.of("--db-url", url, "--db-user", options.pgUser()));
        if (options.pgPassword() != null) serve.addAll(List.of("--db-password", options.pgPassword()));
        boolean ok = false;
        try {
            String version;
            try (Connection c = DriverManager.getConnection(url, props)) {
                version = c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion();
            }
            DbRun run = runDb("PostgreSQL", version + ", schema " + schema + " of " + options.pgUrl(), dir, serve,
                    () -> DriverManager.getConnection(url, props), true);
            ok = true;
            return run;
        } finally {
            if (options.keep()) {
                System.out.println("   (schema " + schema + " kept: DROP SCHEMA " + schema + " CASCADE when done)");
            } else {
                try (Connection c = DriverManager.getConnection(options.pgUrl(), props); Statement s = c.createStatement()) {
                    s.execute("DROP SCHEMA " + schema + " CASCADE");
                } catch (SQLException e) {
                    System.out.println("   could not drop schema " + schema + ": " + e.getMessage());
                }
            }
            if (ok) deleteRecursively(dir);
            else System.out.println("   (server log kept in " + dir + ")");
        }
    }

    interface Connector {
        Connection open() throws SQLException;
    }

    private DbRun runDb(String db, String storage, Path dir, List<String> serve, Connector jdbc, boolean postgres)
            throws Exception {
        List<Timed> setup = new ArrayList<>();
        List<Timed> imports = new ArrayList<>();
        List<QueryRun> queries = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long productId;
        String touched;
        int warnings;
        step("starting Boson (java -jar %s serve) on %s", options.serverJar(), storage);
        try (BosonServer server = BosonServer.start(java, options.serverJar(), options.serverJvmOptions(),
                FirstBenchmark.ADMIN_PASSWORD, dir, serve)) {
            BosonApi api = new BosonApi(BosonApi.newClient(), URI.create("http://" + HOST + ":" + server.httpPort()));
            api.login("admin", FirstBenchmark.ADMIN_PASSWORD);

            // Registration (setup, timed for information). The warm-up devices go first, so the
            // measured requests do not pay for class loading.
            List<BosonApi.Credentials> warm = api.register(WARMUP_DEVICES);
            List<BosonApi.Credentials> smallSet = new ArrayList<>();
            List<BosonApi.Credentials> largeSet = new ArrayList<>();
            int registered = options.small() + options.large();
            Timed reg = timed(server, "register " + registered + " devices (POST /v1/admin/devices, "
                    + (requests(options.small()) + requests(options.large())) + " requests of at most 10,000)", registered, () -> {
                smallSet.addAll(api.register(options.small()));
                largeSet.addAll(api.register(options.large()));
                return null;
            });
            setup.add(reg);
            step("%s: %.1f s (%.0f IDs/s)", reg.what(), reg.seconds(), reg.perSecond());

            long warmProduct = createProduct(api, "Bench warm-up");
            long small = createProduct(api, "Bench small");
            long large = createProduct(api, "Bench large");
            productId = large;
            touched = smallSet.get(0).id();

            // Warm-up of the import path on a third product: two imports and a re-import of 1,000 each.
            List<String> warmIds = warm.stream().map(BosonApi.Credentials::id).toList();
            importIds(server, api, warmProduct, warmIds.subList(0, WARMUP_DEVICES / 2), "warm-up");
            importIds(server, api, warmProduct, warmIds.subList(WARMUP_DEVICES / 2, WARMUP_DEVICES), "warm-up");
            importIds(server, api, warmProduct, warmIds, "warm-up");

            CpuWatch importCpu = new CpuWatch(server.pid());
            List<String> smallIds = smallSet.stream().map(BosonApi.Credentials::id).toList();
            List<String> largeIds = largeSet.stream().map(BosonApi.Credentials::id).toList();
            imports.add(expectImport(importIds(server, api, small, smallIds, "import " + smallIds.size() + " IDs, one request"),
                    smallIds.size(), 0));
            imports.add(expectImport(importIds(server, api, large, largeIds, "import " + largeIds.size() + " IDs, one request"),
                    largeIds.size(), 0));
            imports.add(expectImport(importIds(server, api, large, largeIds,
                    "re-import the same " + largeIds.size() + " IDs (all existing)"), 0, largeIds.size()));
            notes.add(importCpu.stop("the three imports"));

            // The data the list queries need.
            setup.add(group(server, api, large, spread(largeIds, options.grouped(), 0)));
            setup.add(rename(server, api, large, spread(largeIds, options.named(), 1)));
            if (options.online() > 0) setup.add(connectOnce(server, spread(largeSet, options.online(), 2)));
            if (postgres) {
                // Steady state: what autovacuum does within a minute of a bulk change (the import
                // rewrote every row of the product), done now so that the plans do not change mid-run.
                Timed vacuum = timed(server, "VACUUM (ANALYZE) devices, device_groups, device_group_members, users",
                        0, () -> {
                            try (Connection c = jdbc.open(); Statement s = c.createStatement()) {
                                s.execute("VACUUM (ANALYZE) devices, device_groups, device_group_members, users");
                            }
                            return null;
                        });
                setup.add(vacuum);
                step("%s: %.1f s", vacuum.what(), vacuum.seconds());
            }

            // Before each repetition, an unmeasured write to the devices table (the notes of a device of
            // the other product, which no measured query returns): see measureHttp.
            HttpRequest[] touch = new HttpRequest[2];
            for (int i = 0; i < 2; i++) {
                touch[i] = api.jsonRequest("PUT", "/v1/products/" + small + "/devices/" + touched,
                        BosonApi.JSON.writeValueAsBytes(Map.of("notes", "touch " + i)), IMPORT_TIMEOUT);
            }
            CpuWatch httpCpu = new CpuWatch(server.pid());
            for (ProductListQuery q : listQueries(largeIds)) queries.add(measureHttp(api, large, q, touch));
            notes.add(httpCpu.stop("the HTTP list queries"));
            warnings = warnings(server.log());
        }
        step("Boson stopped; the same listings over JDBC in this JVM (%s)", postgres ? "PostgreSQL JDBC driver"
                : "embedded H2 on the server's database file");
        try (Connection c = jdbc.open()) {
            CpuWatch jdbcCpu = new CpuWatch(-1);
            for (int i = 0; i < queries.size(); i++) {
                QueryRun q = queries.get(i);
                Jdbc j = measureJdbc(c, productId, q, touched);
                if (postgres) j = new Jdbc(j.total(), j.count(), j.page(), j.groups(), j.sum(), j.check(), q.query().planCache(c));
                String plan = q.query().explain(c, productId, postgres);
                queries.set(i, q.with(j, plan));
                step("%-44s JDBC p50 %7.2f ms  p99 %7.2f ms  (count %.2f, page %.2f, groups %.2f)  %s",
                        q.query().label(), j.sum().percentileMs(50), j.sum().percentileMs(99), j.count().percentileMs(50),
                        j.page().percentileMs(50), j.groups().percentileMs(50), j.check());
            }
            notes.add(jdbcCpu.stop("the JDBC baseline (Boson stopped; EXPLAIN runs included)"));
        }
        return new DbRun(db, storage, setup, imports, queries, warnings, notes);
    }

    // --- setup ---------------------------------------------------------------------------------

    private static long createProduct(BosonApi api, String name) throws IOException, InterruptedException {
        byte[] body = BosonApi.JSON.writeValueAsBytes(Map.of("product",
                Map.of("name", name, "description", "products benchmark", "platform_id", 13)));
        JsonNode res = api.expect(api.jsonRequest("POST", "/v1/user/products", body, IMPORT_TIMEOUT), 200);
        return res.get("product").get("id").asLong();
    }

    private Timed importIds(BosonServer server, BosonApi api, long product, List<String> ids, String what) throws Exception {
        byte[] body = BosonApi.JSON.writeValueAsBytes(Map.of("ids", ids));
        HttpRequest req = api.jsonRequest("POST", "/v1/products/" + product + "/devices", body, IMPORT_TIMEOUT);
        ProcessStats.CpuMeter cpu = new ProcessStats.CpuMeter(server.pid());
        long t0 = System.nanoTime();
        HttpResponse<byte[]> res = api.exchange(req);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpuSeconds = cpu.coresSinceStart()[0] * seconds;
        if (res.statusCode() != 200) {
            throw new IOException(what + ": HTTP " + res.statusCode() + " " + new String(res.body(), StandardCharsets.UTF_8));
        }
        JsonNode r = BosonApi.JSON.readTree(res.body());
        String outcome = String.format("updated %d, existing %d, invalid %d, protected %d, nonmember %d (answer %.1f MiB)",
                r.get("updated").asInt(), r.get("existingDeviceIds").size(), r.get("invalidDeviceIds").size(),
                r.get("protectedDeviceIds").size(), r.get("nonmemberDeviceIds").size(), res.body().length / 1048576.0);
        Timed t = new Timed(what, ids.size(), seconds, cpuSeconds, outcome);
        if (!what.equals("warm-up")) {
            step("%s: %.2f s, %.0f IDs/s, server CPU %.2f s; %s", what, seconds, t.perSecond(), cpuSeconds, outcome);
        }
        return t;
    }

    private static Timed expectImport(Timed t, int updated, int existing) {
        if (!t.outcome().startsWith("updated " + updated + ", existing " + existing + ",")) {
            throw new IllegalStateException(t.what() + ": expected updated " + updated + " and existing " + existing
                    + ", got " + t.outcome());
        }
        return t;
    }

    private Timed group(BosonServer server, BosonApi api, long product, List<String> ids) throws Exception {
        byte[] body = BosonApi.JSON.writeValueAsBytes(Map.of("action", "groups", "devices", ids,
                "metadata", Map.of("add", List.of("g1"))));
        Timed t = timed(server, "add " + ids.size() + " devices to group g1 (one batch request)", ids.size(), () -> {
            api.expect(api.jsonRequest("PUT", "/v1/products/" + product + "/devices", body, IMPORT_TIMEOUT), 200);
            return null;
        });
        step("%s: %.2f s", t.what(), t.seconds());
        return t;
    }

    private Timed rename(BosonServer server, BosonApi api, long product, List<String> ids) throws Exception {
        Timed t = timed(server, "name " + ids.size() + " devices dev-00000… (PUT …/devices/:id, " + RENAME_THREADS
                + " concurrent)", ids.size(), () -> {
            try (ExecutorService pool = Executors.newFixedThreadPool(RENAME_THREADS)) {
                List<Future<?>> all = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                    byte[] body = BosonApi.JSON.writeValueAsBytes(Map.of("name", String.format("dev-%05d", i)));
                    HttpRequest req = api.jsonRequest("PUT", "/v1/products/" + product + "/devices/" + ids.get(i), body,
                            IMPORT_TIMEOUT);
                    all.add(pool.submit(() -> api.expect(req, 200)));
                }
                for (Future<?> f : all) f.get();
            }
            return null;
        });
        step("%s: %.2f s (%.0f/s)", t.what(), t.seconds(), t.perSecond());
        return t;
    }

    /** Devices connect once over MQTT and disconnect: they then have a last_heard, as a real fleet would. */
    private Timed connectOnce(BosonServer server, List<BosonApi.Credentials> devices) throws Exception {
        int[] connected = new int[1];
        Timed t = timed(server, "connect " + devices.size() + " devices once over MQTT (" + ONLINE_CONNECT_RATE
                + "/s) and disconnect them", devices.size(), () -> {
            try (BosonFleet fleet = BosonFleet.connect(devices, HOST, server.mqttPort(), ONLINE_CONNECT_RATE)) {
                connected[0] = fleet.connected().size();
            }
            return null;
        });
        Thread.sleep(1000);
        step("%s: %.1f s, %d connected", t.what(), t.seconds(), connected[0]);
        if (connected[0] < devices.size()) {
            throw new IllegalStateException("only " + connected[0] + " of " + devices.size() + " devices connected; see " + server.log());
        }
        return new Timed(t.what(), t.ids(), t.seconds(), t.serverCpuSeconds(), connected[0] + " connected");
    }

    /** {@code n} elements spread evenly over the list, starting at a different offset per use. */
    private static <T> List<T> spread(List<T> all, int n, int use) {
        int stride = all.size() / n;
        int offset = (stride * use) / 3;
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(all.get(i * stride + offset));
        return out;
    }

    // --- the list queries ------------------------------------------------------------------------

    private List<ProductListQuery> listQueries(List<String> largeIds) {
        int deepPage = Math.max(1, largeIds.size() / 50);
        // Six of the 24 hex digits: one match in practice, so the cost does not depend on where a random
        // prefix happens to fall in ID order (a plan that walks the product's devices in ID order until it
        // has a page stops early for a prefix that sorts early).
        String idPrefix = largeIds.get(largeIds.size() / 2).substring(0, 6);
        String namePrefix = options.named() >= 200 ? "dev-001" : "dev-0000";
        return List.of(
                new ProductListQuery("first", "first page (defaults: by ID, 25)", null, null, List.of(), null, false, 1, 0),
                new ProductListQuery("deep", "page " + deepPage + ", per_page 50", null, null, List.of(), null, false,
                        deepPage, 50),
                new ProductListQuery("group", "groups=g1", null, null, List.of("g1"), null, false, 1, 0),
                new ProductListQuery("name", "deviceName=" + namePrefix + " (prefix)", null, namePrefix, List.of(), null,
                        false, 1, 0),
                new ProductListQuery("id", "deviceId=" + idPrefix + " (prefix)", idPrefix, null, List.of(), null, false, 1, 0),
                new ProductListQuery("lastConnection", "sortAttr=lastConnection, sortDir=desc", null, null, List.of(),
                        "lastConnection", true, 1, 0));
    }

    /**
     * The list request, {@code --warmup} + {@code --reps} times, one at a time. Unless {@code --no-touch}, each
     * repetition is preceded by an unmeasured write to the devices table ({@code touch}): H2 hands a repeated
     * identical query on an unchanged table its previous result (OPTIMIZE_REUSE_RESULTS, on by default and not
     * settable from outside the server), which a live fleet, whose presence flush updates the devices table every
     * few seconds, does not get. The write keeps both databases and the JDBC baseline on the same footing.
     */
    private QueryRun measureHttp(BosonApi api, long product, ProductListQuery q, HttpRequest[] touch) throws Exception {
        HttpRequest req = api.get("/v1/products/" + product + "/devices" + q.queryString());
        HttpResponse<byte[]> first = null;
        Samples samples = new Samples();
        for (int i = 0; i < options.warmup() + options.reps(); i++) {
            if (options.touch()) api.expect(touch[i % 2], 200);
            long t0 = System.nanoTime();
            HttpResponse<byte[]> res = api.exchange(req);
            long t1 = System.nanoTime();
            if (res.statusCode() != 200) {
                throw new IOException("GET " + req.uri() + " -> " + res.statusCode() + ": "
                        + new String(res.body(), StandardCharsets.UTF_8));
            }
            if (first == null) first = res;
            if (i >= options.warmup()) samples.add(t1 - t0);
        }
        JsonNode body = BosonApi.JSON.readTree(first.body());
        List<String> ids = new ArrayList<>();
        for (JsonNode d : body.get("devices")) ids.add(d.get("id").asText());
        String lastHeard = ids.isEmpty() ? "-" : body.get("devices").get(0).get("last_heard").asText("null");
        QueryRun run = new QueryRun(q, body.get("meta").get("total").asLong(), ids.size(), first.body().length, lastHeard,
                ids, samples.summary(), null, null);
        step("%-44s HTTP p50 %7.2f ms  p99 %7.2f ms  total %d, %d rows, %.1f KiB", q.label(), run.http().percentileMs(50),
                run.http().percentileMs(99), run.total(), run.rows(), run.bytes() / 1024.0);
        return run;
    }

    private Jdbc measureJdbc(Connection c, long product, QueryRun http, String touched) throws SQLException {
        Samples count = new Samples(), page = new Samples(), groups = new Samples(), sum = new Samples();
        ProductListQuery.Run first = null;
        for (int i = 0; i < options.warmup() + options.reps(); i++) {
            if (options.touch()) {
                try (PreparedStatement s = c.prepareStatement("UPDATE devices SET notes = ? WHERE id = ?")) {
                    s.setString(1, "touch " + (i % 2));
                    s.setString(2, touched);
                    s.executeUpdate();
                }
            }
            ProductListQuery.Run r = http.query().runJdbc(c, product);
            if (first == null) first = r;
            if (i >= options.warmup()) {
                count.add(r.countNanos());
                page.add(r.pageNanos());
                groups.add(r.groupsNanos());
                sum.add(r.totalNanos());
            }
        }
        String check = first.total() == http.total() && first.ids().equals(http.ids()) ? "same page as HTTP"
                : "DIFFERS from HTTP (total " + first.total() + " vs " + http.total() + ", first IDs "
                + first.ids().stream().limit(2).toList() + " vs " + http.ids().stream().limit(2).toList() + ")";
        return new Jdbc(first.total(), count.summary(), page.summary(), groups.summary(), sum.summary(), check, null);
    }

    // --- helpers -----------------------------------------------------------------------------------

    interface Work {
        Object run() throws Exception;
    }

    private static Timed timed(BosonServer server, String what, int ids, Work work) throws Exception {
        ProcessStats.CpuMeter cpu = new ProcessStats.CpuMeter(server.pid());
        long t0 = System.nanoTime();
        work.run();
        double s = (System.nanoTime() - t0) / 1e9;
        return new Timed(what, ids, s, cpu.coresSinceStart()[0] * s, "");
    }

    private static int requests(int devices) {
        return (devices + 9_999) / 10_000;
    }

    static void step(String format, Object... args) {
        System.out.printf("   " + format + "%n", args);
    }

    private static int warnings(Path log) {
        try (Stream<String> lines = Files.lines(log)) {
            return (int) lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
