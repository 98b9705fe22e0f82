package io.boson.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.BosonProcess;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Three Boson nodes, each its own process, on one PostgreSQL schema and a NATS server of this test
 * (its own process, so that it can be killed without touching anyone else's). Devices are spread
 * over the nodes. One node is SIGKILLed: a call in flight through another node fails with a clear
 * error and is never answered twice; the lost node's devices reconnect to the others and calls
 * succeed again; SSE clients on the surviving nodes see every event published after the loss. Then
 * NATS itself is SIGKILLed and restarted while devices publish: the cluster recovers by itself.
 */
class ThreeNodeClusterTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aNodeDiesThenNatsRestartsUnderLoadAndTheClusterCarriesOn() throws Exception {
        assumeTrue("postgres".equals(System.getProperty("boson.test.db")), "the cluster test runs in the PostgreSQL pass");
        assumeTrue(Files.isExecutable(NatsServer.BINARY), "no nats-server at " + NatsServer.BINARY);
        String schema = TestCloud.createTestSchema();
        List<TestDevice> devices = new ArrayList<>();
        try (NatsServer nats = NatsServer.start(dir.resolve("nats"))) {
            List<String> common = List.of("--db-url", TestCloud.testSchemaUrl(schema), "--db-user", "postgres",
                    "--nats-url", nats.url(), "--nats-prefix", "boson-test." + UUID.randomUUID().toString().replace("-", ""),
                    "--node-heartbeat-ms", "300", "--node-timeout-ms", "1500", "--request-timeout", "3");
            try (BosonProcess a = BosonProcess.start(dir.resolve("a"), with(common, "--node-id", "node-a"));
                 BosonProcess b = BosonProcess.start(dir.resolve("b"), with(common, "--node-id", "node-b"));
                 BosonProcess c = BosonProcess.start(dir.resolve("c"), with(common, "--node-id", "node-c"))) {
                Api admin = a.admin();
                String username = "three-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
                assertThat(admin.postJson("/v1/users", Map.of("username", username, "password", "password-123")).status())
                        .isEqualTo(200);
                Api onA = login(a, username);
                Api onB = new Api(b.baseUrl(), onA.token());
                Api onC = new Api(c.baseUrl(), onA.token());
                List<BosonProcess> nodes = List.of(a, b, c);

                // Two devices on each node, claimed by one user; every call of "led" is counted per device.
                List<TestCloud.Credentials> creds = new ArrayList<>();
                for (JsonNode d : admin.postJson("/v1/admin/devices", Map.of("platform_id", 13, "count", 6)).json().get("devices")) {
                    creds.add(new TestCloud.Credentials(d.get("id").asText(), d.get("secret").asText()));
                }
                Map<String, AtomicInteger> invoked = new ConcurrentHashMap<>();
                for (int i = 0; i < creds.size(); i++) {
                    TestDevice d = TestDevice.connect(nodes.get(i % 3).mqttPort(), creds.get(i));
                    counting(d, invoked);
                    devices.add(d);
                    assertThat(onB.postJson("/v1/devices", Map.of("id", d.id)).status()).isEqualTo(200);
                }
                // Every device answers through every node, once per call.
                for (TestDevice d : devices) {
                    for (Api via : List.of(onA, onB, onC)) assertThat(call(via, d.id)).isEqualTo(200);
                    assertThat(invoked.get(d.id).get()).isEqualTo(3);
                }

                try (SseStream onBStream = SseStream.open(b.baseUrl(), "/v1/devices/events", onA.token());
                     SseStream onCStream = SseStream.open(c.baseUrl(), "/v1/devices/events", onA.token())) {
                    // A call in flight through B to a device on A, which takes its time to answer; A dies meanwhile.
                    TestDevice slowOnA = devices.get(0);
                    CompletableFuture<Void> answerAllowed = new CompletableFuture<>();
                    slowOnA.answer("led", arg -> {
                        invoked.get(slowOnA.id).incrementAndGet();
                        answerAllowed.join();
                        return 1;
                    });
                    CompletableFuture<Api.Response> inFlight = CompletableFuture.supplyAsync(() ->
                            onB.postJson("/v1/devices/" + slowOnA.id + "/led", Map.of("arg", "on")));
                    await().atMost(WAIT).until(() -> invoked.get(slowOnA.id).get() == 4);
                    a.kill();
                    answerAllowed.complete(null);
                    Api.Response failed = inFlight.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(failed.status()).as(failed.toString()).isIn(404, 408, 503);
                    assertThat(failed.json().get("error").asText()).isNotBlank();
                    assertThat(failed.json().has("return_value")).isFalse();

                    // A's devices reconnect to B and C; the rest stay where they are.
                    for (int i : new int[] {0, 3}) {
                        devices.get(i).close();
                        TestDevice again = TestDevice.connect((i == 0 ? b : c).mqttPort(), creds.get(i));
                        counting(again, invoked);
                        devices.set(i, again);
                    }
                    invoked.values().forEach(n -> n.set(0));
                    for (TestDevice d : devices) {
                        await().atMost(WAIT).until(() -> onB.get("/v1/devices/" + d.id).json().get("online").asBoolean());
                        assertThat(call(onB, d.id)).isEqualTo(200);
                        assertThat(call(onC, d.id)).isEqualTo(200);
                    }
                    // Each call was answered once: nothing from before the loss was handed to a device again.
                    for (TestDevice d : devices) assertThat(invoked.get(d.id).get()).as(d.id).isEqualTo(2);

                    // Every event published after the loss reaches the streams on both surviving nodes.
                    Set<String> sent = new HashSet<>();
                    for (int round = 0; round < 5; round++) {
                        for (TestDevice d : devices) {
                            String data = d.id + "#" + round;
                            assertThat(d.publish("after-loss", data).getCode()).isZero();
                            sent.add(data);
                        }
                    }
                    assertThat(received(onBStream, "after-loss", sent.size())).isEqualTo(sent);
                    assertThat(received(onCStream, "after-loss", sent.size())).isEqualTo(sent);

                    // NATS dies and comes back while the devices keep publishing.
                    AtomicBoolean publishing = new AtomicBoolean(true);
                    Thread load = Thread.ofPlatform().start(() -> {
                        int n = 0;
                        // 2 events a second per device, under the publish limit (4/s): none is refused for rate.
                        while (publishing.get()) {
                            for (TestDevice d : devices) d.publish("load", Integer.toString(n++));
                            try {
                                Thread.sleep(500);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    });
                    nats.kill();
                    nats.restart();
                    // Cross-node requests work again: a device on C answers a call through B.
                    TestDevice onNodeC = devices.get(2);
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                            .until(() -> call(onB, onNodeC.id) == 200);
                    publishing.set(false);
                    load.join();
                    Set<String> afterRestart = new HashSet<>();
                    for (TestDevice d : devices) {
                        assertThat(d.publish("after-nats", d.id).getCode()).isZero();
                        afterRestart.add(d.id);
                    }
                    assertThat(received(onBStream, "after-nats", afterRestart.size())).isEqualTo(afterRestart);
                    assertThat(received(onCStream, "after-nats", afterRestart.size())).isEqualTo(afterRestart);
                    assertThat(call(onC, devices.get(1).id)).isEqualTo(200);
                }
            } finally {
                for (TestDevice d : devices) d.close();
            }
        } finally {
            TestCloud.dropTestSchema(schema);
        }
    }

    private static void counting(TestDevice d, Map<String, AtomicInteger> invoked) {
        AtomicInteger n = invoked.computeIfAbsent(d.id, k -> new AtomicInteger());
        d.answer("led", arg -> {
            n.incrementAndGet();
            return 1;
        });
    }

    private static int call(Api via, String id) {
        return via.postJson("/v1/devices/" + id + "/led", Map.of("arg", "on")).status();
    }

    /** The data of the next {@code count} events named {@code name} on the stream. */
    private static Set<String> received(SseStream stream, String name, int count) {
        Set<String> out = new HashSet<>();
        while (out.size() < count) out.add(stream.next(name, WAIT).data().get("data").asText());
        return out;
    }

    private static Api login(BosonProcess node, String username) {
        Api.Response r = new Api(node.baseUrl(), null).postForm("/oauth/token", Map.of("grant_type", "password",
                "username", username, "password", "password-123", "client_id", "particle", "client_secret", "particle",
                "expires_in", "0"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return new Api(node.baseUrl(), r.json().get("access_token").asText());
    }

    private static List<String> with(List<String> common, String... more) {
        List<String> out = new ArrayList<>(common);
        out.addAll(List.of(more));
        return out;
    }

    /** A NATS server with JetStream of this test alone: its own process, port and storage. */
    static final class NatsServer implements AutoCloseable {
        static final Path BINARY = Path.of("/usr/sbin/nats-server");
        private final Path storage;
        private final int port;
        private Process process;

        private NatsServer(Path storage, int port) {
            this.storage = storage;
            this.port = port;
        }

        static NatsServer start(Path storage) throws IOException {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            NatsServer n = new NatsServer(storage, port);
            n.restart();
            return n;
        }

        String url() {
            return "nats://127.0.0.1:" + port;
        }

        void restart() throws IOException {
            Files.createDirectories(storage);
            process = new ProcessBuilder(BINARY.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-js",
                    "-sd", storage.toString()).redirectErrorStream(true)
                    .redirectOutput(storage.resolve("nats.log").toFile()).start();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        }

        /** SIGKILL. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            kill();
        }
    }
}
