package io.boson.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.device.BosonDevice;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What fleet health costs and how fast its charts answer (docs/benchmarks.md). Two parts, one run:
 * <ol>
 *   <li><b>fan-in, health on and off</b>: N product devices × 1 event/s (and a vitals report every
 *       30 s each) into one SSE stream of the product, on a fresh server with {@code --fleet-health
 *       false}, then {@code true}, alternating for {@code --rounds}; events/s, latency and the
 *       server's CPU per 1,000 events.</li>
 *   <li><b>the 30-day chart at 100,000 devices</b>: an embedded (H2) server whose product holds
 *       100,000 devices in 5 groups, 5 firmware and 4 Device OS versions, with 30 days of hour rows
 *       for every series (as the counters write them); chart requests through the HTTP API against
 *       a trivial authenticated request ({@code GET /v1/user}) in the same run.</li>
 * </ol>
 * Results: bench/target/health-benchmark.md.
 */
public final class HealthBenchmark {

    record Options(int devices, Duration duration, int rounds, int fleetSize, Path serverJar) {
        static Options parse(String[] args) {
            int devices = 1000;
            int seconds = 20;
            int rounds = 2;
            int fleet = 100_000;
            Path jar = Path.of("server/target/boson.jar");
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--devices" -> devices = Integer.parseInt(args[++i]);
                    case "--duration" -> seconds = Integer.parseInt(args[++i]);
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    case "--fleet" -> fleet = Integer.parseInt(args[++i]);
                    case "--server-jar" -> jar = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException(
                            "usage: health [--devices N] [--duration S] [--rounds R] [--fleet DEVICES (0: no charts)] [--server-jar P]");
                }
            }
            return new Options(devices, Duration.ofSeconds(seconds), rounds, fleet, jar);
        }
    }

    private static final String HOST = "127.0.0.1";
    private static final String PASSWORD = "bench-admin-password";

    record FanInPhase(boolean health, FanIn.Result result) {
        double cpuPerThousand() {
            return result.serverCores() / (result.deliveredPerSecond() / 1000.0);
        }
    }

    record Query(String name, Samples.Summary latency, int buckets, double firstMs) {
    }

    public static void main(String[] args) throws Exception {
        Launch.main(args, Options::parse, Options::serverJar, HealthBenchmark::run);
    }

    static void run(Options o) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<FanInPhase> phases = new ArrayList<>();
        for (int r = 0; r < o.rounds(); r++) {
            for (boolean health : new boolean[] {false, true}) phases.add(fanIn(java, o, health));
        }
        if (!phases.isEmpty()) {
            StringBuilder partial = new StringBuilder();
            fanInReport(o, phases, partial);
            System.out.println(partial);
        }
        List<Query> queries = o.fleetSize() > 0 ? charts(java, o) : List.of();
        String report = report(o, phases, queries);
        Path out = Path.of("bench/target/health-benchmark.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
    }

    // --- fan-in with health on and off ---------------------------------------------------------

    private static FanInPhase fanIn(Path java, Options o, boolean health) throws Exception {
        Path dir = Files.createTempDirectory("boson-bench-health-");
        try (BosonServer server = BosonServer.start(java, o.serverJar(), List.of("-Xmx1g"), PASSWORD, dir,
                List.of("--fleet-health", Boolean.toString(health)))) {
            BosonApi api = new BosonApi(BosonApi.newClient(), URI.create("http://" + HOST + ":" + server.httpPort()));
            api.login("admin", PASSWORD);
            List<BosonApi.Credentials> creds = api.register(o.devices());
            long product = api.expect(api.jsonRequest("POST", "/v1/user/products", BosonApi.JSON.writeValueAsBytes(
                    Map.of("product", Map.of("name", "Health bench", "platform_id", 13))), Duration.ofSeconds(30)), 200)
                    .get("product").get("id").asLong();
            api.expect(api.jsonRequest("POST", "/v1/products/" + product + "/devices", BosonApi.JSON.writeValueAsBytes(
                    Map.of("ids", creds.stream().map(BosonApi.Credentials::id).toList())), Duration.ofSeconds(60)), 200);
            List<BosonDevice> fleet = new ArrayList<>();
            for (BosonApi.Credentials c : creds) {
                fleet.add(BosonDevice.builder().deviceId(c.id()).secret(c.secret()).host(HOST).port(server.mqttPort())
                        .platformId(13).productId((int) product).productVersion(1 + fleet.size() % 5).build());
            }
            List<Throwable> failures = Paced.run(fleet.size(), 200, 120, i -> fleet.get(i).connect());
            List<BosonDevice> online = fleet.stream().filter(BosonDevice::isConnected).toList();
            System.out.printf("health benchmark: fleet health %s, %d devices connected (%d failed)%n", health ? "on" : "off",
                    online.size(), failures.size());
            ScheduledExecutorService vitals = Executors.newSingleThreadScheduledExecutor();
            Random random = new Random(7);
            for (BosonDevice d : online) {
                vitals.scheduleAtFixedRate(() -> d.publishVitals(Map.of("signal_strength", random.nextInt(100), "rtt", 80,
                        "mem_used", 40_000, "battery_charge", 90)), random.nextInt(30_000), 30_000, TimeUnit.MILLISECONDS);
            }
            FanIn fan = new FanIn(Duration.ofSeconds(5), o.duration(), Duration.ofSeconds(3));
            FanIn.Result result;
            try (SseSubscriber sse = SseSubscriber.open(BosonApi.newClient(),
                    api.base().resolve("/v1/products/" + product + "/events"), api.token(), BosonFleet.EVENT, fan::arrived)) {
                result = fan.run(online.stream().map(BosonFleet::publisher).toList(), 1.0, server.pid());
            } finally {
                vitals.shutdownNow();
                for (BosonDevice d : fleet) d.disconnect();
            }
            return new FanInPhase(health, result);
        }
    }

    // --- the 30-day chart at 100,000 devices ---------------------------------------------------

    static final String[] METRICS = {"online.devices", "connects.count", "disconnects.count", "events_published.count",
            "events_delivered.count", "rate_limited.count", "function_calls.success", "function_calls.error",
            "function_calls.timeout", "variable_reads.success", "variable_reads.error", "variable_reads.timeout",
            "ota_updates.offered", "ota_updates.applied", "ota_updates.failed", "ota_updates.rejected",
            "data_operations.count", "cellular_mb.bytes"};
    static final String[] SYSTEMS = {"5.9.0", "6.1.1", "6.2.0", "6.3.0"};
    static final int GROUPS = 5;
    static final int FIRMWARES = 5;

    private static List<Query> charts(Path java, Options o) throws Exception {
        Path dir = Files.createTempDirectory("boson-bench-charts-");
        long product;
        try (BosonServer server = BosonServer.start(java, o.serverJar(), List.of("-Xmx1g"), PASSWORD, dir)) {
            BosonApi api = new BosonApi(BosonApi.newClient(), URI.create("http://" + HOST + ":" + server.httpPort()));
            api.login("admin", PASSWORD);
            product = api.expect(api.jsonRequest("POST", "/v1/user/products", BosonApi.JSON.writeValueAsBytes(
                    Map.of("product", Map.of("name", "Chart bench", "platform_id", 13))), Duration.ofSeconds(30)), 200)
                    .get("product").get("id").asLong();
            for (int g = 0; g < GROUPS; g++) {
                api.expect(api.jsonRequest("POST", "/v1/products/" + product + "/groups", BosonApi.JSON.writeValueAsBytes(
                        Map.of("name", "group-" + g)), Duration.ofSeconds(30)), 201);
            }
        }
        long seeded = seed(dir, product, o.fleetSize());
        try (BosonServer server = BosonServer.start(java, o.serverJar(), List.of("-Xmx1g"), PASSWORD, dir)) {
            BosonApi api = new BosonApi(BosonApi.newClient(), URI.create("http://" + HOST + ":" + server.httpPort()));
            api.login("admin", PASSWORD);
            String p = "/v1/products/" + product;
            // Each chart alternates between two ranges (ending now, and 8 hours earlier), so no request
            // repeats the one before it: H2 reuses a query's last result when nothing changed in between,
            // which a live fleet (rows written every 5 s) would not allow.
            Instant now = Instant.now();
            String[] month = {"from=" + now.minus(Duration.ofDays(30)).plusSeconds(60) + "&bucket=8h",
                    "from=" + now.minus(Duration.ofDays(30)).plus(Duration.ofHours(1)) + "&to=" + now.minus(Duration.ofHours(8))
                            + "&bucket=8h"};
            List<Query> out = new ArrayList<>();
            out.add(time(api, "GET /v1/user (baseline: a trivial authenticated request)", "/v1/user", "/v1/user"));
            out.add(time(api, "function_calls, 30 days, 8h buckets", p + "/fleet_health/function_calls?" + month[0],
                    p + "/fleet_health/function_calls?" + month[1]));
            out.add(time(api, "online, 30 days, 8h buckets, group filter", p + "/fleet_health/online?" + month[0] + "&group=group-2",
                    p + "/fleet_health/online?" + month[1] + "&group=group-2"));
            String filter = "&firmware_version=3&system_version=6.3.0";
            out.add(time(api, "events_published, 30 days, 8h, firmware + Device OS filter",
                    p + "/fleet_health/events_published?" + month[0] + filter, p + "/fleet_health/events_published?" + month[1] + filter));
            out.add(time(api, "connects, 7 days, 1h buckets", p + "/fleet_health/connects?from=" + now.minus(Duration.ofDays(7))
                    + "&bucket=1h", p + "/fleet_health/connects?from=" + now.minus(Duration.ofDays(7)).minus(Duration.ofHours(1))
                    + "&bucket=1h"));
            out.add(time(api, "devices and devices online now (" + seeded + " devices)", p + "/fleet_health",
                    p + "/fleet_health?firmware_version=2"));
            return out;
        }
    }

    /** 100,000 devices in the product, and 30 days of hour rows for every series as a node writes them. */
    private static long seed(Path dir, long product, int devices) throws Exception {
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("boson");
        Random random = new Random(11);
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.setAutoCommit(false);
            List<Long> groups = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("SELECT id FROM device_groups WHERE product_id = ? ORDER BY name")) {
                q.setLong(1, product);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) groups.add(rs.getLong(1));
                }
            }
            long now = System.currentTimeMillis();
            try (PreparedStatement d = c.prepareStatement("INSERT INTO devices(id, secret_hash, platform_id, registered_at,"
                    + " product_id, product_version, system_firmware_version, online) VALUES (?, 'x', 13, ?, ?, ?, ?, ?)");
                 PreparedStatement m = c.prepareStatement("INSERT INTO device_group_members(group_id, device_id) VALUES (?, ?)")) {
                for (int i = 0; i < devices; i++) {
                    String id = String.format("%024x", 0xbe00000000L + i);
                    d.setString(1, id);
                    d.setLong(2, now);
                    d.setLong(3, product);
                    d.setInt(4, 1 + i % FIRMWARES);
                    d.setString(5, SYSTEMS[i % SYSTEMS.length]);
                    d.setBoolean(6, i % 3 != 0);
                    d.addBatch();
                    m.setLong(1, groups.get(i % GROUPS));
                    m.setString(2, id);
                    m.addBatch();
                    if (i % 5_000 == 4_999) {
                        d.executeBatch();
                        m.executeBatch();
                        c.commit();
                    }
                }
                d.executeBatch();
                m.executeBatch();
            }
            long hour = Duration.ofHours(1).toMillis();
            long last = Math.floorDiv(now, hour) * hour;
            try (PreparedStatement h = c.prepareStatement("INSERT INTO fleet_hours(product_id, metric, at, group_name,"
                    + " firmware_version, system_version, node_id, amount) VALUES (?, ?, ?, ?, ?, ?, 'bench', ?)")) {
                int n = 0;
                for (int back = 0; back < 30 * 24; back++) {
                    long at = last - back * hour;
                    for (String metric : METRICS) {
                        for (int g = -1; g < GROUPS; g++) {
                            // The rows one node's counters write: each (firmware, Device OS) pair, and
                            // the "any" rows (-1, "*") that hold their sums.
                            long[][] a = new long[FIRMWARES + 1][SYSTEMS.length + 1];
                            for (int fw = 1; fw <= FIRMWARES; fw++) {
                                for (int sys = 1; sys <= SYSTEMS.length; sys++) {
                                    long v = 1 + random.nextInt(5_000);
                                    a[fw][sys] = v;
                                    a[0][sys] += v;
                                    a[fw][0] += v;
                                    a[0][0] += v;
                                }
                            }
                            for (int fw = 0; fw <= FIRMWARES; fw++) {
                                for (int sys = 0; sys <= SYSTEMS.length; sys++) {
                                    h.setLong(1, product);
                                    h.setString(2, metric);
                                    h.setLong(3, at);
                                    h.setString(4, g < 0 ? "" : "group-" + g);
                                    h.setInt(5, fw == 0 ? -1 : fw);
                                    h.setString(6, sys == 0 ? "*" : SYSTEMS[sys - 1]);
                                    h.setLong(7, a[fw][sys]);
                                    h.addBatch();
                                    if (++n % 10_000 == 0) {
                                        h.executeBatch();
                                        c.commit(); // small transactions: one big one makes H2's file balloon
                                    }
                                }
                            }
                        }
                    }
                }
                h.executeBatch();
                System.out.printf("health benchmark: seeded %d devices and %d hour rows in %.0f s%n", devices, n,
                        (System.nanoTime() - t0) / 1e9);
            }
            c.commit();
        }
        return devices;
    }

    private static Query time(BosonApi api, String name, String path, String other) throws Exception {
        HttpRequest[] req = {api.get(path), api.get(other)};
        long first = System.nanoTime();
        JsonNode body = api.expect(req[0], 200);
        double firstMs = (System.nanoTime() - first) / 1e6;
        for (int i = 1; i < 5; i++) api.expect(req[i % 2], 200);
        Samples samples = new Samples();
        for (int i = 0; i < 40; i++) {
            long t = System.nanoTime();
            api.expect(req[i % 2], 200);
            samples.add(System.nanoTime() - t);
        }
        int buckets = body != null && body.has("series") ? body.get("series").size() : 0;
        return new Query(name, samples.summary(), buckets, firstMs);
    }

    // --- report ---------------------------------------------------------------------------------

    private static String report(Options o, List<FanInPhase> phases, List<Query> queries) {
        StringBuilder md = new StringBuilder();
        if (!phases.isEmpty()) fanInReport(o, phases, md);
        if (queries.isEmpty()) return md.toString();
        md.append(String.format(Locale.ROOT, "%n## Fleet-health charts at %,d devices (H2, embedded; 30 days of hour rows)%n%n",
                o.fleetSize()));
        md.append("| request | buckets | first (cold) ms | p50 ms | p95 ms | max ms (40 after 5) |\n|---|---|---|---|---|---|\n");
        for (Query q : queries) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %.1f |%n", q.name(), q.buckets() == 0 ? "" : q.buckets(),
                    q.firstMs(), q.latency().percentileMs(50), q.latency().percentileMs(95), q.latency().maxMs()));
        }
        return md.toString();
    }

    private static void fanInReport(Options o, List<FanInPhase> phases, StringBuilder md) {
        md.append(String.format(Locale.ROOT, "## Fan-in with fleet health on and off: %d product devices × 1 event/s "
                + "(and vitals every 30 s), %d s per phase, %d rounds%n%n", o.devices(), o.duration().toSeconds(), o.rounds()));
        md.append("| fleet health | events delivered/s (offered) | lost | p50 / p99 ms | server CPU (cores) | server CPU per 1,000 events/s |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (FanInPhase p : phases) {
            FanIn.Result r = p.result();
            md.append(String.format(Locale.ROOT, "| %s | %.0f (%.0f) | %d | %.2f / %.2f | %.3f | %.3f |%n", p.health() ? "on" : "off",
                    r.deliveredPerSecond(), r.offeredPerSecond(), r.lost(), r.latency().percentileMs(50),
                    r.latency().percentileMs(99), r.serverCores(), p.cpuPerThousand()));
        }
        double on = phases.stream().filter(FanInPhase::health).mapToDouble(FanInPhase::cpuPerThousand).average().orElse(0);
        double off = phases.stream().filter(p -> !p.health()).mapToDouble(FanInPhase::cpuPerThousand).average().orElse(0);
        double tOn = phases.stream().filter(FanInPhase::health).mapToDouble(p -> p.result().deliveredPerSecond()).average().orElse(0);
        double tOff = phases.stream().filter(p -> !p.health()).mapToDouble(p -> p.result().deliveredPerSecond()).average().orElse(0);
        md.append(String.format(Locale.ROOT, "%nOn vs off (means over the rounds): throughput ratio %.3f, server CPU per event %+.1f %%.%n",
                tOn / tOff, (on / off - 1) * 100));
    }

}
