package io.boson.devices;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class DeviceApiTest extends CloudTest {

    @Test
    void adminRegistersDevicesAndSecretsAreShownOnce() {
        Api.Response r = cloud.admin().postJson("/v1/admin/devices", Map.of("platform_id", 13, "count", 3));
        assertThat(r.status()).isEqualTo(201);
        JsonNode devices = r.json().get("devices");
        assertThat(devices).hasSize(3);
        for (JsonNode d : devices) {
            assertThat(d.get("id").asText()).matches("[0-9a-f]{24}");
            assertThat(d.get("secret").asText()).hasSizeGreaterThanOrEqualTo(32);
        }
        Api.Response byIds = cloud.admin().postJson("/v1/admin/devices",
                Map.of("platform_id", 13, "ids", List.of("aaaaaaaaaaaaaaaaaaaaaaa1", "aaaaaaaaaaaaaaaaaaaaaaa2")));
        assertThat(byIds.status()).isEqualTo(201);
        Api.Response again = cloud.admin().postJson("/v1/admin/devices",
                Map.of("platform_id", 13, "ids", List.of("aaaaaaaaaaaaaaaaaaaaaaa1")));
        assertThat(again.status()).isEqualTo(409);
        Api.Response badId = cloud.admin().postJson("/v1/admin/devices", Map.of("platform_id", 13, "ids", List.of("XYZ")));
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.json().get("ok").asBoolean()).isFalse();
        Api.Response badPlatform = cloud.admin().postJson("/v1/admin/devices", Map.of("platform_id", 999, "count", 1));
        assertThat(badPlatform.status()).isEqualTo(400);
        Api.Response notAdmin = cloud.newUser().postJson("/v1/admin/devices", Map.of("platform_id", 13, "count", 1));
        assertThat(notAdmin.status()).isEqualTo(403);
    }

    @Test
    void claimRenameListGetAndRemove() {
        Api user = cloud.newUser();
        TestCloud.Credentials c = cloud.registerDevice();
        try (TestDevice device = TestDevice.connect(cloud, c)) {
            Api.Response claim = user.postJson("/v1/devices", Map.of("id", c.id().toUpperCase(), "request_transfer", false));
            assertThat(claim.status()).isEqualTo(200);
            assertThat(claim.json().get("ok").asBoolean()).isTrue();

            Api.Response rename = user.putJson("/v1/devices/" + c.id(), Map.of("name", "kitchen_sensor"));
            assertThat(rename.status()).isEqualTo(200);
            assertThat(rename.json().get("name").asText()).isEqualTo("kitchen_sensor");

            JsonNode list = user.get("/v1/devices").json();
            assertThat(list).hasSize(1);
            JsonNode d = list.get(0);
            assertThat(d.get("id").asText()).isEqualTo(c.id());
            assertThat(d.get("name").asText()).isEqualTo("kitchen_sensor");
            assertThat(d.get("connected").asBoolean()).isTrue();
            assertThat(d.get("online").asBoolean()).isTrue();
            assertThat(d.get("product_id").asInt()).isEqualTo(13);
            assertThat(d.get("platform_id").asInt()).isEqualTo(13);
            assertThat(d.get("functions")).extracting(JsonNode::asText).containsExactly("led");
            assertThat(d.get("variables").get("temp").asText()).isEqualTo("double");
            assertThat(d.get("system_firmware_version").asText()).isEqualTo("6.3.0");
            assertThat(d.get("last_handshake_at").asText()).endsWith("Z");

            // By name, as particle-cli sends it in the <id> slot.
            JsonNode byName = user.get("/v1/devices/kitchen_sensor").json();
            assertThat(byName.get("id").asText()).isEqualTo(c.id());

            Api.Response notes = user.putJson("/v1/devices/kitchen_sensor", Map.of("notes", "on the shelf"));
            assertThat(notes.json().get("notes").asText()).isEqualTo("on the shelf");

            Api.Response remove = user.delete("/v1/devices/" + c.id());
            assertThat(remove.status()).isEqualTo(200);
            assertThat(remove.json().get("ok").asBoolean()).isTrue();
            assertThat(user.get("/v1/devices").json()).isEmpty();
            Api.Response gone = user.get("/v1/devices/" + c.id());
            assertThat(gone.status()).isEqualTo(403);
            assertThat(gone.json().get("info").asText()).contains("I didn't recognize that device name or ID");
        }
    }

    @Test
    void claimingRules() {
        Api alice = cloud.newUser();
        Api bob = cloud.newUser();
        TestCloud.Credentials c = cloud.registerDevice();
        Api.Response offline = alice.postJson("/v1/devices", Map.of("id", c.id()));
        assertThat(offline.status()).isEqualTo(400);
        assertThat(offline.json().get("error").asText()).contains("online");
        try (TestDevice ignored = TestDevice.connect(cloud, c)) {
            assertThat(alice.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
            // Claiming again is harmless; someone else gets Particle's transfer message.
            assertThat(alice.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
            Api.Response taken = bob.postJson("/v1/devices", Map.of("id", c.id()));
            assertThat(taken.status()).isEqualTo(403);
            assertThat(taken.json().get("error").asText()).isEqualTo("That belongs to someone else.");
        }
        // A malformed ID is answered as an unknown device, as Particle does.
        for (String unknown : List.of("not-an-id", "1234567890", "0123456789abcdef01234567")) {
            Api.Response r = alice.postJson("/v1/devices", Map.of("id", unknown));
            assertThat(r.status()).as(unknown).isEqualTo(404);
            assertThat(r.json().get("error").asText()).isEqualTo("device not found");
        }
        assertThat(alice.postJson("/v1/devices", Map.of()).status()).isEqualTo(400);
    }

    @Test
    void namesAreValidatedAndUniquePerOwner() {
        Api user = cloud.newUser();
        try (TestDevice a = cloud.claimedDevice(user); TestDevice b = cloud.claimedDevice(user)) {
            assertThat(user.putJson("/v1/devices/" + a.id, Map.of("name", "garage")).status()).isEqualTo(200);
            Api.Response dup = user.putJson("/v1/devices/" + b.id, Map.of("name", "garage"));
            assertThat(dup.status()).isEqualTo(409);
            Api.Response bad = user.putJson("/v1/devices/" + b.id, Map.of("name", "has space"));
            assertThat(bad.status()).isEqualTo(400);
            Api.Response malformed = user.send(user.request("/v1/devices/" + b.id).header("Content-Type", "application/json")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{not json")));
            assertThat(malformed.status()).isEqualTo(400);
            assertThat(malformed.json().get("ok").asBoolean()).isFalse();
        }
    }

    @Test
    void oneAccountNeverSeesAnothersDevices() {
        Api alice = cloud.newUser();
        Api bob = cloud.newUser();
        try (TestDevice d = cloud.claimedDevice(alice)) {
            alice.putJson("/v1/devices/" + d.id, Map.of("name", "secret_thing"));
            assertThat(bob.get("/v1/devices").json()).isEmpty();
            assertThat(bob.get("/v1/devices/" + d.id).status()).isEqualTo(403);
            assertThat(bob.get("/v1/devices/secret_thing").status()).isEqualTo(403);
            assertThat(bob.putJson("/v1/devices/" + d.id, Map.of("name", "mine")).status()).isEqualTo(403);
            assertThat(bob.delete("/v1/devices/" + d.id).status()).isEqualTo(403);
            assertThat(bob.postJson("/v1/devices/" + d.id + "/led", Map.of("args", "on")).status()).isEqualTo(403);
            assertThat(bob.get("/v1/devices/" + d.id + "/temp").status()).isEqualTo(403);
            assertThat(bob.send(bob.request("/v1/devices/" + d.id + "/ping").PUT(java.net.http.HttpRequest.BodyPublishers.noBody()))
                    .status()).isEqualTo(403);
            assertThat(alice.get("/v1/devices/" + d.id).json().get("name").asText()).isEqualTo("secret_thing");
        }
    }

    @Test
    void claimCodeClaimsTheDeviceThatPresentsIt() {
        Api user = cloud.newUser();
        Api.Response code = user.postJson("/v1/device_claims", Map.of());
        assertThat(code.status()).isEqualTo(200);
        String claimCode = code.json().get("claim_code").asText();
        TestCloud.Credentials c = cloud.registerDevice();
        try (TestDevice device = TestDevice.connect(cloud, c)) {
            assertThat(device.publishRaw("k", claimCode.getBytes(StandardCharsets.UTF_8)).getCode()).isZero();
            assertThat(user.get("/v1/devices/" + c.id()).status()).isEqualTo(200);
            // Single use: a second device cannot use it.
            TestCloud.Credentials c2 = cloud.registerDevice();
            try (TestDevice second = TestDevice.connect(cloud, c2)) {
                assertThat(second.publishRaw("k", claimCode.getBytes(StandardCharsets.UTF_8)).getCode()).isEqualTo(0x87);
                assertThat(user.get("/v1/devices/" + c2.id()).status()).isEqualTo(403);
            }
        }
    }

    @Test
    void expiredClaimCodeIsRefused() {
        Api user = cloud.newUser();
        String claimCode = user.postJson("/v1/device_claims", Map.of()).json().get("claim_code").asText();
        cloud.clock.advance(Duration.ofHours(25));
        try (TestDevice device = TestDevice.connect(cloud, cloud.registerDevice())) {
            assertThat(device.publishRaw("k", claimCode.getBytes(StandardCharsets.UTF_8)).getCode()).isEqualTo(0x87);
            assertThat(user.get("/v1/devices").json()).isEmpty();
        }
    }

    @Test
    void vitalsAreKeptAndCanBeRefreshed() {
        Api user = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(user)) {
            device.publishRaw("v", "{\"uptime\":12,\"battery_state\":\"charging\",\"custom\":1}".getBytes(StandardCharsets.UTF_8));
            JsonNode diag = user.get("/v1/diagnostics/" + device.id + "/last").json().get("diagnostics");
            assertThat(diag.get("deviceID").asText()).isEqualTo(device.id);
            assertThat(diag.get("payload").get("uptime").asInt()).isEqualTo(12);
            assertThat(diag.get("payload").get("battery_state").asText()).isEqualTo("charging");
            assertThat(diag.get("payload").get("custom").asInt()).isEqualTo(1);
            Api.Response refresh = user.postJson("/v1/diagnostics/" + device.id + "/update", Map.of());
            assertThat(refresh.status()).isEqualTo(202);
            device.next("c/vitals", Duration.ofSeconds(5));
            assertThat(cloud.newUser().get("/v1/diagnostics/" + device.id + "/last").status()).isEqualTo(403);
        }
    }

    @Test
    void expiredClaimCodesAreDeletedByTheHourlyCleanup() {
        Api user = cloud.newUser();
        user.postJson("/v1/device_claims", Map.of());
        user.postJson("/v1/device_claims", Map.of());
        cloud.clock.advance(Duration.ofHours(25));
        String fresh = user.postJson("/v1/device_claims", Map.of()).json().get("claim_code").asText();
        assertThat(cloud.boson().devices().deleteExpiredClaimCodes()).isGreaterThanOrEqualTo(2);
        assertThat(cloud.boson().devices().deleteExpiredClaimCodes()).isZero();
        // The unexpired one still works.
        try (TestDevice device = TestDevice.connect(cloud, cloud.registerDevice())) {
            assertThat(device.publishRaw("k", fresh.getBytes(StandardCharsets.UTF_8)).getCode()).isZero();
        }
    }

    @Test
    void pingAndSignal() {
        Api user = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(user)) {
            Api.Response ping = user.send(user.request("/v1/devices/" + device.id + "/ping")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.noBody()));
            assertThat(ping.json().get("online").asBoolean()).isTrue();
            Api.Response signal = user.putJson("/v1/devices/" + device.id, Map.of("signal", "1"));
            assertThat(signal.json().get("signaling").asBoolean()).isTrue();
            assertThat(new String(device.next("c/signal", Duration.ofSeconds(5)).getPayloadAsBytes())).isEqualTo("1");
            assertThat(user.putJson("/v1/devices/" + device.id, Map.of("signal", "2")).status()).isEqualTo(400);
            device.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> !user.get("/v1/devices/" + device.id).json().get("online").asBoolean());
            Api.Response offline = user.send(user.request("/v1/devices/" + device.id + "/ping")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.noBody()));
            assertThat(offline.json().get("online").asBoolean()).isFalse();
        }
    }
}
