package io.boson.usage;

import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.boson.testing.Api;
import io.boson.testing.BosonProcess;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Counts are in memory between flushes: a clean stop writes them all; a SIGKILL loses at most what
 * was counted since the last flush, one flush interval.
 */
class DurabilityTest {

    @Test
    void countersSurviveACleanRestart() {
        // Flushing once an hour: only the clean stop can have written these counts.
        try (TestCloud cloud = TestCloud.start(b -> b
                .usage(UsageSettings.defaults().withFlushInterval(Duration.ofHours(1))))) {
            Api user = cloud.newUser();
            TestDevice device = cloud.claimedDevice(user);
            assertThat(device.publish("t", "1")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            cloud.clock.advance(Duration.ofSeconds(5));
            assertThat(device.publish("t", "2")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(user.postJson("/v1/devices/" + device.id + "/led", Map.of("arg", "on")).status()).isEqualTo(200);
            assertThat(Usage.ownerOps(user, "/v1/user")).isZero();
            cloud.restart();
            Api again = cloud.again(user);
            assertThat(Usage.ownerOps(again, "/v1/user")).isEqualTo(3);
            assertThat(Usage.deviceOps(again, "/v1/user", device.id)).isEqualTo(3);
            device.close();
        }
    }

    @Test
    void aKilledServerLosesAtMostOneFlushInterval() throws Exception {
        long flushMillis = 1000;
        Path dir = Files.createTempDirectory("boson-kill");
        List<String> options = new ArrayList<>(List.of("--usage-flush-ms", Long.toString(flushMillis)));
        String schema = null;
        if ("postgres".equals(System.getProperty("boson.test.db"))) {
            schema = "boson_k_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
            sql("CREATE SCHEMA " + schema);
            options.addAll(List.of("--db-url", "jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + schema, "--db-user", "postgres"));
        }
        try {
            ConcurrentLinkedQueue<Long> acked = new ConcurrentLinkedQueue<>();
            long killedAt;
            String deviceId;
            int callers = 2;
            try (BosonProcess server = BosonProcess.start(dir, options)) {
                Api admin = server.admin();
                Api.Response reg = admin.postJson("/v1/admin/devices", Map.of("platform_id", 13, "count", 1));
                TestCloud.Credentials c = new TestCloud.Credentials(reg.json().get("devices").get(0).get("id").asText(),
                        reg.json().get("devices").get(0).get("secret").asText());
                deviceId = c.id();
                TestDevice device = TestDevice.connect(server.mqttPort(), c);
                assertThat(admin.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        while (!stop.get()) {
                            try {
                                if (admin.postJson("/v1/devices/" + c.id() + "/led", Map.of("arg", "on")).status() == 200) {
                                    acked.add(System.nanoTime());
                                }
                            } catch (RuntimeException e) {
                                return;
                            }
                        }
                    }));
                }
                // Several flushes' worth of calls, then the kill in the middle of the traffic.
                Thread.sleep(3 * flushMillis + 400);
                killedAt = System.nanoTime();
                server.kill();
                stop.set(true);
                for (Thread t : threads) t.join(30_000);
                device.close();
            }
            long total = acked.size();
            long lastInterval = acked.stream().filter(t -> t >= killedAt - Duration.ofMillis(flushMillis + 300).toNanos()).count();
            try (BosonProcess again = BosonProcess.start(dir, options)) {
                long counted = Usage.deviceOps(again.admin(), "/v1/user", deviceId);
                System.out.printf("SIGKILL: %d calls answered, %d counted after restart, %d lost, %d answered in the last interval%n",
                        total, counted, total - counted, lastInterval);
                assertThat(total).isGreaterThan(20);
                // Nothing counted that was not asked for (a call in flight may be counted, its answer lost with the server).
                assertThat(counted).isLessThanOrEqualTo(total + callers);
                // Lost: at most the calls answered within the last flush interval before the kill.
                assertThat(total - counted).as("lost of %d (%d in the last interval)", total, lastInterval)
                        .isLessThanOrEqualTo(lastInterval);
                assertThat(counted).isGreaterThan(0);
            }
        } finally {
            if (schema != null) sql("DROP SCHEMA " + schema + " CASCADE");
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", null)) {
            c.createStatement().execute(statement);
        }
    }
}
