package io.boson.compat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.device.BosonDevice;
import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** particle-api-js's product firmware calls and particle-cli's {@code cloud flash} against a running server. */
@Tag("compat")
class ParticleFirmwareCompatibilityTest extends CompatTestBase {

    private static BosonDevice device(TestCloud.Credentials c, Integer product, Integer version) {
        var b = BosonDevice.builder().deviceId(c.id()).secret(c.secret()).host("127.0.0.1").port(cloud.mqttPort());
        if (product != null) b.productId(product).productVersion(version);
        return b.build();
    }

    @Test
    void apiJsFirmwareCalls() throws Exception {
        Account a = account();
        long product = cloud.newProduct(a.api(), "ApiJs Firmware");
        TestCloud.Credentials c = cloud.productDevice(a.api(), product);
        String devDevice = cloud.productDevice(a.api(), product).id();
        a.api().postJson("/v1/products/" + product + "/groups", Map.of("name", "beta"));
        BosonDevice d = device(c, (int) product, 1);
        d.connect().join();
        try {
            Map<String, String> env = Map.of("BOSON_BASE_URL", cloud.baseUrl(), "BOSON_TOKEN", a.api().token(),
                    "BOSON_PRODUCT", Long.toString(product), "BOSON_DEVICE_ID", c.id(), "BOSON_DEV_DEVICE_ID", devDevice);
            Run run;
            try (Proc script = start("node api-js-firmware.mjs",
                    List.of("node", compat.resolve("api-js-firmware.mjs").toString()), env, tmp)) {
                run = script.waitFor(Duration.ofSeconds(60));
            }
            Map<String, JsonNode> ok = new LinkedHashMap<>();
            List<String> failed = new ArrayList<>();
            for (String line : run.lines()) {
                String[] parts = line.split(" ", 3);
                if (parts[0].equals("OK")) ok.put(parts[1], parts.length > 2 ? Api.JSON.readTree(parts[2]) : null);
                if (parts[0].equals("FAIL")) failed.add(line);
            }
            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(failed).as("failed api-js steps; output: %s", run).isEmpty();
            soft.assertThat(ok.keySet()).as(run.toString()).containsExactly("uploadProductFirmware:2", "uploadProductFirmware:3",
                    "listProductFirmware", "releaseProductFirmware:default", "releaseProductFirmware:groups",
                    "releaseProductFirmware:intelligent", "markAsDevelopmentDevice", "lockDeviceProductFirmware",
                    "unlockDeviceProductFirmware");
            if (ok.get("uploadProductFirmware:2") != null) {
                soft.assertThat(ok.get("uploadProductFirmware:2").path("size").asInt()).isEqualTo(40000);
                soft.assertThat(ok.get("uploadProductFirmware:2").path("name").asText()).isEqualTo("firmware.bin");
            }
            if (ok.get("listProductFirmware") != null) {
                soft.assertThat(ok.get("listProductFirmware").findValuesAsText("version")).containsExactly("3", "2");
            }
            if (ok.get("releaseProductFirmware:intelligent") != null) {
                soft.assertThat(ok.get("releaseProductFirmware:intelligent").path("intelligent").asBoolean()).isTrue();
                soft.assertThat(ok.get("releaseProductFirmware:intelligent").path("groups").get(0).asText()).isEqualTo("beta");
            }
            soft.assertAll();
            // The lock with flash reached the connected device at once.
            await().atMost(Duration.ofSeconds(15)).until(() -> d.productVersion() == 2);
            JsonNode firmware2 = a.api().get("/v1/products/" + product + "/firmware/2").json();
            assertThat(firmware2.get("product_default").asBoolean()).isTrue();
            assertThat(a.api().get("/v1/products/" + product + "/devices/" + devDevice).json().get("development").asBoolean())
                    .isTrue();
            assertThat(a.api().get("/v1/products/" + product + "/devices/" + c.id()).json().get("desired_firmware_version")
                    .isNull()).isTrue();
        } finally {
            d.disconnect().join();
        }
    }

    @Test
    void cliCloudFlash() throws Exception {
        Account a = account();
        TestCloud.Credentials c = cloud.registerDevice();
        BosonDevice d = device(c, null, null);
        d.connect().join();
        try {
            assertThat(a.api().postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
            byte[] image = new byte[30_000];
            new Random(5).nextBytes(image);
            image[0] = 0;
            Path file = Files.write(a.home().resolve("app.bin"), image);
            Run flash = particle(a.home(), "cloud", "flash", c.id(), file.toString());
            assertThat(flash.exit()).as(flash.toString()).isZero();
            assertThat(flash.stdout()).as(flash.toString()).contains("Flash success!");
            await().atMost(Duration.ofSeconds(15)).until(() -> d.firmwareApplied() == 1);
            await().atMost(Duration.ofSeconds(15)).until(() -> a.api().get("/v1/devices/" + c.id()).json()
                    .at("/firmware_update/last_attempt/state").asText().equals("success"));
        } finally {
            d.disconnect().join();
        }
    }
}
