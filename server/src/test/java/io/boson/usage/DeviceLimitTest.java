package io.boson.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Free allows 100 devices over all of an owner's products and developer devices, counted from their
 * first connection: the 101st is refused when it first connects, while importing a 101st is fine.
 * Growth never refuses: going over a block adds one for the next month.
 */
class DeviceLimitTest {

    @Test
    void theHundredAndFirstDeviceIsRefusedAtItsFirstConnectionWhileImportingItIsFine() {
        try (TestCloud cloud = TestCloud.start(b -> b)) {
            Api owner = cloud.newUser();
            long product = cloud.newProduct(owner, "hundred");
            List<TestCloud.Credentials> devices = cloud.registerDevices(101);
            List<String> ids = devices.stream().map(TestCloud.Credentials::id).toList();
            // Importing all 101 is fine: importing alone never counts.
            Api.Response imported = owner.postJson("/v1/products/" + product + "/devices", Map.of("ids", ids));
            assertThat(imported.json().get("updated").asInt()).as(imported.toString()).isEqualTo(101);
            for (int i = 0; i < 99; i++) {
                Connections.Answer a = Connections.connect(cloud.mqttPort(), devices.get(i));
                assertThat(a.accepted()).as("device %d: %s", i, a).isTrue();
                a.close();
            }
            // A developer device of the same owner counts too: the 100th.
            TestCloud.Credentials dev = cloud.registerDevice();
            Connections.Answer devConn = Connections.connect(cloud.mqttPort(), dev);
            assertThat(owner.postJson("/v1/devices", Map.of("id", dev.id())).status()).isEqualTo(200);
            devConn.close();
            Usage.flush(cloud);
            JsonNode summary = Usage.agreement(owner, "/v1/user").get("attributes").get("current_usage_summary");
            assertThat(summary.get("devices").get("used").asLong()).isEqualTo(100);
            assertThat(summary.get("device_limit_reached").asBoolean()).isTrue();
            assertThat(PausingTest.notices(owner, "/v1/user", "usage_threshold"))
                    .containsExactlyInAnyOrder("devices@70", "devices@90", "devices@100");

            Connections.Answer refused = Connections.connect(cloud.mqttPort(), devices.get(99));
            assertThat(refused.code()).isEqualTo(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED);
            assertThat(refused.reason()).contains("Device limit reached").contains("100");
            // Devices already counted keep connecting; the imported 101st that never connected still counts nothing.
            Connections.Answer counted = Connections.connect(cloud.mqttPort(), devices.get(0));
            assertThat(counted.accepted()).isTrue();
            counted.close();
            assertThat(Usage.agreement(owner, "/v1/user").get("attributes").get("current_usage_summary").get("devices")
                    .get("used").asLong()).isEqualTo(100);

            // On Growth the 101st connects; the month went over its block, so the next month has two.
            Api.Response growth = cloud.admin().putJson("/v1/admin/usage/users/" + owner.get("/v1/user").json().get("username")
                    .asText() + "/plan", Map.of("plan", "growth", "blocks", 1));
            assertThat(growth.status()).as(growth.toString()).isEqualTo(200);
            Connections.Answer growing = Connections.connect(cloud.mqttPort(), devices.get(99));
            assertThat(growing.accepted()).as(growing.toString()).isTrue();
            growing.close();
            Usage.flush(cloud);
            assertThat(PausingTest.notices(owner, "/v1/user", "blocks_added")).containsExactly("devices");
            assertThat(Usage.agreement(owner, "/v1/user").get("attributes").get("blocks").asInt()).isEqualTo(1);
            cloud.clock.advance(Duration.between(cloud.clock.instant(), Instant.parse("2026-12-01T00:00:00Z")));
            JsonNode december = Usage.agreement(owner, "/v1/user").get("attributes");
            assertThat(december.get("blocks").asInt()).isEqualTo(2);
            assertThat(december.get("pricing_terms").get("max_devices").asLong()).isEqualTo(200);
            assertThat(december.get("pricing_terms").get("max_data_operations").asLong()).isEqualTo(1_440_000);
            // Another owner's agreement is not found.
            assertThat(owner.get("/v1/user/service_agreements/u0/notifications").status()).isEqualTo(404);
        }
    }

    /**
     * A device that connects while nobody owns it is admitted and counts toward no one; once claimed
     * it counts toward its new owner, and past a Free owner's device limit it is stopped and refused
     * as it would have been at its first connection.
     */
    @Test
    void aDeviceClaimedWhileConnectedCountsAndIsStoppedPastTheLimit() {
        UsageSettings small = UsageSettings.defaults().withFree(new UsageSettings.Limits(2, 100_000, 100 * UsageSettings.Limits.MB, 0));
        try (TestCloud cloud = TestCloud.start(b -> b.usage(small))) {
            Api owner = cloud.newUser();
            try (TestDevice first = cloud.claimedDevice(owner); TestDevice second = cloud.claimedDevice(owner)) {
                TestCloud.Credentials c = cloud.registerDevice();
                TestDevice third = TestDevice.connect(cloud, c);
                assertThat(third.connected()).isTrue();

                assertThat(owner.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);

                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> !owner.get("/v1/devices/" + c.id()).json().get("online").asBoolean());
                assertThat(owner.get("/v1/devices/" + c.id()).json().get("last_disconnect_reason").asText())
                        .contains("Device limit reached").contains("2 devices");
                Connections.Answer again = Connections.connect(cloud.mqttPort(), c);
                assertThat(again.code()).isEqualTo(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED);
                assertThat(first.connected()).isTrue();
                assertThat(second.connected()).isTrue();
                Usage.flush(cloud);
                assertThat(Usage.agreement(owner, "/v1/user").get("attributes").get("current_usage_summary").get("devices")
                        .get("used").asLong()).isEqualTo(2);
            }
        }
    }
}
