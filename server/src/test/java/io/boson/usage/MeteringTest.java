package io.boson.usage;

import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metering through real MQTT devices and real HTTP (reference section D, device protocol section 8):
 * every billable kind counted exactly, every free kind not at all, and the device, product and owner
 * totals agreeing.
 */
class MeteringTest extends CloudTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    static String bytes(int n) {
        char[] c = new char[n];
        Arrays.fill(c, 'x');
        return new String(c);
    }

    @Test
    void eachBillableKindIsCountedExactlyAndEachFreeKindNotAtAll() throws Exception {
        Api user = cloud.newUser();
        long product = cloud.newProduct(user, "metered");
        TestDevice a = TestDevice.connect(cloud, cloud.productDevice(user, product));
        TestDevice b = TestDevice.connect(cloud, cloud.productDevice(user, product));
        Usage.flush(cloud);
        // Connecting, describing and subscribing are free.
        assertThat(Usage.deviceOps(user, "/v1/user", a.id)).isZero();

        // Published: 1 byte and 1024 bytes are one Data Operation each; b receives both: one each too.
        assertThat(a.publish("t", "x")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        cloud.clock.advance(Duration.ofSeconds(5));
        assertThat(a.publish("t", bytes(1024))).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        b.next("c/e/t", WAIT);
        b.next("c/e/t", WAIT);
        // Rate-limited events cost nothing: with the clock standing still only the burst gets through.
        int accepted = 0;
        for (int i = 0; i < 8; i++) {
            if (a.publish("burst", "1") == Mqtt5PubAckReasonCode.SUCCESS) accepted++;
        }
        assertThat(accepted).isBetween(1, 7);
        for (int i = 0; i < accepted; i++) b.next("c/e/burst", WAIT);

        // Free: describe, vitals, claim codes, pings, API reads, SSE, cloud (spark/…) events to devices.
        a.describe("{\"f\":[\"led\"],\"v\":{\"temp\":\"double\"},\"platform_id\":13}");
        a.publishRaw("v", "{\"device\":{\"system\":{\"uptime\":5}}}".getBytes(StandardCharsets.UTF_8));
        a.publishRaw("k", "not-a-claim-code".getBytes(StandardCharsets.UTF_8));
        assertThat(user.putJson("/v1/products/" + product + "/devices/" + a.id + "/ping", Map.of()).json().get("online").asBoolean()).isTrue();
        assertThat(user.get("/v1/products/" + product + "/devices/" + a.id).status()).isEqualTo(200);
        try (SseStream stream = SseStream.open(cloud.baseUrl(), "/v1/products/" + product + "/events", user.token())) {
            assertThat(user.postJson("/v1/products/" + product + "/events", Map.of("name", "spark/internal", "data", "x"))
                    .status()).isEqualTo(200);
            stream.next("spark/internal", WAIT);
        }
        a.next("c/e/spark/internal", WAIT);

        // A function call and a variable read: one each, to the device called.
        assertThat(user.postJson("/v1/products/" + product + "/devices/" + a.id + "/led", Map.of("arg", "on")).json().get("return_value").asInt())
                .isEqualTo(1);
        assertThat(user.get("/v1/products/" + product + "/devices/" + a.id + "/temp").json().get("result").asDouble()).isEqualTo(21.5);

        // Delivered from the API: 1 byte and 1024 bytes, one each, to each device.
        assertThat(user.postJson("/v1/products/" + product + "/events", Map.of("name", "cmd", "data", "1")).status()).isEqualTo(200);
        assertThat(user.postJson("/v1/products/" + product + "/events", Map.of("name", "cmd", "data", bytes(1024))).status())
                .isEqualTo(200);
        for (TestDevice d : new TestDevice[]{a, b}) {
            d.next("c/e/cmd", WAIT);
            d.next("c/e/cmd", WAIT);
        }
        // 1025 bytes is over the event limit: refused (the device is disconnected), and not billed.
        cloud.clock.advance(Duration.ofSeconds(10));
        a.client().publishWith().topic("e/big").payload(bytes(1025).getBytes(StandardCharsets.UTF_8)).send();
        assertThat(a.disconnectCause().get(5, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
        Usage.flush(cloud);

        long expectedA = 2 + accepted + 1 + 1 + 2;
        long expectedB = 2 + accepted + 2;
        assertThat(Usage.deviceOps(user, "/v1/user", a.id)).isEqualTo(expectedA);
        assertThat(Usage.deviceOps(user, "/v1/user", b.id)).isEqualTo(expectedB);
        assertThat(Usage.productOps(user, product)).isEqualTo(expectedA + expectedB);
        assertThat(Usage.ownerOps(user, "/v1/user")).isEqualTo(expectedA + expectedB);
        Api.Response byProduct = user.get("/v1/user/usage?by=product");
        assertThat(byProduct.json().get("usage").get(0).get("product_id").asLong()).isEqualTo(product);
        assertThat(byProduct.json().get("usage").get(0).get("data_operations").asLong()).isEqualTo(expectedA + expectedB);
        Api.Response byDay = user.get("/v1/user/usage?by=day");
        assertThat(byDay.json().get("usage").get(0).get("date").asText()).isEqualTo("2026-11-25");
        assertThat(byDay.json().get("usage").get(0).get("data_operations").asLong()).isEqualTo(expectedA + expectedB);
        b.close();
    }

    @Test
    void anOrgProductBillsTheOrgAndADeveloperDeviceItsOwner() {
        Api user = cloud.newUser();
        String org = Usage.newOrg(user, "Billed Org");
        long product = Usage.orgProduct(user, org, "org product");
        TestDevice inOrg = TestDevice.connect(cloud, cloud.productDevice(user, product));
        TestDevice own = cloud.claimedDevice(user);
        assertThat(inOrg.publish("t", bytes(1000))).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(own.publish("t", bytes(2))).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        cloud.clock.advance(Duration.ofSeconds(5));
        assertThat(own.publish("t", bytes(3))).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        Usage.flush(cloud);
        assertThat(Usage.ownerOps(user, "/v1/orgs/" + org)).isEqualTo(1);
        assertThat(Usage.productOps(user, product)).isEqualTo(1);
        assertThat(Usage.ownerOps(user, "/v1/user")).isEqualTo(2);
        assertThat(Usage.deviceOps(user, "/v1/user", own.id)).isEqualTo(2);
        assertThat(Usage.deviceOps(user, "/v1/orgs/" + org, inOrg.id)).isEqualTo(1);
        // Devices count toward their payer's device limit once connected.
        assertThat(Usage.agreement(user, "/v1/orgs/" + org).get("attributes").get("current_usage_summary").get("devices")
                .get("used").asLong()).isEqualTo(1);
        inOrg.close();
        own.close();
    }

    @Test
    void cellularDevicesHaveTheirConnectionBytesMeteredAndWifiDevicesNot() {
        Api user = cloud.newUser();
        TestCloud.Credentials boronCreds = cloud.registerDevices(1, 13).get(0);
        TestCloud.Credentials argonCreds = cloud.registerDevices(1, 12).get(0);
        TestDevice boron = TestDevice.connect(cloud, boronCreds);
        TestDevice argon = TestDevice.connect(cloud, argonCreds);
        assertThat(user.postJson("/v1/devices", Map.of("id", boron.id)).status()).isEqualTo(200);
        // Another account's, so that its events do not reach the Boron.
        Api other = cloud.newUser();
        assertThat(other.postJson("/v1/devices", Map.of("id", argon.id)).status()).isEqualTo(200);
        Usage.flush(cloud);
        long before = Usage.cellularBytes(user, boron.id);
        // CONNECT, CONNACK, SUBSCRIBE, SUBACK and the describe crossed the wire before it was known to be cellular.
        assertThat(before).isGreaterThan(100);
        assertThat(boron.publish("t", bytes(1024))).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(argon.publish("t", bytes(1024))).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        Usage.flush(cloud);
        long delta = Usage.cellularBytes(user, boron.id) - before;
        // The PUBLISH frame (1024 bytes of payload, topic e/t, packet id, header) and its PUBACK.
        assertThat(delta).isBetween(1024L + 9, 1024L + 24);
        assertThat(Usage.cellularBytes(other, argon.id)).isZero();
        assertThat(Usage.deviceOps(other, "/v1/user", argon.id)).isEqualTo(1);
        boron.close();
        argon.close();
    }
}
