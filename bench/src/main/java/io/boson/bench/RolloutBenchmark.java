package io.boson.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.Boson;
import io.boson.Config;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * One rollout scheduler tick for a product of 100,000 devices (docs/benchmarks.md, "Rollouts"), in
 * one process: an embedded (H2) node whose product holds N devices (a third with an update job in
 * some state), a three-wave rollout (1 %, 9 %, 90 %) running, and ticks timed while ~0.5 % of the
 * devices move on between ticks (as a live rollout does). Baseline in the same run: the bare JDBC
 * read of the rows a tick needs (the product's devices with their jobs, and the rollout's wave
 * assignments), iterated and nothing else. Results: bench/target/rollout-benchmark.md.
 *
 * <pre>bench/run rollouts [--devices 100000] [--ticks 40]</pre>
 */
public final class RolloutBenchmark {

    private static final String PASSWORD = "bench-admin-password";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int devices = 100_000;
        int ticks = 40;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--devices" -> devices = Integer.parseInt(args[++i]);
                case "--ticks" -> ticks = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: rollouts [--devices N] [--ticks T]");
            }
        }
        Path dir = Files.createTempDirectory("boson-bench-rollouts-");
        Config config = Config.defaults().toBuilder().dataDir(dir).bindHost("127.0.0.1").httpPort(0).mqttPort(0)
                .admin("admin", PASSWORD).build();
        try (Boson boson = Boson.start(config)) {
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + boson.httpPort());
            String token = login(http, base);
            long product = post(http, base, token, "/v1/user/products", Map.of("product", Map.of("name", "Rollout bench",
                    "platform_id", 13))).get("product").get("id").asLong();
            // The same embedded database the node has open (H2 shares it within one process).
            String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("boson") + ";DB_CLOSE_ON_EXIT=FALSE";
            try (Connection c = DriverManager.getConnection(url, "sa", "")) {
                long t0 = System.nanoTime();
                seed(c, product, devices);
                System.out.printf("rollout benchmark: seeded %d devices in %.1f s%n", devices, (System.nanoTime() - t0) / 1e9);

                long c0 = System.nanoTime();
                JsonNode created = post(http, base, token, "/v1/products/" + product + "/rollouts", Map.of("version", 2,
                        "waves", List.of(Map.of("percent", 1, "success_threshold", 100, "error_threshold", 100),
                                Map.of("percent", 9), Map.of("percent", 90))));
                double createMs = (System.nanoTime() - c0) / 1e6;
                long rollout = created.at("/rollout/id").asLong();

                Random random = new Random(5);
                double[] tick = new double[ticks];
                double[] full = new double[Math.max(1, ticks / 5)];
                double[] raw = new double[ticks];
                boson.rollouts().scheduler().tick(); // the node's cache of the rollout is warm, as on a driving node
                for (int i = 0; i < ticks; i++) {
                    churn(c, product, devices, random);
                    long a = System.nanoTime();
                    int driven = boson.rollouts().scheduler().tick();
                    tick[i] = (System.nanoTime() - a) / 1e6;
                    if (driven != 1) throw new IllegalStateException("the tick drove " + driven + " rollouts");
                    if (i % 5 == 4) {
                        try (PreparedStatement m = c.prepareStatement("UPDATE rollouts SET rescan = TRUE WHERE id = ?")) {
                            m.setLong(1, rollout);
                            m.executeUpdate();
                        }
                        long f = System.nanoTime();
                        boson.rollouts().scheduler().tick();
                        full[i / 5] = (System.nanoTime() - f) / 1e6;
                    }
                    churn(c, product, devices, random);
                    long b = System.nanoTime();
                    rawRead(c, product, rollout);
                    raw[i] = (System.nanoTime() - b) / 1e6;
                }
                JsonNode state = get(http, base, token, "/v1/products/" + product + "/rollouts/" + rollout).get("rollout");
                String report = String.format(Locale.ROOT, """
                        # Rollout benchmark

                        One scheduler tick of a running three-wave rollout over a product of %,d devices (embedded H2,
                        one process, %d ticks, ~0.5%% of the devices changing between ticks; the node's own 1 s timer
                        ticks too, so the maximum may include waiting for it).

                        | | median | p90 | max |
                        |---|---|---|---|
                        | tick (jobs moved since the last tick, count per wave from memory, decide) | %.1f ms | %.1f ms | %.1f ms |
                        | full re-read tick (every 30 s, after a takeover or a device change: all rows) | %.1f ms | %.1f ms | %.1f ms |
                        | baseline: bare JDBC read of all the rows a full re-read needs | %.1f ms | %.1f ms | %.1f ms |
                        | ratio tick / baseline (median) | %.3f | | |

                        Create + first tick (assigns all %,d devices to their waves, HTTP round trip included): %.0f ms.
                        Rollout state after the run: %s, wave %s, wave 1 devices %s.
                        """, devices, ticks, pct(tick, 50), pct(tick, 90), pct(tick, 100), pct(full, 50), pct(full, 90), pct(full, 100),
                        pct(raw, 50), pct(raw, 90), pct(raw, 100),
                        pct(tick, 50) / pct(raw, 50), devices, createMs, state.get("state").asText(), state.get("current_wave").asText(),
                        state.at("/waves/0/devices").toString());
                System.out.println(report);
                Files.createDirectories(Path.of("bench/target"));
                Files.writeString(Path.of("bench/target/rollout-benchmark.md"), report);
            }
        }
    }

    static double pct(double[] samples, int p) {
        double[] s = samples.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }

    private static void seed(Connection c, long product, int devices) throws Exception {
        c.setAutoCommit(false);
        long now = System.currentTimeMillis();
        try (PreparedStatement f = c.prepareStatement("""
                INSERT INTO product_firmware(product_id, version, title, size_bytes, sha256, uploaded_at, updated_at)
                VALUES (?, 2, 'v2', 4, ?, ?, ?)""")) {
            f.setLong(1, product);
            f.setString(2, "0".repeat(64));
            f.setLong(3, now);
            f.setLong(4, now);
            f.executeUpdate();
        }
        try (PreparedStatement d = c.prepareStatement("INSERT INTO devices(id, secret_hash, platform_id, registered_at,"
                + " product_id, product_version, online) VALUES (?, 'x', 13, ?, ?, 1, ?)");
             PreparedStatement j = c.prepareStatement("INSERT INTO device_firmware(device_id, job, job_product_id, job_version,"
                     + " job_size, state, updated_at) VALUES (?, ?, ?, 1, 4, ?, ?)")) {
            String[] states = {"success", "failed", "offered"};
            for (int i = 0; i < devices; i++) {
                String id = id(i);
                d.setString(1, id);
                d.setLong(2, now);
                d.setLong(3, product);
                d.setBoolean(4, i % 4 != 0);
                d.addBatch();
                if (i % 3 == 0) {
                    j.setString(1, id);
                    j.setString(2, "j" + i);
                    j.setLong(3, product);
                    j.setString(4, states[i % states.length]);
                    j.setLong(5, now);
                    j.addBatch();
                }
                if (i % 5_000 == 4_999) {
                    d.executeBatch();
                    j.executeBatch();
                    c.commit();
                }
            }
            d.executeBatch();
            j.executeBatch();
            c.commit();
        }
        c.setAutoCommit(true);
    }

    private static String id(int i) {
        return String.format("%024x", 0xab00000000L + i);
    }

    /** About 0.5 % of the devices move on: their update job of v2 succeeds (most) or fails, as the OTA path writes it. */
    private static void churn(Connection c, long product, int devices, Random random) throws Exception {
        long now = System.currentTimeMillis();
        try (PreparedStatement j = c.prepareStatement("UPDATE device_firmware SET job_version = 2, state = ?, updated_at = ?"
                + " WHERE device_id = ?");
             PreparedStatement d = c.prepareStatement("UPDATE devices SET product_version = 2 WHERE id = ?")) {
            for (int k = 0; k < devices / 200; k++) {
                String id = id(3 * random.nextInt(devices / 3)); // devices with a job row
                boolean ok = random.nextInt(10) != 0;
                j.setString(1, ok ? "success" : "failed");
                j.setLong(2, now);
                j.setString(3, id);
                j.addBatch();
                if (ok) {
                    d.setString(1, id);
                    d.addBatch();
                }
            }
            j.executeBatch();
            d.executeBatch();
        }
    }

    private static long rawRead(Connection c, long product, long rollout) throws Exception {
        long n = 0;
        try (PreparedStatement q = c.prepareStatement("""
                SELECT d.id, d.development, d.product_version, d.online, f.locked_version, f.job_version, f.state,
                       f.updated_at, f.next_attempt_at
                FROM devices d LEFT JOIN device_firmware f ON f.device_id = d.id WHERE d.product_id = ?""")) {
            q.setLong(1, product);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    n += rs.getString(1).length() + rs.getInt(3);
                    rs.getBoolean(2);
                    rs.getBoolean(4);
                    rs.getObject(5);
                    rs.getObject(6);
                    rs.getString(7);
                    rs.getObject(8);
                    rs.getObject(9);
                }
            }
        }
        try (PreparedStatement q = c.prepareStatement("SELECT device_id, wave FROM rollout_devices WHERE rollout_id = ?")) {
            q.setLong(1, rollout);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) n += rs.getString(1).length() + rs.getInt(2);
            }
        }
        return n;
    }

    private static String login(HttpClient http, URI base) throws Exception {
        String form = "grant_type=password&username=admin&password=" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8)
                + "&client_id=particle&client_secret=particle&expires_in=0";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/oauth/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("login: " + r.body());
        return JSON.readTree(r.body()).get("access_token").asText();
    }

    private static JsonNode post(HttpClient http, URI base, String token, String path, Object body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode get(HttpClient http, URI base, String token, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

}
