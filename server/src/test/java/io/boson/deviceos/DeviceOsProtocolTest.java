package io.boson.deviceos;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.devices.DeviceIds;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Device OS's own protocol end to end: a real server with its UDP endpoint, a device speaking DTLS
 * and CoAP as Device OS 6.2.0 does ({@link DeviceOsTestDevice}), and the API and event stream as
 * particle-cli and particle-api-js use them. Such a device must be indistinguishable from an MQTT
 * one to API clients.
 */
class DeviceOsProtocolTest extends DeviceOsCloudTest {

    /** Device sessions the gateway established (Prometheus counter). */
    static double connects() {
        for (String line : cloud.anonymous().get("/metrics").body().lines().toList()) {
            if (line.startsWith("boson_device_connects_total")) return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        throw new AssertionError("no boson_device_connects_total in /metrics");
    }

    /** A device with a key registered by the admin, claimed to {@code owner}, connected and described. */
    DeviceOsTestDevice connected(Api owner) throws Exception {
        String id = DeviceIds.random();
        KeyPair key = DeviceKeysTest.ecKey();
        // No platform given (as particle-cli's keys send): the hello names it.
        Map<String, String> form = DeviceKeysTest.form(id, key.getPublic(), "ecc");
        assertThat(cloud.admin().postForm("/v1/provisioning/" + id, form).status()).isEqualTo(200);
        DeviceOsTestDevice d = new DeviceOsTestDevice(id, key, serverKey, udp());
        assertThat(d.handshake()).isTrue();
        CoapMessage ack = d.hello(id, 32, 0xFFFF);
        assertThat(ack).isNotNull();
        assertThat(ack.type()).isEqualTo(CoapMessage.ACK);
        await().atMost(Duration.ofSeconds(10)).until(() -> cloud.boson().devices().find(id).map(x -> x.online()).orElse(false));
        assertThat(owner.postJson("/v1/devices", Map.of("id", id)).status()).isEqualTo(200);
        return d;
    }

    @Test
    void aDeviceWithARegisteredKeyComesOnlineDescribedAsDeviceOsSaysIt() throws Exception {
        Api owner = cloud.newUser();
        try (DeviceOsTestDevice d = connected(owner)) {
            // The cloud asked for a cookie first (a stateless HelloVerifyRequest), and the handshake went on with it.
            assertThat(d.helloVerifyRequests).isEqualTo(1);
            d.functions.put("led", arg -> arg.length());
            d.variables.put("counter", 7);
            d.variables.put("temp", 21.5);
            d.variables.put("name", "vdev");
            d.variables.put("armed", true);
            assertThat(d.describe().type()).isEqualTo(CoapMessage.ACK);
            await().atMost(Duration.ofSeconds(10)).until(() -> owner.get("/v1/devices/" + d.id).json().get("functions").size() == 1
                    && owner.get("/v1/devices/" + d.id).json().get("platform_id").asInt() == 32);
            JsonNode device = owner.get("/v1/devices/" + d.id).json();
            assertThat(device.get("online").asBoolean()).isTrue();
            assertThat(device.get("platform_id").asInt()).isEqualTo(32);
            assertThat(device.get("last_ip_address").asText()).isEqualTo("127.0.0.1");
            assertThat(device.get("system_firmware_version").asText()).isEqualTo("6.2.0");
            assertThat(device.get("functions").get(0).asText()).isEqualTo("led");
            assertThat(device.get("variables").get("counter").asText()).isEqualTo("int32");
            assertThat(device.get("variables").get("temp").asText()).isEqualTo("double");
            assertThat(device.get("variables").get("name").asText()).isEqualTo("string");
            assertThat(device.get("variables").get("armed").asText()).isEqualTo("bool");
        }
    }

    @Test
    void aHelloOpensOneGatewaySessionThoughTheDescribeArrivesBeforeTheGatewayAcceptedIt() throws Exception {
        String id = DeviceIds.random();
        KeyPair key = DeviceKeysTest.ecKey();
        assertThat(cloud.admin().postForm("/v1/provisioning/" + id, DeviceKeysTest.form(id, key.getPublic(), "ecc")).status())
                .isEqualTo(200);
        double before = connects();
        try (DeviceOsTestDevice d = new DeviceOsTestDevice(id, key, serverKey, udp())) {
            assertThat(d.handshake()).isTrue();
            // As Device OS: the describe right after the hello's acknowledgement, before the session is up in the gateway.
            assertThat(d.hello(id, 32, 0xFFFF)).isNotNull();
            d.functions.put("led", arg -> 1);
            assertThat(d.describe()).isNotNull();
            await().atMost(Duration.ofSeconds(10)).until(() -> cloud.boson().devices().find(id).orElseThrow().online());
            assertThat(connects() - before).isEqualTo(1.0);
        }
    }

    @Test
    void functionCallsAndVariableReadsReachTheDeviceAndItsAnswersComeBackTyped() throws Exception {
        Api owner = cloud.newUser();
        try (DeviceOsTestDevice d = connected(owner)) {
            d.functions.put("led", arg -> arg.equals("on") ? 42 : -arg.length());
            d.variables.put("counter", -123456);
            d.variables.put("temp", 21.5);
            d.variables.put("name", "vdev");
            d.variables.put("armed", true);
            d.describe();
            await().atMost(Duration.ofSeconds(10)).until(() -> owner.get("/v1/devices/" + d.id).json().get("functions").size() == 1);
            Api.Response on = owner.postForm("/v1/devices/" + d.id + "/led", Map.of("arg", "on"));
            assertThat(on.status()).isEqualTo(200);
            assertThat(on.json().get("return_value").asInt()).isEqualTo(42);
            assertThat(owner.postForm("/v1/devices/" + d.id + "/led", Map.of("arg", "hello")).json().get("return_value").asInt())
                    .isEqualTo(-5);
            assertThat(owner.get("/v1/devices/" + d.id + "/counter").json().get("result").asInt()).isEqualTo(-123456);
            assertThat(owner.get("/v1/devices/" + d.id + "/temp").json().get("result").asDouble()).isEqualTo(21.5);
            assertThat(owner.get("/v1/devices/" + d.id + "/name").json().get("result").asText()).isEqualTo("vdev");
            assertThat(owner.get("/v1/devices/" + d.id + "/armed").json().get("result").asBoolean()).isTrue();
            // An unknown function: Device OS answers nothing; the cloud answers for it (not found, before asking).
            assertThat(owner.postForm("/v1/devices/" + d.id + "/nope", Map.of("arg", "x")).status()).isEqualTo(404);
        }
    }

    @Test
    void eventsFlowBothWaysAndTheCloudTellsTheTime() throws Exception {
        Api owner = cloud.newUser();
        try (DeviceOsTestDevice d = connected(owner);
             SseStream stream = SseStream.open(cloud.baseUrl(), "/v1/devices/events/boson", owner.token())) {
            CoapMessage sub = d.subscribe("boson-test");
            assertThat(sub.type()).isEqualTo(CoapMessage.ACK);
            CoapMessage ack = d.publish("boson-up", "from the device");
            assertThat(ack.type()).isEqualTo(CoapMessage.ACK);
            assertThat(ack.code()).isEqualTo(CoapMessage.EMPTY);
            SseStream.Received up = stream.next(Duration.ofSeconds(10));
            assertThat(up.name()).isEqualTo("boson-up");
            assertThat(up.data().get("data").asText()).isEqualTo("from the device");
            assertThat(up.data().get("coreid").asText()).isEqualTo(d.id);

            assertThat(owner.postForm("/v1/devices/events", Map.of("name", "boson-test/x", "data", "to the device")).status())
                    .isEqualTo(200);
            String[] down = d.events.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(down).containsExactly("boson-test/x", "to the device");

            // The cloud's clock (the test's, standing still) sets the device's.
            cloud.clock.advance(Duration.ofSeconds(3));
            long expected = cloud.clock.millis() / 1000;
            CoapMessage t = d.time();
            assertThat(t.code()).isEqualTo(CoapMessage.CONTENT);
            assertThat(t.options()).isEmpty();
            long cloudTime = ByteBuffer.wrap(t.payload()).getInt() & 0xFFFFFFFFL;
            assertThat(cloudTime).isEqualTo(expected);
            assertThat(d.ping().type()).isEqualTo(CoapMessage.ACK);
        }
    }

    @Test
    void anUnknownKeyGetsNoSessionAndAHelloInAnotherDevicesNameIsRefused() throws Exception {
        try (DeviceOsTestDevice stranger = new DeviceOsTestDevice(DeviceIds.random(), DeviceKeysTest.ecKey(), serverKey, udp())) {
            assertThat(stranger.handshake()).isFalse();
        }
        Api owner = cloud.newUser();
        try (DeviceOsTestDevice d = connected(owner); DeviceOsTestDevice other = connected(owner)) {
            // The second device's key, the first device's ID in the hello: refused, and the first stays as it was.
            other.hello(d.id, 32, 0xFFFF);
            await().atMost(Duration.ofSeconds(10)).until(other::resetByCloud);
            await().atMost(Duration.ofSeconds(10)).until(() -> !cloud.boson().devices().find(other.id).orElseThrow().online());
            assertThat(cloud.boson().devices().find(d.id).orElseThrow().online()).isTrue();
        }
    }

    @Test
    void aDeviceSilentPastItsKeepAliveGoesOfflineAndResumesItsSessionWithoutAHandshake() throws Exception {
        Api owner = cloud.newUser();
        try (DeviceOsTestDevice d = connected(owner)) {
            d.functions.put("led", arg -> 7);
            d.describe();
            assertThat(d.subscribe("boson-resume").type()).isEqualTo(CoapMessage.ACK);
            await().atMost(Duration.ofSeconds(10)).until(() -> owner.get("/v1/devices/" + d.id).json().get("functions").size() == 1);
            // Silent for longer than a Wi-Fi device's keep-alive allows: offline.
            cloud.clock.advance(DeviceOsGateway.WIFI_SILENCE.plusSeconds(5));
            await().atMost(Duration.ofSeconds(10)).until(() -> !cloud.boson().devices().find(d.id).orElseThrow().online());
            // Device OS wakes and resumes its session: a ping on the same DTLS session, no hello, nothing described again.
            assertThat(d.ping().type()).isEqualTo(CoapMessage.ACK);
            await().atMost(Duration.ofSeconds(10)).until(() -> cloud.boson().devices().find(d.id).orElseThrow().online());
            // What it said before holds: its function answers, its subscription receives.
            assertThat(owner.postForm("/v1/devices/" + d.id + "/led", Map.of("arg", "x")).json().get("return_value").asInt())
                    .isEqualTo(7);
            assertThat(owner.postForm("/v1/devices/events", Map.of("name", "boson-resume/1", "data", "again")).status())
                    .isEqualTo(200);
            assertThat(d.events.poll(10, java.util.concurrent.TimeUnit.SECONDS)).containsExactly("boson-resume/1", "again");
        }
    }

    @Test
    void aGoodbyeTakesTheDeviceOfflineAtOnceAndItsSessionResumesLater() throws Exception {
        Api owner = cloud.newUser();
        try (DeviceOsTestDevice d = connected(owner)) {
            d.send(new CoapMessage(CoapMessage.CON, CoapMessage.POST, d.nextId(), CoapMessage.NO_TOKEN, java.util.List.of(CoapMessage.path("x")),
                    new byte[]{1, 2}));
            await().atMost(Duration.ofSeconds(10)).until(() -> !cloud.boson().devices().find(d.id).orElseThrow().online());
            assertThat(owner.get("/v1/devices/" + d.id).json().get("last_disconnect_reason").asText()).isEqualTo("device disconnected");
            assertThat(d.ping().type()).isEqualTo(CoapMessage.ACK);
            await().atMost(Duration.ofSeconds(10)).until(() -> cloud.boson().devices().find(d.id).orElseThrow().online());
        }
    }

    @Test
    void signalVitalsAndClaimCodesMapToTheirDeviceOsMessages() throws Exception {
        Api owner = cloud.newUser();
        try (DeviceOsTestDevice d = connected(owner)) {
            // Signal: PUT /s with the on/off byte as Uri-Query (Device OS reads it at a fixed offset).
            assertThat(owner.putJson("/v1/devices/" + d.id, Map.of("signal", "1")).status()).isEqualTo(200);
            CoapMessage signal = null;
            for (int i = 0; i < 20 && signal == null; i++) {
                CoapMessage m = d.next(Duration.ofMillis(500));
                if (m != null && m.code() == CoapMessage.PUT && m.path().equals(java.util.List.of("s"))) signal = m;
            }
            assertThat(signal).isNotNull();
            assertThat(signal.token()).hasSize(1);
            assertThat(signal.option(CoapMessage.URI_QUERY).value()).containsExactly(1);

            // Vitals: Device OS's binary metrics (POST /d?4): id/value pairs, little-endian.
            ByteBuffer metrics = ByteBuffer.allocate(7 + 12).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            metrics.put((byte) 0).putShort((short) 4).putShort((short) 2).putShort((short) 4);
            metrics.putShort((short) 6).putInt(3600).putShort((short) 31).putInt(42);
            int mid = d.nextId();
            d.send(new CoapMessage(CoapMessage.CON, CoapMessage.POST, mid, new byte[]{3},
                    java.util.List.of(CoapMessage.path("d"), CoapMessage.query(new byte[]{4})), metrics.array()));
            assertThat(d.awaitAck(mid)).isNotNull();
            await().atMost(Duration.ofSeconds(10)).until(() -> owner.get("/v1/diagnostics/" + d.id + "/last").status() == 200);
            JsonNode payload = owner.get("/v1/diagnostics/" + d.id + "/last").json().get("diagnostics").get("payload");
            assertThat(payload.get("uptime").asInt()).isEqualTo(3600);
            assertThat(payload.get("rtt").asInt()).isEqualTo(42);
        }
        // A claim code, published as Device OS does (spark/device/claim/code), claims the device to the code's owner.
        Api claimer = cloud.newUser();
        String code = claimer.postJson("/v1/device_claims", Map.of()).json().get("claim_code").asText();
        String id = DeviceIds.random();
        KeyPair key = DeviceKeysTest.ecKey();
        assertThat(cloud.admin().postForm("/v1/provisioning/" + id, DeviceKeysTest.form(id, key.getPublic(), "ecc")).status())
                .isEqualTo(200);
        try (DeviceOsTestDevice unclaimed = new DeviceOsTestDevice(id, key, serverKey, udp())) {
            assertThat(unclaimed.handshake()).isTrue();
            assertThat(unclaimed.hello(id, 32, 0xFFFF)).isNotNull();
            assertThat(unclaimed.publish("spark/device/claim/code", code).type()).isEqualTo(CoapMessage.ACK);
            await().atMost(Duration.ofSeconds(10)).until(() -> claimer.get("/v1/devices/" + id).status() == 200);
            assertThat(claimer.get("/v1/devices/" + id).json().get("online").asBoolean()).isTrue();
        }
    }

    @Test
    void aCellularDeviceHasItsDatagramsMeteredAsCellularDataAndAWifiOneNot() throws Exception {
        Api owner = cloud.newUser();
        String id = DeviceIds.random();
        KeyPair key = DeviceKeysTest.ecKey();
        assertThat(cloud.admin().postForm("/v1/provisioning/" + id, DeviceKeysTest.form(id, key.getPublic(), "ecc")).status())
                .isEqualTo(200);
        try (DeviceOsTestDevice boron = new DeviceOsTestDevice(id, key, serverKey, udp()); DeviceOsTestDevice argon = connected(owner)) {
            assertThat(boron.handshake()).isTrue();
            assertThat(boron.hello(id, 13, 0xFFFF)).isNotNull();
            await().atMost(Duration.ofSeconds(10)).until(() -> cloud.boson().devices().find(id).map(x -> x.online()).orElse(false));
            assertThat(owner.postJson("/v1/devices", Map.of("id", id)).status()).isEqualTo(200);
            cloud.boson().usage().flush();
            long before = cellularBytes(owner, id);
            // The handshake (about a kilobyte both ways) and the hello crossed before the platform was known.
            assertThat(before).isGreaterThan(800);
            String data = "x".repeat(1000);
            assertThat(boron.publish("cell", data).code()).isEqualTo(CoapMessage.EMPTY);
            assertThat(argon.publish("wifi", data).code()).isEqualTo(CoapMessage.EMPTY);
            cloud.boson().usage().flush();
            long delta = cellularBytes(owner, id) - before;
            // The event's datagram (1000 bytes of data, CoAP, the DTLS record) and its acknowledgement.
            assertThat(delta).isBetween(1000L + 30, 1000L + 200);
            assertThat(cellularBytes(owner, argon.id)).isZero();
        }
    }

    static long cellularBytes(Api caller, String deviceId) {
        Api.Response r = caller.get("/v1/sims/" + deviceId + "/data_usage");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return Math.round(r.json().get("total_mbs_used").asDouble() * 1_000_000);
    }

    @Test
    void aNewKeyEndsTheSessionOpenedWithTheOldOne() throws Exception {
        Api owner = cloud.newUser();
        try (DeviceOsTestDevice d = connected(owner)) {
            assertThat(owner.postForm("/v1/provisioning/" + d.id, DeviceKeysTest.form(d.id, DeviceKeysTest.ecKey().getPublic(), "ecc"))
                    .status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(d::resetByCloud);
            await().atMost(Duration.ofSeconds(10)).until(() -> !cloud.boson().devices().find(d.id).orElseThrow().online());
        }
    }
}
