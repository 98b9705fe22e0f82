package io.boson.calls;

import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CallsTest {

    static TestCloud cloud;

    @BeforeAll
    static void start() {
        cloud = TestCloud.start(Duration.ofMillis(500));
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    /** Calls read the device from memory; what changes it must show at once, not after the cache expires. */
    @Test
    void callsSeeOwnershipDescribeAndPresenceChangesAtOnce() {
        Api user = cloud.newUser();
        TestCloud.Credentials c = cloud.registerDevice();
        TestDevice device = TestDevice.connect(cloud, c);
        assertThat(user.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
        String fn = "/v1/devices/" + device.id + "/led";
        assertThat(user.postJson(fn, Map.of("arg", "on")).json().get("return_value").asInt()).isEqualTo(1);
        // A new describe without the function: the next call no longer finds it.
        device.describe("{\"f\":[],\"v\":{},\"platform_id\":13}");
        assertThat(user.postJson(fn, Map.of("arg", "on")).status()).isEqualTo(404);
        device.describe("{\"f\":[\"led\"],\"v\":{},\"platform_id\":13}");
        assertThat(user.postJson(fn, Map.of("arg", "on")).json().get("return_value").asInt()).isEqualTo(1);
        // Unclaimed: the former owner's next call is "Permission Denied", as for any device they cannot see.
        assertThat(user.delete("/v1/devices/" + device.id).status()).isEqualTo(200);
        assertThat(user.postJson(fn, Map.of("arg", "on")).status()).isEqualTo(403);
        Api next = cloud.newUser();
        assertThat(next.postJson("/v1/devices", Map.of("id", device.id)).status()).isEqualTo(200);
        assertThat(next.postJson(fn, Map.of("arg", "on")).json().get("return_value").asInt()).isEqualTo(1);
        // Gone offline and back: refused while away, served once it is back.
        device.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> next.postJson(fn, Map.of("arg", "on")).json()
                .path("error").asText().equals("Device not connected"));
        try (TestDevice back = TestDevice.connect(cloud, c)) {
            assertThat(next.postJson(fn, Map.of("arg", "on")).json().get("return_value").asInt()).isEqualTo(1);
        }
    }

    /** Calls answer with the device's name: a rename (developer or product route) shows at once, not after the cache expires. */
    @Test
    void callsAnswerWithANameJustEdited() {
        Api user = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(user)) {
            String fn = "/v1/devices/" + device.id + "/led";
            String variable = "/v1/devices/" + device.id + "/temp";
            assertThat(user.postJson(fn, Map.of("arg", "on")).status()).isEqualTo(200);
            assertThat(user.get(variable).status()).isEqualTo(200);
            assertThat(user.putJson("/v1/devices/" + device.id, Map.of("name", "kitchen")).status()).isEqualTo(200);
            assertThat(user.postJson(fn, Map.of("arg", "on")).json().get("name").asText()).isEqualTo("kitchen");
            assertThat(user.get(variable).json().get("coreInfo").get("name").asText()).isEqualTo("kitchen");
        }
        long product = cloud.newProduct(user, "renames-" + System.nanoTime());
        TestCloud.Credentials c = cloud.productDevice(user, product);
        try (TestDevice device = TestDevice.connect(cloud, c)) {
            String fn = "/v1/products/" + product + "/devices/" + device.id + "/led";
            assertThat(user.postJson(fn, Map.of("arg", "on")).status()).isEqualTo(200);
            assertThat(user.putJson("/v1/products/" + product + "/devices/" + device.id, Map.of("name", "pump-7")).status())
                    .isEqualTo(200);
            assertThat(user.postJson(fn, Map.of("arg", "on")).json().get("name").asText()).isEqualTo("pump-7");
        }
    }

    @Test
    void functionCallWithArgsOrArgAsJsonOrForm() {
        Api user = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(user)) {
            Api.Response r = user.postJson("/v1/devices/" + device.id + "/led", Map.of("args", "on"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("return_value").asInt()).isEqualTo(1);
            assertThat(r.json().get("id").asText()).isEqualTo(device.id);
            assertThat(r.json().get("connected").asBoolean()).isTrue();
            assertThat(user.postForm("/v1/devices/" + device.id + "/led", Map.of("arg", "off")).json()
                    .get("return_value").asInt()).isZero();
            assertThat(user.postJson("/v1/devices/" + device.id + "/led", Map.of("arg", "blink")).json()
                    .get("return_value").asInt()).isEqualTo(-1);
            Api.Response raw = user.postJson("/v1/devices/" + device.id + "/led?format=raw", Map.of("args", "on"));
            assertThat(raw.body()).isEqualTo("1");
            Api.Response unknown = user.postJson("/v1/devices/" + device.id + "/nope", Map.of("args", "x"));
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.json().get("error").asText()).contains("nope");
            Api.Response big = user.postJson("/v1/devices/" + device.id + "/led", Map.of("args", "x".repeat(1025)));
            assertThat(big.status()).isEqualTo(400);
        }
    }

    @Test
    void variablesOfAllFourTypes() {
        Api user = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(user)) {
            user.putJson("/v1/devices/" + device.id, Map.of("name", "probe"));
            Api.Response temp = user.get("/v1/devices/probe/temp");
            assertThat(temp.status()).isEqualTo(200);
            assertThat(temp.json().get("name").asText()).isEqualTo("temp");
            assertThat(temp.json().get("result").isDouble()).isTrue();
            assertThat(temp.json().get("result").asDouble()).isEqualTo(21.5);
            assertThat(temp.json().get("coreInfo").get("deviceID").asText()).isEqualTo(device.id);
            assertThat(temp.json().get("coreInfo").get("connected").asBoolean()).isTrue();
            assertThat(user.get("/v1/devices/probe/count").json().get("result").isInt()).isTrue();
            assertThat(user.get("/v1/devices/probe/count").json().get("result").asInt()).isEqualTo(42);
            assertThat(user.get("/v1/devices/probe/label").json().get("result").asText()).isEqualTo("kitchen");
            assertThat(user.get("/v1/devices/probe/armed").json().get("result").isBoolean()).isTrue();
            assertThat(user.get("/v1/devices/probe/temp?format=raw").body()).isEqualTo("21.5");
            assertThat(user.get("/v1/devices/probe/missing").status()).isEqualTo(404);
        }
    }

    @Test
    void offlineDeviceIs404AndSilentDeviceIs408() {
        Api user = cloud.newUser();
        TestDevice device = cloud.claimedDevice(user);
        device.silent();
        Api.Response timeout = user.postJson("/v1/devices/" + device.id + "/led", Map.of("args", "on"));
        assertThat(timeout.status()).isEqualTo(408);
        assertThat(timeout.json().get("ok").asBoolean()).isFalse();
        assertThat(user.get("/v1/devices/" + device.id + "/temp").status()).isEqualTo(408);
        device.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> !user.get("/v1/devices/" + device.id).json().get("online").asBoolean());
        Api.Response offline = user.postJson("/v1/devices/" + device.id + "/led", Map.of("args", "on"));
        assertThat(offline.status()).isEqualTo(404);
        assertThat(offline.json().get("error").asText()).isEqualTo("Device not connected");
        assertThat(user.get("/v1/devices/" + device.id + "/temp").status()).isEqualTo(404);
    }

    @Test
    void deviceReportedErrorIsA4xxNotA500() {
        Api user = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(user)) {
            device.describe("{\"f\":[\"led\",\"ghost\"],\"v\":{\"phantom\":\"int32\"}}");
            Api.Response r = user.postJson("/v1/devices/" + device.id + "/ghost", Map.of("args", ""));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().get("error").asText()).isEqualTo("unknown function");
            assertThat(user.get("/v1/devices/" + device.id + "/phantom").status()).isEqualTo(400);
        }
    }
}
