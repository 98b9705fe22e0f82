package io.boson.deviceos;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A product firmware release reaching a Device OS device in its OTA protocol v3: the cloud's offer
 * becomes UpdateStart, chunks and UpdateFinish; the device installs what the cloud acknowledged and
 * comes back with the new product version, which makes the update a success.
 */
class DeviceOsOtaTest extends DeviceOsCloudTest {

    record Fleet(Api owner, long product, String id, KeyPair key) {
    }

    static Fleet productDevice() throws Exception {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "dos-" + java.util.UUID.randomUUID().toString().substring(0, 8));
        String id = cloud.productDevice(owner, product).id();
        KeyPair key = DeviceKeysTest.ecKey();
        assertThat(cloud.admin().postForm("/v1/provisioning/" + id, DeviceKeysTest.form(id, key.getPublic(), "ecc")).status())
                .isEqualTo(200);
        return new Fleet(owner, product, id, key);
    }

    DeviceOsTestDevice connect(Fleet f, int productVersion) throws Exception {
        DeviceOsTestDevice d = new DeviceOsTestDevice(f.id(), f.key(), serverKey,
                udp());
        assertThat(d.handshake()).isTrue();
        assertThat(d.hello(f.id(), 13, productVersion)).isNotNull();
        d.describe();
        return d;
    }

    static byte[] image(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static void release(Fleet f, int version, byte[] image) {
        Api.Response up = f.owner().multipart("POST", "/v1/products/" + f.product() + "/firmware", "firmware.bin", image,
                Map.of("version", Integer.toString(version), "title", "v" + version, "description", "test build"));
        assertThat(up.status()).isEqualTo(201);
        Api.Response rel = f.owner().putJson("/v1/products/" + f.product() + "/firmware/release", Map.of("version", version,
                "product_default", true, "groups", List.of(), "intelligent", true));
        assertThat(rel.status()).isEqualTo(200);
    }

    JsonNode update(Fleet f) {
        return f.owner().get("/v1/products/" + f.product() + "/devices/" + f.id()).json().get("firmware_update");
    }

    @Test
    void anIntelligentReleaseReachesTheDeviceOverALossyNetworkAndSucceedsWhenItComesBackWithTheNewVersion() throws Exception {
        Fleet f = productDevice();
        byte[] image = image(300_000, 7);
        try (DeviceOsTestDevice d = connect(f, 1)) {
            // Every 13th chunk is lost the first time: the device's bitmap asks for it again.
            d.dropFirst = i -> i % 13 == 0;
            release(f, 2, image);
            await().atMost(Duration.ofSeconds(60)).until(() -> d.installed != null);
            assertThat(d.installed).isEqualTo(image);
            int chunks = (image.length + DeviceOsUpdate.CHUNK - 1) / DeviceOsUpdate.CHUNK;
            assertThat(d.chunksReceived.get()).isGreaterThanOrEqualTo(chunks);
            // The device rebooted into version 2 and resumes its DTLS session (Device OS keeps it across a reset):
            // no handshake, a hello with the new version (flag 0x01: an update was installed) and its describe.
            assertThat(d.hello(f.id(), 13, 2, 0xF7)).isNotNull();
            d.describe();
            await().atMost(Duration.ofSeconds(15)).until(() -> update(f).get("status").asText().equals("up_to_date"));
            JsonNode device = f.owner().get("/v1/products/" + f.product() + "/devices/" + f.id()).json();
            assertThat(device.get("firmware_version").asInt()).isEqualTo(2);
            assertThat(device.get("online").asBoolean()).isTrue();
        }
    }

    @Test
    void aDeviceWithoutOtaV3TakesItsReleaseInTheLegacyTransferAsDeviceOsVirtualDeviceDoes() throws Exception {
        Fleet f = productDevice();
        byte[] image = image(60_000, 11);
        DeviceOsTestDevice d = new DeviceOsTestDevice(f.id(), f.key(), serverKey,
                udp());
        try (d) {
            assertThat(d.handshake()).isTrue();
            // Flags 0x36, as the virtual device (platform gcc) sends them: no 0x80, so no OTA v3.
            assertThat(d.hello(f.id(), 13, 1, 0x36)).isNotNull();
            d.describe();
            // Every 7th chunk is lost the first time: UpdateDone hears 4.00 and the device lists what it lacks.
            d.dropFirst = i -> i % 7 == 0;
            release(f, 2, image);
            await().atMost(Duration.ofSeconds(30)).until(() -> d.installed != null);
            assertThat(d.installed).isEqualTo(image);
            assertThat(d.hello(f.id(), 13, 2, 0x36)).isNotNull();
            d.describe();
            await().atMost(Duration.ofSeconds(15)).until(() -> update(f).get("status").asText().equals("up_to_date"));
        }
    }

    @Test
    void aDeviceThatHoldsPartOfTheImageResumesFromItsOffset() throws Exception {
        Fleet f = productDevice();
        byte[] image = image(150_000, 13);
        try (DeviceOsTestDevice d = connect(f, 1)) {
            // The device kept 100,000 bytes of this file from an interrupted transfer (Device OS checks their SHA-256).
            d.held = java.util.Arrays.copyOf(image, 100_000);
            release(f, 2, image);
            await().atMost(Duration.ofSeconds(30)).until(() -> d.installed != null);
            assertThat(d.installed).isEqualTo(image);
            // Only what it lacked was sent: 50,000 bytes in 1 KiB chunks.
            assertThat(d.chunksReceived.get()).isEqualTo((50_000 + DeviceOsUpdate.CHUNK - 1) / DeviceOsUpdate.CHUNK);
        }
    }

    @Test
    void aDeviceThatFailsTheHashCheckReportsAFailedUpdate() throws Exception {
        Fleet f = productDevice();
        byte[] image = image(20_000, 9);
        try (DeviceOsTestDevice d = connect(f, 1)) {
            // The device ends up with other bytes than the cloud's (a chunk corrupted in its flash).
            d.dropFirst = i -> false;
            d.corruptChunk = 3;
            release(f, 2, image);
            await().atMost(Duration.ofSeconds(30)).until(() -> update(f).get("status").asText().equals("failing"));
            assertThat(d.installed).isNull();
        }
    }
}
