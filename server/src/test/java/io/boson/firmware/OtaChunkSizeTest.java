package io.boson.firmware;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.boson.device.BosonDevice;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A device may ask for larger (or smaller) firmware chunks with {@code ota_chunk} in its describe
 * (a Boson addition); the cloud keeps it between 1 KiB and 64 KiB and says the size it chose in the
 * offer. A device that does not ask gets the protocol's 32 KiB, as before.
 */
class OtaChunkSizeTest extends CloudTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final ObjectMapper JSON = new ObjectMapper();

    private static String describe(long product, Integer chunk) {
        return "{\"platform_id\":13,\"product_id\":" + product + ",\"product_version\":1"
                + (chunk == null ? "" : ",\"ota_chunk\":" + chunk) + "}";
    }

    /** Releases v2 (intelligent) and returns the offer's chunk size and the sizes of the first two chunks served. */
    private static int[] offerAndChunks(TestDevice device) throws Exception {
        Mqtt5Publish offer = device.next("c/o/", WAIT);
        String job = offer.getTopic().toString().substring(4);
        int chunk = JSON.readTree(offer.getPayloadAsBytes()).get("chunk").asInt();
        int[] out = {chunk, 0, 0};
        long offset = 0;
        for (int i = 1; i <= 2; i++) {
            assertThat(device.publishRaw("o/" + job + "/get", Long.toString(offset).getBytes(StandardCharsets.US_ASCII))
                    .getCode()).isZero();
            Mqtt5Publish c = device.next("c/o/" + job + "/" + offset, WAIT);
            out[i] = c.getPayloadAsBytes().length;
            offset += out[i];
        }
        return out;
    }

    @Test
    void aDeviceGetsTheChunkSizeItAsksForWithinBounds() throws Exception {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Chunks");
        Firmwares.uploaded(owner, p, 2, Firmwares.image(300_000, 4));
        TestCloud.Credentials asks64 = cloud.productDevice(owner, p);
        TestCloud.Credentials asksTooMuch = cloud.productDevice(owner, p);
        TestCloud.Credentials asksSmall = cloud.productDevice(owner, p);
        TestCloud.Credentials asksNothing = cloud.productDevice(owner, p);
        try (TestDevice a = TestDevice.connect(cloud, asks64); TestDevice b = TestDevice.connect(cloud, asksTooMuch);
             TestDevice c = TestDevice.connect(cloud, asksSmall); TestDevice d = TestDevice.connect(cloud, asksNothing)) {
            a.describe(describe(p, 65_536));
            b.describe(describe(p, 1 << 20));
            c.describe(describe(p, 4_000));
            d.describe(describe(p, null));
            assertThat(Firmwares.release(owner, p, 2, true, List.of(), true).status()).isEqualTo(200);
            assertThat(offerAndChunks(a)).containsExactly(65_536, 65_536, 65_536);
            assertThat(offerAndChunks(b)).containsExactly(OtaDelivery.MAX_CHUNK_BYTES, 65_536, 65_536);
            assertThat(offerAndChunks(c)).containsExactly(4_000, 4_000, 4_000);
            assertThat(offerAndChunks(d)).containsExactly(32_768, 32_768, 32_768);
        }
    }

    @Test
    void aChunkSizeThatIsNotAPositiveIntegerIsARefusedDescribe() {
        TestCloud.Credentials c = cloud.registerDevice();
        try (TestDevice device = TestDevice.connect(cloud, c)) {
            for (String bad : List.of("0", "-5", "\"big\"", "1.5")) {
                assertThat(device.publishRaw("d", ("{\"platform_id\":13,\"ota_chunk\":" + bad + "}")
                        .getBytes(StandardCharsets.UTF_8)).getCode()).as(bad).isEqualTo(0x99);
            }
        }
    }

    /** Both of the SDK's links (HiveMQ's MQTT 5 and 3.1.1 clients) hand it each chunk's payload buffer. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(io.boson.device.MqttVersion.class)
    void theSdkAskingFor64KiBChunksUpdatesAndResumesAsBefore(io.boson.device.MqttVersion version) {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "SDK chunks");
        byte[] image = Firmwares.image(500_000, 9);
        Firmwares.uploaded(owner, p, 2, image);
        TestCloud.Credentials cr = cloud.productDevice(owner, p);
        BosonDevice d = BosonDevice.builder().deviceId(cr.id()).secret(cr.secret()).host("127.0.0.1").port(cloud.mqttPort())
                .mqttVersion(version).productId((int) p).productVersion(1).otaChunkBytes(64 * 1024)
                .otaFaults(io.boson.device.OtaFaults.disconnectingAt(0.5)).build();
        try {
            d.connect().join();
            assertThat(Firmwares.release(owner, p, 2, true, List.of(), true).status()).isEqualTo(200);
            OtaTest.await("the device dropped at half", () -> !d.isConnected() && d.firmwareBytesReceived() >= image.length / 2);
            d.connect().join();
            OtaTest.await("the device runs v2 after resuming", () -> d.productVersion() == 2 && d.isConnected());
            // It resumed from its own offset: four chunks of the 64 KiB it asked for.
            assertThat(d.firmwareResumedFrom()).isEqualTo(4 * 64 * 1024);
            assertThat(d.firmwareBytesReceived()).isEqualTo(image.length);
        } finally {
            d.disconnect().join();
        }
    }
}
