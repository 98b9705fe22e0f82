package io.boson;

import io.boson.testing.Api;
import io.boson.testing.MutableClock;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The embedded default keeps everything in H2 files: a restart finds accounts and devices again. */
class EmbeddedRestartTest {

    @TempDir
    Path dir;

    private Config config() {
        return Config.defaults().withDataDir(dir).withBindHost("127.0.0.1").withPorts(0, 0)
                .withClock(new MutableClock(Instant.parse("2026-11-25T12:00:00Z")))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    @Test
    void restartKeepsAccountsDevicesAndOwnershipAndCleanShutdownMarksDevicesOffline() throws Exception {
        assumeFalse("postgres".equals(System.getProperty("boson.test.db")), "H2-specific");
        String adminPassword;
        String deviceId;
        try (Boson first = Boson.start(config())) {
            adminPassword = first.generatedAdminPassword().orElseThrow();
            assertThat(adminPassword).hasSizeGreaterThanOrEqualTo(16);
            Api admin = login(first, adminPassword);
            var reg = admin.postJson("/v1/admin/devices", Map.of("platform_id", 13, "count", 1)).json().get("devices").get(0);
            deviceId = reg.get("id").asText();
            TestDevice device = TestDevice.connect(first.mqttPort(),
                    new io.boson.testing.TestCloud.Credentials(deviceId, reg.get("secret").asText()));
            assertThat(admin.postJson("/v1/devices", Map.of("id", deviceId)).status()).isEqualTo(200);
            assertThat(admin.get("/v1/devices/" + deviceId).json().get("online").asBoolean()).isTrue();
            // closing with the device still connected: shutdown must record it offline
        }
        assertThat(Files.exists(dir.resolve("boson.mv.db"))).isTrue();
        try (Boson second = Boson.start(config())) {
            assertThat(second.generatedAdminPassword()).isEmpty();
            Api admin = login(second, adminPassword);
            var device = admin.get("/v1/devices/" + deviceId).json();
            assertThat(device.get("owner").asText()).isEqualTo("admin");
            assertThat(device.get("online").asBoolean()).isFalse();
            assertThat(device.get("last_disconnect_reason").asText()).isEqualTo("server shutting down");
        }
    }

    private static Api login(Boson boson, String password) {
        Api anon = new Api("http://127.0.0.1:" + boson.httpPort(), null);
        var r = anon.postForm("/oauth/token", Map.of("grant_type", "password", "username", "admin",
                "password", password, "client_id", "particle", "client_secret", "particle"));
        assertThat(r.status()).isEqualTo(200);
        return anon.as(r.json().get("access_token").asText());
    }
}
