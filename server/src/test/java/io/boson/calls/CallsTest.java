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
