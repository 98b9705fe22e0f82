package io.boson.products;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Device protocol section 5 and the products issue's protection rules, with real MQTT devices. */
class ProductProtectionTest extends CloudTest {

    static String productDescribe(long product) {
        return "{\"f\":[\"led\"],\"v\":{\"temp\":\"double\"},\"platform_id\":13,\"product_id\":" + product
                + ",\"product_version\":3}";
    }

    /** Publishes a describe naming {@code product} and returns how the cloud closed the connection. */
    static Mqtt5DisconnectReasonCode describeAndGetKicked(TestDevice device, long product) throws Exception {
        device.client().publishWith().topic("d").payload(productDescribe(product).getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).send();
        Throwable cause = device.disconnectCause().get(5, TimeUnit.SECONDS);
        return ((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode();
    }

    static Mqtt5ConnAckReasonCode connectRefusal(TestCloud.Credentials c) {
        try {
            TestDevice.connect(cloud, c).close();
            return Mqtt5ConnAckReasonCode.SUCCESS;
        } catch (AssertionError e) {
            if (e.getCause() instanceof Mqtt5ConnAckException refused) return refused.getMqttMessage().getReasonCode();
            throw e;
        }
    }

    @Test
    void aDeviceNotImportedIsDisconnectedListedThenApprovedAndConnects() throws Exception {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Quarantine");
        TestCloud.Credentials c = cloud.registerDevice();
        TestDevice device = TestDevice.connect(cloud, c);
        assertThat(describeAndGetKicked(device, product)).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);

        JsonNode waiting = owner.get("/v1/products/" + product + "/devices?quarantined=true").json();
        assertThat(waiting.get("devices")).extracting(d -> d.get("id").asText()).containsExactly(c.id());
        assertThat(waiting.get("devices").get(0).get("quarantined").asBoolean()).isTrue();
        assertThat(owner.get("/v1/products/" + product + "/devices").json().get("meta").get("total").asLong()).isZero();

        // Approve = import; the device then connects with its product firmware.
        assertThat(owner.postJson("/v1/products/" + product + "/devices", Map.of("id", c.id())).json().get("updated").asInt())
                .isEqualTo(1);
        assertThat(owner.get("/v1/products/" + product + "/devices?quarantined=true").json().get("devices")).isEmpty();
        try (TestDevice approved = TestDevice.connect(cloud, c)) {
            approved.describe(productDescribe(product));
            JsonNode d = owner.get("/v1/products/" + product + "/devices/" + c.id()).json();
            assertThat(d.get("online").asBoolean()).isTrue();
            assertThat(d.get("firmware_version").asInt()).isEqualTo(3);
            assertThat(d.get("firmware_product_id").asLong()).isEqualTo(product);
        }
    }

    @Test
    void aDeniedDeviceIsRefusedAtConnect() throws Exception {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Deny");
        TestCloud.Credentials c = cloud.registerDevice();
        describeAndGetKicked(TestDevice.connect(cloud, c), product);
        Api.Response denied = owner.deleteJson("/v1/products/" + product + "/devices/" + c.id(), Map.of("deny", true));
        assertThat(denied.status()).isEqualTo(204);
        assertThat(owner.get("/v1/products/" + product + "/devices?quarantined=true").json().get("devices")).isEmpty();
        assertThat(connectRefusal(c)).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(owner.deleteJson("/v1/products/" + product + "/devices/" + cloud.registerDevice().id(),
                Map.of("deny", true)).status()).isEqualTo(404);
    }

    @Test
    void aRemovedDeviceIsDisconnectedUnclaimedAndRefusedUntilImportedAgain() throws Exception {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Remove");
        TestCloud.Credentials c = cloud.productDevice(owner, product);
        TestDevice device = TestDevice.connect(cloud, c);
        assertThat(owner.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
        Api.Response removed = owner.deleteJson("/v1/products/" + product + "/devices/" + c.id(), Map.of());
        assertThat(removed.status()).isEqualTo(204);
        assertThat(((Mqtt5DisconnectException) device.disconnectCause().get(5, TimeUnit.SECONDS)).getMqttMessage()
                .getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
        assertThat(owner.get("/v1/devices").json()).isEmpty();
        assertThat(owner.get("/v1/products/" + product + "/devices/" + c.id()).status()).isEqualTo(404);
        assertThat(connectRefusal(c)).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        owner.postJson("/v1/products/" + product + "/devices", Map.of("id", c.id()));
        assertThat(connectRefusal(c)).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
    }

    @Test
    void firmwareNamingAnotherProductIsDisconnectedButNotStolen() throws Exception {
        Api alice = cloud.newUser();
        Api mallory = cloud.newUser();
        long aliceProduct = cloud.newProduct(alice, "Alice");
        long malloryProduct = cloud.newProduct(mallory, "Mallory");
        TestCloud.Credentials c = cloud.productDevice(alice, aliceProduct);
        describeAndGetKicked(TestDevice.connect(cloud, c), malloryProduct);
        assertThat(mallory.get("/v1/products/" + malloryProduct + "/devices?quarantined=true").json().get("devices")).isEmpty();
        assertThat(mallory.postJson("/v1/products/" + malloryProduct + "/devices", Map.of("id", c.id())).json()
                .get("protectedDeviceIds")).extracting(JsonNode::asText).containsExactly(c.id());
        assertThat(alice.get("/v1/products/" + aliceProduct + "/devices/" + c.id()).status()).isEqualTo(200);
    }
}
