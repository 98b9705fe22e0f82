package io.boson.crash;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.device.BosonDevice;
import io.boson.device.OtaFaults;
import io.boson.testing.Api;
import io.boson.testing.BosonProcess;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server as its own process, killed with SIGKILL in the middle of work it had acknowledged or
 * was doing, then started again on the same data: what it acknowledged holds, what it was doing is
 * all or nothing. On the embedded store (H2 files in the data directory) and, in the PostgreSQL
 * pass, on a schema of this test.
 */
class CrashSafetyTest {

    @TempDir
    Path dir;
    private String schema;
    private final List<BosonProcess> processes = new ArrayList<>();
    private final List<BosonDevice> devices = new ArrayList<>();

    @BeforeEach
    void store() {
        if ("postgres".equals(System.getProperty("boson.test.db"))) schema = TestCloud.createTestSchema();
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (BosonDevice d : devices) d.disconnect();
        for (BosonProcess p : processes) p.kill();
        if (schema != null) TestCloud.dropTestSchema(schema);
    }

    private BosonProcess start(int httpPort, int mqttPort) {
        List<String> options = schema == null ? List.of()
                : List.of("--db-url", TestCloud.testSchemaUrl(schema), "--db-user", "postgres");
        BosonProcess p = BosonProcess.start(dir.resolve("data"), httpPort, mqttPort, options);
        processes.add(p);
        return p;
    }

    private BosonProcess start() {
        return start(0, 0);
    }

    @Test
    void revokedTokensStayRevokedAndIssuedOnesStayValidAfterAKill() throws Exception {
        BosonProcess server = start();
        Api admin = server.admin();
        String username = "crash-" + System.nanoTime() + "@example.com";
        assertThat(admin.postJson("/v1/users", Map.of("username", username, "password", "password-123")).status()).isEqualTo(200);
        Api anonymous = new Api(server.baseUrl(), null);
        List<String> kept = new ArrayList<>();
        List<String> revoked = new ArrayList<>();
        // A burst of issues and revocations; each answered 200 was acknowledged.
        for (int i = 0; i < 40; i++) {
            Api.Response t = anonymous.postForm("/oauth/token", Map.of("grant_type", "password", "username", username,
                    "password", "password-123", "client_id", "particle", "client_secret", "particle", "expires_in", "0"));
            assertThat(t.status()).isEqualTo(200);
            String token = t.json().get("access_token").asText();
            if (i % 2 == 0) {
                assertThat(anonymous.delete("/v1/access_tokens/" + token).status()).isEqualTo(200);
                revoked.add(token);
            } else if (i % 3 == 0) {
                assertThat(anonymous.as(token).delete("/v1/access_tokens/current").status()).isEqualTo(200);
                revoked.add(token);
            } else {
                kept.add(token);
            }
        }
        server.kill();

        BosonProcess again = start();
        for (String token : revoked) {
            assertThat(new Api(again.baseUrl(), token).get("/v1/user").status()).as("revoked token %s", token).isEqualTo(401);
        }
        for (String token : kept) {
            Api.Response me = new Api(again.baseUrl(), token).get("/v1/user");
            assertThat(me.status()).as("kept token %s", token).isEqualTo(200);
            assertThat(me.json().get("username").asText()).isEqualTo(username);
        }
    }

    @Test
    void anImportKilledMidwayIsAllOrNothing() throws Exception {
        BosonProcess server = start();
        Api admin = server.admin();
        long target = product(admin, "Target");
        long t0 = System.nanoTime();
        List<String> ids = register(admin, IMPORT);
        long registerMillis = (System.nanoTime() - t0) / 1_000_000;
        // An import of as many IDs takes about as long as registering them: the kill lands inside it.
        CompletableFuture<Api.Response> importing = CompletableFuture.supplyAsync(() -> {
            try {
                return importIds(admin, target, ids);
            } catch (RuntimeException e) {
                return null; // the connection died with the server
            }
        });
        long killAfter = Math.max(20, registerMillis / 3);
        Thread.sleep(killAfter);
        server.kill();
        Api.Response answered = importing.get();

        BosonProcess again = start();
        Api after = again.admin();
        long count = total(after, target);
        System.out.printf("crash: import of %,d IDs killed %d ms into it (registering them took %d ms): %s, %d in the product after restart%n",
                IMPORT, killAfter, registerMillis, answered == null ? "no answer before the kill" : "answered " + answered.status(), count);
        if (answered != null && answered.status() == 200) assertThat(count).isEqualTo(IMPORT);
        else assertThat(count).isIn(0L, (long) IMPORT);
        // Nothing is half-way: each device is in the product or free to import again.
        assertThat(importIds(after, target, ids).json().get("updated").asLong()).isEqualTo(IMPORT - count);
        assertThat(total(after, target)).isEqualTo(IMPORT);
    }

    /**
     * IDs in the killed import. The suite uses 20,000 (one transaction either way; registering and
     * importing 100,000 takes minutes in this C1-only test JVM on two cores, twice per run);
     * {@code -Dboson.crash.import=100000} runs the full size.
     */
    private static final int IMPORT = Integer.getInteger("boson.crash.import", 20_000);

    private static Api.Response importIds(Api api, long product, List<String> ids) {
        try {
            byte[] body = Api.JSON.writeValueAsBytes(Map.of("ids", ids));
            return api.send(api.request("/v1/products/" + product + "/devices").timeout(Duration.ofMinutes(5))
                    .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long total(Api api, long product) {
        return api.get("/v1/products/" + product + "/devices?perPage=1").json().get("meta").get("total").asLong();
    }

    @Test
    void anOtaTransferResumesFromTheDevicesOffsetAfterTheServerWasKilled() throws Exception {
        int httpPort = freePort();
        int mqttPort = freePort();
        BosonProcess server = start(httpPort, mqttPort);
        Api admin = server.admin();
        long p = product(admin, "Crash OTA");
        JsonNode reg = admin.postJson("/v1/admin/devices", Map.of("platform_id", 13, "count", 1)).json().get("devices").get(0);
        String id = reg.get("id").asText();
        assertThat(admin.postJson("/v1/products/" + p + "/devices", Map.of("id", id)).status()).isEqualTo(200);
        int size = 8 * 32 * 1024;
        byte[] image = new byte[size];
        new Random(11).nextBytes(image);
        assertThat(admin.multipart("POST", "/v1/products/" + p + "/firmware", "v2.bin", image, Map.of("version", "2")).status())
                .isEqualTo(201);
        // The device drops its connection once, at half the image; the server dies while it is away.
        BosonDevice d = BosonDevice.builder().deviceId(id).secret(reg.get("secret").asText()).host("127.0.0.1").port(mqttPort)
                .productId((int) p).productVersion(1).otaFaults(OtaFaults.disconnectingAt(0.5)).build();
        devices.add(d);
        d.connect().join();
        assertThat(admin.putJson("/v1/products/" + p + "/devices/" + id, Map.of("desired_firmware_version", 2, "flash", true))
                .status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> !d.isConnected() && d.firmwareBytesReceived() >= size / 2);
        String job = admin.get("/v1/products/" + p + "/devices/" + id).json().at("/firmware_update/last_attempt/job").asText();
        server.kill();

        BosonProcess again = start(httpPort, mqttPort);
        d.connect().join();
        await().atMost(Duration.ofSeconds(30)).until(() -> d.productVersion() == 2 && d.isConnected());
        assertThat(d.firmwareResumedFrom()).isEqualTo(size / 2);
        assertThat(d.firmwareBytesReceived()).isEqualTo(size);
        Api after = again.admin();
        await().atMost(Duration.ofSeconds(15)).until(() -> after.get("/v1/products/" + p + "/devices/" + id).json()
                .at("/firmware_update/last_attempt/state").asText().equals("success"));
        JsonNode done = after.get("/v1/products/" + p + "/devices/" + id).json().get("firmware_update");
        assertThat(done.at("/last_attempt/job").asText()).isEqualTo(job);
        // Bytes served are counted per node in memory: the new process served only what was left.
        assertThat(done.at("/last_attempt/bytes_sent").asLong()).isEqualTo(size - size / 2);
    }

    private static long product(Api admin, String name) {
        return admin.postJson("/v1/user/products", Map.of("product", Map.of("name", name + " " + System.nanoTime(), "platform_id", 13)))
                .json().get("product").get("id").asLong();
    }

    private static List<String> register(Api admin, int count) {
        List<String> ids = new ArrayList<>(count);
        for (int left = count; left > 0; left -= 10_000) {
            Api.Response r = admin.send(admin.request("/v1/admin/devices").timeout(Duration.ofMinutes(2))
                    .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"platform_id\":13,\"count\":" + Math.min(left, 10_000) + "}")));
            assertThat(r.status()).isEqualTo(201);
            for (JsonNode d : r.json().get("devices")) ids.add(d.get("id").asText());
        }
        return ids;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
