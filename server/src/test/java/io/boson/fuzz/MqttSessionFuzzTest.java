package io.boson.fuzz;

import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fuzzes an established device session: a real device connects over a real socket to a real
 * server with MQTT 5 and its secret, then sends the fuzz input as raw bytes (packets as the seeds
 * spell them: events, describe, vitals, OTA requests and reports, replies, claim codes,
 * subscriptions, and whatever the fuzzer makes of them) and closes its side. The device always has
 * a developer flash under way: {@value #JOB_PLACEHOLDER} in the input stands for that job's ID (the
 * same length), so chunk requests and reports reach a live job.
 *
 * <p>Whatever it sent, the server must answer or close the connection (never hang), log no
 * error, keep another owner's device connected and delivering its events (and none of the fuzzed
 * device's), and still answer the API about the fuzzed device (its vitals too) without a 5xx.
 * Seeds and findings live in src/test/resources/io/boson/fuzz/MqttSessionFuzzTestInputs.
 */
class MqttSessionFuzzTest {

    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);
    private static TestCloud cloud;
    private static ServerErrors errors;
    private static TestCloud.Credentials fuzzed;
    private static Api fuzzedOwner;
    private static Api bystanderOwner;
    private static TestDevice bystander;
    private static final AtomicInteger probes = new AtomicInteger();
    static final String JOB_PLACEHOLDER = "JOB000000000";
    private static final byte[] IMAGE = image(2 * io.boson.firmware.OtaDelivery.CHUNK_BYTES + 100);

    @BeforeAll
    static void start() {
        cloud = TestCloud.start();
        errors = ServerErrors.watch();
        fuzzedOwner = cloud.newUser();
        fuzzed = cloud.registerDevice();
        try (TestDevice d = TestDevice.connect(cloud, fuzzed)) {
            Api.Response claim = fuzzedOwner.postJson("/v1/devices", Map.of("id", fuzzed.id()));
            assertThat(claim.status()).as("claim: %s", claim).isEqualTo(200);
        }
        bystanderOwner = cloud.newUser();
        bystander = cloud.claimedDevice(bystanderOwner);
    }

    @AfterAll
    static void stop() {
        if (bystander != null) bystander.close();
        if (errors != null) errors.close();
        if (cloud != null) cloud.close();
    }

    @FuzzTest(maxDuration = "30s")
    void packetsAfterConnect(byte[] packets) throws IOException {
        // The harness and the server talk over loopback; Jazzer's SSRF detector allows exactly that.
        try (SilentCloseable loopback = Loopback.only()) {
            // A fresh connect budget and fresh rate limits for every input: each run starts alike.
            cloud.clock.advance(Duration.ofMinutes(1));
            errors.drain();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", cloud.mqttPort()), 5_000);
                socket.setSoTimeout((int) ANSWER_WITHIN.toMillis());
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                out.write(Mqtt.connect5(fuzzed.id(), fuzzed.secret()));
                out.flush();
                byte[] connAck = in.readNBytes(5);
                assertThat(connAck[0]).as("CONNACK").isEqualTo((byte) 0x20);
                assertThat(connAck[3]).as("CONNACK reason").isEqualTo((byte) 0);
                packets = withJob(packets);
                try {
                    out.write(packets);
                    out.flush();
                    socket.shutdownOutput();
                } catch (IOException closedEarly) {
                    // The server may close the connection before it has read everything: that is an answer.
                }
                try {
                    while (in.read(new byte[8192]) >= 0) {
                        // what the server answers is the protocol's business; here it only has to end
                    }
                } catch (SocketTimeoutException e) {
                    fail("the server neither answered nor closed the connection within " + ANSWER_WITHIN);
                } catch (IOException reset) {
                    // a reset is a close
                }
            }
            stillServesEveryoneElse();
        }
    }

    /**
     * The input with the placeholder replaced by the ID of the device's live job, flashed afresh
     * (the device is connected now, as a flash needs) when the last one ended.
     */
    private static byte[] withJob(byte[] packets) {
        String text = new String(packets, StandardCharsets.ISO_8859_1);
        if (!text.contains(JOB_PLACEHOLDER)) return packets;
        return text.replace(JOB_PLACEHOLDER, liveJob()).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String liveJob() {
        com.fasterxml.jackson.databind.JsonNode last = fuzzedOwner.get("/v1/devices/" + fuzzed.id()).json()
                .at("/firmware_update/last_attempt");
        String state = last.path("state").asText("");
        if (state.equals("offered") || state.equals("in_progress")) return last.get("job").asText();
        Api.Response flash = fuzzedOwner.multipart("PUT", "/v1/devices/" + fuzzed.id(), "app.bin", IMAGE, Map.of());
        assertThat(flash.status()).as("flash: %s", flash).isEqualTo(200);
        String job = fuzzedOwner.get("/v1/devices/" + fuzzed.id()).json().at("/firmware_update/last_attempt/job").asText();
        assertThat(job).hasSameSizeAs(JOB_PLACEHOLDER);
        return job;
    }

    private static byte[] image(int size) {
        byte[] b = new byte[size];
        new java.util.Random(7).nextBytes(b);
        return b;
    }

    private static void stillServesEveryoneElse() {
        // The fuzzed device's requests are done once its session has ended; then history is written.
        org.awaitility.Awaitility.await().atMost(ANSWER_WITHIN).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(() ->
                !fuzzedOwner.get("/v1/devices/" + fuzzed.id()).json().path("online").asBoolean(true));
        cloud.boson().health().flush();
        assertThat(errors.drain()).as("what the server logged").isEmpty();

        // Another owner's device kept its session, gets its owner's events, and none of the fuzzed device's.
        assertThat(bystander.connected()).as("bystander connected").isTrue();
        assertThat(bystander.receivedTopics("c/e/")).allMatch(t -> t.startsWith("c/e/probe-"));
        String probe = "probe-" + probes.incrementAndGet();
        Api.Response published = bystanderOwner.postJson("/v1/devices/events", Map.of("name", probe, "data", "x", "private", true));
        assertThat(published.status()).as("publish: %s", published).isEqualTo(200);
        bystander.next("c/e/" + probe, ANSWER_WITHIN);

        // The API still answers about the fuzzed device, whatever it described and reported.
        for (String path : new String[]{"/v1/devices/" + fuzzed.id(), "/v1/diagnostics/" + fuzzed.id() + "/last",
                "/v1/diagnostics/" + fuzzed.id() + "?per_page=5"}) {
            Api.Response r = fuzzedOwner.get(path);
            assertThat(r.status()).as("GET %s: %s", path, r).isLessThan(500);
        }
    }

    /** The few MQTT 5 packets the harness writes itself (the seeds are written by SessionSeeds). */
    static final class Mqtt {
        static byte[] connect5(String clientId, String secret) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            str(body, "MQTT");
            body.write(5);
            body.write(0xC2); // username, password, clean start
            body.write(0);
            body.write(60); // keep-alive
            body.write(0); // no properties
            str(body, clientId);
            str(body, clientId);
            str(body, secret);
            return packet(0x10, body.toByteArray());
        }

        static byte[] packet(int firstByte, byte[] body) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(firstByte);
            int n = body.length;
            do {
                int b = n % 128;
                n /= 128;
                out.write(n > 0 ? b | 0x80 : b);
            } while (n > 0);
            out.writeBytes(body);
            return out.toByteArray();
        }

        static void str(ByteArrayOutputStream out, String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write(b.length >> 8);
            out.write(b.length & 0xFF);
            out.writeBytes(b);
        }
    }
}
