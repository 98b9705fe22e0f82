package io.boson.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.health.NodeWatch;
import io.boson.testing.Api;
import io.boson.testing.BosonProcess;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two Boson nodes as separate processes on one PostgreSQL schema and one NATS prefix. The node
 * holding a device is killed with SIGKILL: the surviving node shows the device offline (reason
 * "node lost", {@code spark/status offline}) within the node timeout plus one heartbeat, and the
 * device reconnects to the survivor at once. Before that, "last heard" from the device's node is
 * seen on the other node within the presence flush interval (with {@code --last-heard-seconds 0}).
 */
class NodeLossTest {

    static final int HEARTBEAT_MS = 300;
    static final int TIMEOUT_MS = 1_500;
    /** Default presence flush interval of a node started by {@code boson serve}. */
    static final Duration FLUSH = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void theDevicesOfAKilledNodeGoOfflineOnTheSurvivorAndReconnectThere() throws Exception {
        assumeTrue("postgres".equals(System.getProperty("boson.test.db")), "the cluster test runs in the PostgreSQL pass");
        String nats = TestCloud.requireNats();
        String schema = TestCloud.createTestSchema();
        List<String> common = List.of("--db-url", TestCloud.testSchemaUrl(schema), "--db-user", "postgres",
                "--nats-url", nats, "--nats-prefix", "boson-test." + UUID.randomUUID().toString().replace("-", ""),
                "--node-heartbeat-ms", Integer.toString(HEARTBEAT_MS), "--node-timeout-ms", Integer.toString(TIMEOUT_MS),
                "--last-heard-seconds", "0");
        try (BosonProcess a = BosonProcess.start(dir.resolve("a"), with(common, "--node-id", "node-a"));
             BosonProcess b = BosonProcess.start(dir.resolve("b"), with(common, "--node-id", "node-b"))) {
            Api onA = a.admin();
            Api onB = new Api(b.baseUrl(), onA.token());
            JsonNode reg = onA.postJson("/v1/admin/devices", Map.of("platform_id", 13, "count", 1)).json().get("devices").get(0);
            TestCloud.Credentials c = new TestCloud.Credentials(reg.get("id").asText(), reg.get("secret").asText());
            TestDevice device = TestDevice.connect(a.mqttPort(), c);
            assertThat(onB.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
            assertThat(onB.get("/v1/devices/" + c.id()).json().get("online").asBoolean()).isTrue();

            // Last heard: an event through node A shows on node B within the flush interval.
            long connectedAt = Instant.parse(onB.get("/v1/devices/" + c.id()).json().get("last_heard").asText()).toEpochMilli();
            await().until(() -> System.currentTimeMillis() > connectedAt + 1_000);
            long publishedAt = System.currentTimeMillis();
            assertThat(device.publish("hello", "a").getCode()).isZero();
            await().atMost(FLUSH.plusSeconds(2)).until(() -> Instant.parse(onB.get("/v1/devices/" + c.id()).json()
                    .get("last_heard").asText()).toEpochMilli() >= publishedAt);

            try (SseStream status = SseStream.open(b.baseUrl(), "/v1/devices/events/spark/status", onA.token())) {
                long killedAt = System.nanoTime();
                a.kill();
                SseStream.Received offline = status.next("spark/status", Duration.ofSeconds(15));
                long tookMillis = (System.nanoTime() - killedAt) / 1_000_000;
                System.out.println("node loss: the device was offline on the survivor " + tookMillis + " ms after SIGKILL");
                assertThat(offline.data().get("data").asText()).isEqualTo("offline");
                assertThat(offline.data().get("coreid").asText()).isEqualTo(c.id());
                JsonNode d = onB.get("/v1/devices/" + c.id()).json();
                assertThat(d.get("online").asBoolean()).isFalse();
                assertThat(d.get("last_disconnect_reason").asText()).isEqualTo(NodeWatch.REASON);
                // The bound: node timeout + one heartbeat; the slack covers two JVMs on a loaded 2-core machine.
                assertThat(tookMillis).isLessThan(TIMEOUT_MS + HEARTBEAT_MS + 2_000);

                device.close();
                try (TestDevice again = TestDevice.connect(b.mqttPort(), c)) {
                    assertThat(status.next("spark/status", Duration.ofSeconds(5)).data().get("data").asText()).isEqualTo("online");
                    assertThat(onB.get("/v1/devices/" + c.id()).json().get("online").asBoolean()).isTrue();
                    assertThat(onB.postJson("/v1/devices/" + c.id() + "/led", Map.of("arg", "on")).json()
                            .get("return_value").asInt()).isEqualTo(1);
                }
            }
        } finally {
            TestCloud.dropTestSchema(schema);
        }
    }

    @Test
    void aNodeTakenForDeadWhilePausedRecordsItsDevicesOnlineWhenItRunsAgain() throws Exception {
        assumeTrue("postgres".equals(System.getProperty("boson.test.db")), "the cluster test runs in the PostgreSQL pass");
        String nats = TestCloud.requireNats();
        String schema = TestCloud.createTestSchema();
        List<String> common = List.of("--db-url", TestCloud.testSchemaUrl(schema), "--db-user", "postgres",
                "--nats-url", nats, "--nats-prefix", "boson-test." + UUID.randomUUID().toString().replace("-", ""),
                "--node-heartbeat-ms", Integer.toString(HEARTBEAT_MS), "--node-timeout-ms", Integer.toString(TIMEOUT_MS));
        try (BosonProcess a = BosonProcess.start(dir.resolve("a"), with(common, "--node-id", "node-a"));
             BosonProcess b = BosonProcess.start(dir.resolve("b"), with(common, "--node-id", "node-b"))) {
            Api onA = a.admin();
            JsonNode reg = onA.postJson("/v1/admin/devices", Map.of("platform_id", 13, "count", 1)).json().get("devices").get(0);
            TestCloud.Credentials c = new TestCloud.Credentials(reg.get("id").asText(), reg.get("secret").asText());
            // The device stays connected to node B throughout (keep-alive 60 s, far longer than the pause).
            try (TestDevice device = TestDevice.connect(b.mqttPort(), c);
                 SseStream status = SseStream.open(a.baseUrl(), "/v1/devices/events/spark/status", onA.token())) {
                assertThat(onA.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
                assertThat(onA.get("/v1/devices/" + c.id()).json().get("online").asBoolean()).isTrue();

                b.pause();
                try {
                    SseStream.Received offline = status.next("spark/status", Duration.ofSeconds(15));
                    assertThat(offline.data().get("data").asText()).isEqualTo("offline");
                    assertThat(onA.get("/v1/devices/" + c.id()).json().get("last_disconnect_reason").asText())
                            .isEqualTo(NodeWatch.REASON);
                } finally {
                    b.resume();
                }
                // Node B's next beat finds it was taken for dead: its device, still connected, is online again.
                SseStream.Received online = status.next("spark/status", Duration.ofSeconds(10));
                assertThat(online.data().get("data").asText()).isEqualTo("online");
                assertThat(online.data().get("coreid").asText()).isEqualTo(c.id());
                JsonNode d = onA.get("/v1/devices/" + c.id()).json();
                assertThat(d.get("online").asBoolean()).isTrue();
                assertThat(onA.postJson("/v1/devices/" + c.id() + "/led", Map.of("arg", "on")).json()
                        .get("return_value").asInt()).isEqualTo(1);
                assertThat(device.publish("after-the-pause", "b").getCode()).isZero();
            }
        } finally {
            TestCloud.dropTestSchema(schema);
        }
    }

    private static List<String> with(List<String> common, String... more) {
        List<String> out = new java.util.ArrayList<>(common);
        out.addAll(List.of(more));
        return out;
    }
}
