package io.boson.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.device.BosonDevice;
import io.boson.rollouts.RolloutScheduler;
import io.boson.testing.Api;
import io.boson.testing.BosonProcess;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The node driving a rollout is killed (SIGKILL, its own process) in the middle of it: the other
 * node takes the lease over once it expired and finishes the rollout. Two `boson serve` processes
 * on one PostgreSQL schema and NATS; real clocks, so this waits out one lease
 * ({@link RolloutScheduler#LEASE}). Runs in the PostgreSQL pass.
 */
class RolloutNodeLossTest {

    @TempDir
    Path dir;

    @Test
    void anotherNodeContinuesTheRolloutOfAKilledNode() throws Exception {
        assumeTrue("postgres".equals(System.getProperty("boson.test.db")), "the cluster test runs in the PostgreSQL pass");
        String nats = TestCloud.requireNats();
        String schema = TestCloud.createTestSchema();
        List<String> common = List.of("--db-url", TestCloud.testSchemaUrl(schema), "--db-user", "postgres",
                "--nats-url", nats, "--nats-prefix", "boson-test." + UUID.randomUUID().toString().replace("-", ""));
        List<BosonDevice> devices = new ArrayList<>();
        try (BosonProcess a = BosonProcess.start(dir.resolve("a"), with(common, "--node-id", "node-a"));
             BosonProcess b = BosonProcess.start(dir.resolve("b"), with(common, "--node-id", "node-b"))) {
            Api onA = a.admin();
            Api onB = new Api(b.baseUrl(), onA.token());
            long p = onA.postJson("/v1/user/products", Map.of("product", Map.of("name", "Handover", "platform_id", 13)))
                    .json().get("product").get("id").asLong();
            String base = "/v1/products/" + p;
            byte[] image = new byte[40_000];
            new Random(2).nextBytes(image);
            image[0] = 0;
            assertThat(onA.multipart("POST", base + "/firmware", "firmware.bin", image, Map.of("version", "2", "title", "v2"))
                    .status()).isEqualTo(201);
            Map<String, String> secrets = new HashMap<>();
            for (JsonNode d : onA.postJson("/v1/admin/devices", Map.of("platform_id", 13, "count", 4)).json().get("devices")) {
                secrets.put(d.get("id").asText(), d.get("secret").asText());
                assertThat(onA.postJson(base + "/devices", Map.of("id", d.get("id").asText())).status()).isEqualTo(200);
            }

            Api.Response created = onA.postJson(base + "/rollouts", Map.of("version", 2, "waves", List.of(
                    Map.of("percent", 50, "success_threshold", 100), Map.of("percent", 50, "success_threshold", 100))));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            long id = created.json().at("/rollout/id").asLong();
            JsonNode r = onA.get(base + "/rollouts/" + id).json().get("rollout");
            assertThat(r.get("driven_by").asText()).isEqualTo("node-a");
            assertThat(r.get("current_wave").asInt()).isEqualTo(1);
            Map<Integer, List<String>> waves = new HashMap<>();
            for (JsonNode d : onA.get(base + "/rollouts/" + id + "/devices").json().get("devices")) {
                waves.computeIfAbsent(d.get("wave").asInt(), k -> new ArrayList<>()).add(d.get("id").asText());
            }
            assertThat(waves.get(1)).hasSize(2);
            assertThat(waves.get(2)).hasSize(2);

            a.kill();
            Instant aLease = Instant.parse(onB.get(base + "/rollouts/" + id).json().at("/rollout/lease_until").asText());
            for (Map.Entry<String, String> e : secrets.entrySet()) {
                BosonDevice d = BosonDevice.builder().deviceId(e.getKey()).secret(e.getValue()).host("127.0.0.1").port(b.mqttPort())
                        .productId((int) p).productVersion(1).build();
                devices.add(d);
                d.connect().join();
            }
            Map<String, BosonDevice> byId = new HashMap<>();
            devices.forEach(d -> byId.put(d.id(), d));
            // Wave 1 is offered by node B's gateway at once: that needs no driver.
            await("wave 1 runs v2").atMost(Duration.ofSeconds(30))
                    .until(() -> waves.get(1).stream().allMatch(d -> Objects.equals(byId.get(d).productVersion(), 2)));
            // Wave 2 needs a driver: node B, once node A's lease ran out.
            await("node B finished the rollout").atMost(RolloutScheduler.LEASE.plusSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> "finished".equals(onB.get(base + "/rollouts/" + id).json().at("/rollout/state").asText()));
            r = onB.get(base + "/rollouts/" + id).json().get("rollout");
            assertThat(r.get("driven_by").asText()).isEqualTo("node-b");
            assertThat(Instant.parse(r.at("/waves/1/started_at").asText())).as("wave 2 started after node A's lease expired")
                    .isAfterOrEqualTo(aLease);
            await("wave 2 runs v2").atMost(Duration.ofSeconds(30))
                    .until(() -> waves.get(2).stream().allMatch(d -> Objects.equals(byId.get(d).productVersion(), 2)));
        } finally {
            devices.forEach(d -> {
                if (d.isConnected()) d.disconnect().join();
            });
            TestCloud.dropTestSchema(schema);
        }
    }

    private static List<String> with(List<String> common, String... more) {
        List<String> out = new ArrayList<>(common);
        out.addAll(List.of(more));
        return out;
    }
}
