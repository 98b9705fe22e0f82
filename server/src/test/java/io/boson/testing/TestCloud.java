package io.boson.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.Boson;
import io.boson.Config;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real Boson server for a test class: free ports, H2 files in a temporary directory, or a fresh
 * PostgreSQL schema when the suite runs with {@code -Dboson.test.db=postgres} (dropped afterwards).
 * Time is a {@link MutableClock} the test advances.
 */
public final class TestCloud implements AutoCloseable {

    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "admin-password-1";
    static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    public final MutableClock clock;
    private final Path dataDir;
    private final String schema;
    /** Whether this node created the schema (and so drops it); a node that joined a cluster did not. */
    private final boolean ownsSchema;
    private final Config config;
    private Boson boson;
    private Api admin;

    private TestCloud(Duration requestTimeout, java.util.function.UnaryOperator<Config.Builder> custom) {
        this.clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
        dataDir = tempDir();
        Config c = custom.apply(base(dataDir, clock, requestTimeout).toBuilder()).build();
        if ("postgres".equals(System.getProperty("boson.test.db"))) {
            schema = newSchema();
            c = c.withDb(PG_URL + "?currentSchema=" + schema, "postgres", null);
        } else {
            schema = null;
        }
        ownsSchema = true;
        config = c;
        boson = startOrDrop(config, schema, true);
        admin = login(ADMIN, ADMIN_PASSWORD);
    }

    /** A node of a cluster: PostgreSQL (a fresh schema for the first node) and NATS under a fresh prefix. */
    private TestCloud(TestCloud first, String nodeId, java.util.function.UnaryOperator<Config.Builder> custom) {
        this.clock = first == null ? new MutableClock(Instant.parse("2026-11-25T12:00:00Z")) : first.clock;
        dataDir = tempDir();
        if (first == null) {
            schema = newSchema();
            config = custom.apply(base(dataDir, clock, Duration.ofSeconds(2)).toBuilder()
                    .db(PG_URL + "?currentSchema=" + schema, "postgres", null)
                    .nats(NATS_URL, "boson-test." + UUID.randomUUID().toString().replace("-", ""))
                    .nodeId(nodeId)).build();
        } else {
            schema = first.schema;
            config = first.config.toBuilder().dataDir(dataDir).httpPort(0).mqttPort(0).nodeId(nodeId).build();
        }
        ownsSchema = first == null;
        boson = startOrDrop(config, schema, ownsSchema);
        admin = login(ADMIN, ADMIN_PASSWORD);
    }

    static final String NATS_URL = System.getProperty("boson.test.nats", "nats://127.0.0.1:4222");

    /**
     * The first node of a two-or-more-node cloud (PostgreSQL + NATS); the test is skipped when either
     * is not reachable. Add nodes with {@link #join}; close the joined nodes before this one.
     */
    public static TestCloud startCluster(String nodeId) {
        return startCluster(nodeId, b -> b);
    }

    /** As {@link #startCluster(String)}, with configuration of the test's own (joined nodes share it). */
    public static TestCloud startCluster(String nodeId, java.util.function.UnaryOperator<Config.Builder> custom) {
        java.net.URI nats = java.net.URI.create(NATS_URL);
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(nats.getHost(), nats.getPort()), 500);
        } catch (IOException e) {
            Assumptions.abort("NATS is not reachable at " + NATS_URL + ": " + e.getMessage());
        }
        return new TestCloud(null, nodeId, custom);
    }

    /** Another node of this cloud: same database, same NATS subjects, same clock, its own ports. */
    public TestCloud join(String nodeId) {
        return new TestCloud(this, nodeId, b -> b);
    }

    /**
     * The test configuration: free ports, fast flushes, and no API limits, because one server serves
     * a whole test class from one address while its clock stands still (ApiLimitsTest runs with
     * Particle's limits).
     */
    private static Config base(Path dataDir, MutableClock clock, Duration requestTimeout) {
        return Config.defaults().toBuilder().apiLimits(io.boson.http.ApiLimits.unlimited()).build()
                .withDataDir(dataDir).withBindHost("127.0.0.1").withPorts(0, 0)
                .withAdmin(ADMIN, ADMIN_PASSWORD).withClock(clock)
                .withTimeouts(requestTimeout, Duration.ofSeconds(2)).withPresenceFlush(Duration.ofMillis(200));
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("boson-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh PostgreSQL schema for servers a test starts as processes (skips the test when PostgreSQL is not reachable). */
    public static String createTestSchema() {
        return newSchema();
    }

    public static void dropTestSchema(String schema) {
        dropSchema(schema);
    }

    /** The JDBC URL of a schema made by {@link #createTestSchema()}. */
    public static String testSchemaUrl(String schema) {
        return PG_URL + "?currentSchema=" + schema;
    }

    /** Skips the test when NATS is not reachable; returns its URL. */
    public static String requireNats() {
        java.net.URI nats = java.net.URI.create(NATS_URL);
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(nats.getHost(), nats.getPort()), 500);
        } catch (IOException e) {
            Assumptions.abort("NATS is not reachable at " + NATS_URL + ": " + e.getMessage());
        }
        return NATS_URL;
    }

    private static String newSchema() {
        String schema = "boson_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        createSchema(schema);
        return schema;
    }

    private static Boson startOrDrop(Config config, String schema, boolean ownsSchema) {
        try {
            return Boson.start(config);
        } catch (RuntimeException e) {
            // A server that never started still leaves nothing behind.
            if (schema != null && ownsSchema) dropSchema(schema);
            throw e;
        }
    }

    public static TestCloud start() {
        return new TestCloud(Duration.ofSeconds(2), b -> b);
    }

    public static TestCloud start(Duration requestTimeout) {
        return new TestCloud(requestTimeout, b -> b);
    }

    /** A cloud with configuration of the test's own (API limits, usage limits, flush intervals). */
    public static TestCloud start(java.util.function.UnaryOperator<Config.Builder> custom) {
        return new TestCloud(Duration.ofSeconds(2), custom);
    }

    /** Stops the server cleanly and starts it again on the same storage, ports chosen afresh. */
    public void restart() {
        boson.close();
        boson = Boson.start(config);
        admin = new Api(baseUrl(), admin.token());
    }

    /** The same caller against this server's current port (after a {@link #restart}). */
    public Api again(Api caller) {
        return new Api(baseUrl(), caller.token());
    }

    public boolean onPostgres() {
        return schema != null;
    }

    private static void createSchema(String schema) {
        try (Connection c = DriverManager.getConnection(PG_URL, "postgres", null)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            Assumptions.abort("PostgreSQL is not reachable on 127.0.0.1:5432: " + e.getMessage());
        }
    }

    private static void dropSchema(String schema) {
        try (Connection c = DriverManager.getConnection(PG_URL, "postgres", null)) {
            c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop test schema " + schema, e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + boson.httpPort();
    }

    public int mqttPort() {
        return boson.mqttPort();
    }

    public Boson boson() {
        return boson;
    }

    public Api anonymous() {
        return new Api(baseUrl(), null);
    }

    public Api admin() {
        return admin;
    }

    /** Logs in with a never-expiring token, so tests that advance the clock keep their sessions. */
    public Api login(String username, String password) {
        Api.Response r = anonymous().postForm("/oauth/token", Map.of("grant_type", "password", "username", username,
                "password", password, "client_id", "particle", "client_secret", "particle", "expires_in", "0"));
        if (r.status() != 200) throw new AssertionError("login failed: " + r);
        return new Api(baseUrl(), r.json().get("access_token").asText());
    }

    /** A new account with a unique name, logged in. */
    public Api newUser() {
        String username = "user-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Api.Response r = admin.postJson("/v1/users", Map.of("username", username, "password", "password-123"));
        if (r.status() != 200) throw new AssertionError("could not create user: " + r);
        return login(username, "password-123");
    }

    public record Credentials(String id, String secret) {
    }

    public List<Credentials> registerDevices(int count) {
        Api.Response r = admin.postJson("/v1/admin/devices", Map.of("platform_id", 13, "count", count));
        if (r.status() != 201) throw new AssertionError("could not register devices: " + r);
        List<Credentials> out = new ArrayList<>();
        for (JsonNode d : r.json().get("devices")) out.add(new Credentials(d.get("id").asText(), d.get("secret").asText()));
        return out;
    }

    public Credentials registerDevice() {
        return registerDevices(1).get(0);
    }

    public List<Credentials> registerDevices(int count, int platformId) {
        Api.Response r = admin.postJson("/v1/admin/devices", Map.of("platform_id", platformId, "count", count));
        if (r.status() != 201) throw new AssertionError("could not register devices: " + r);
        List<Credentials> out = new ArrayList<>();
        for (JsonNode d : r.json().get("devices")) out.add(new Credentials(d.get("id").asText(), d.get("secret").asText()));
        return out;
    }

    /** Creates a product (Boron, platform 13) owned by {@code owner}, as particle-cli sends it; returns its id. */
    public long newProduct(Api owner, String name) {
        Api.Response r = owner.postJson("/v1/user/products", Map.of("product", Map.of("name", name,
                "description", "test product", "platform_id", 13)));
        if (r.status() != 200) throw new AssertionError("could not create product: " + r);
        return r.json().get("product").get("id").asLong();
    }

    /** Registers a device and imports it into the product. */
    public Credentials productDevice(Api owner, long productId) {
        Credentials c = registerDevice();
        Api.Response r = owner.postJson("/v1/products/" + productId + "/devices", Map.of("id", c.id()));
        if (r.status() != 200 || r.json().get("updated").asInt() != 1) throw new AssertionError("import failed: " + r);
        return c;
    }

    /** Registers a device, connects it over MQTT 5 and claims it to {@code owner}. */
    public TestDevice claimedDevice(Api owner) {
        Credentials c = registerDevice();
        TestDevice device = TestDevice.connect(this, c);
        Api.Response r = owner.postJson("/v1/devices", Map.of("id", c.id()));
        if (r.status() != 200) throw new AssertionError("claim failed: " + r);
        return device;
    }

    @Override
    public void close() {
        boson.close();
        if (schema != null && ownsSchema) dropSchema(schema);
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
