package io.boson.usage;

import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two nodes on one PostgreSQL schema and one NATS prefix: each meters the devices it holds and
 * flushes its own counts while the other does the same, and the totals are exact. Runs in the
 * PostgreSQL pass (skipped when NATS is missing).
 */
class ClusterUsageTest {

    @Test
    void twoNodesCountExactly() throws Exception {
        assumeTrue("postgres".equals(System.getProperty("boson.test.db")), "the cluster test runs in the PostgreSQL pass");
        try (TestCloud a = TestCloud.startCluster("usage-a"); TestCloud b = a.join("usage-b")) {
            Api onA = a.newUser();
            Api onB = b.again(onA);
            long product = a.newProduct(onA, "clustered");
            TestDevice onNodeA = TestDevice.connect(a, a.productDevice(onA, product));
            TestDevice onNodeB = TestDevice.connect(b, a.productDevice(onA, product));
            int published = 0;
            for (int i = 0; i < 20; i++) {
                assertThat(onNodeA.publish("t", "a")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
                assertThat(onNodeB.publish("t", "b")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
                published += 2;
                a.clock.advance(Duration.ofSeconds(2));
            }
            // API events through node B reach both devices; calls through node A reach the device on node B.
            // Both nodes' timers flush meanwhile (every second), writing the same owner's rows at once.
            int apiEvents = 150;
            int calls = 60;
            AtomicInteger failures = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < apiEvents; i++) {
                    if (onB.postJson("/v1/products/" + product + "/events", Map.of("name", "cmd", "data", "x")).status() != 200) {
                        failures.incrementAndGet();
                    }
                }
            }));
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < calls; i++) {
                    if (onA.postJson("/v1/products/" + product + "/devices/" + onNodeB.id + "/led", Map.of("arg", "on")).status() != 200) {
                        failures.incrementAndGet();
                    }
                }
            }));
            for (Thread t : threads) t.join(120_000);
            assertThat(failures.get()).isZero();
            // Every event delivered before the counts are final.
            await().atMost(Duration.ofSeconds(10)).until(() -> onNodeA.receivedTopics("c/e/cmd").size() == apiEvents
                    && onNodeB.receivedTopics("c/e/cmd").size() == apiEvents);
            a.boson().usage().flush();
            b.boson().usage().flush();

            long expected = published /* published */ + published /* each delivered to the other */ + 2L * apiEvents + calls;
            assertThat(Usage.ownerOps(onA, "/v1/user")).isEqualTo(expected);
            assertThat(Usage.ownerOps(onB, "/v1/user")).isEqualTo(expected);
            assertThat(Usage.productOps(onB, product)).isEqualTo(expected);
            assertThat(Usage.deviceOps(onA, "/v1/user", onNodeA.id)).isEqualTo(published + apiEvents);
            assertThat(Usage.deviceOps(onB, "/v1/user", onNodeB.id)).isEqualTo(published + apiEvents + calls);
            onNodeA.close();
            onNodeB.close();
        }
    }
}
