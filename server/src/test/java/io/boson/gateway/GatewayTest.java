package io.boson.gateway;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class GatewayTest extends CloudTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    private static Mqtt5AsyncClient v5(String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1").serverPort(cloud.mqttPort())
                .buildAsync();
    }

    private static Mqtt3AsyncClient v3(String id) {
        return MqttClient.builder().useMqttVersion3().identifier(id).serverHost("127.0.0.1").serverPort(cloud.mqttPort())
                .buildAsync();
    }

    private static Mqtt5ConnAckReasonCode refusedV5(String id, String username, String password) {
        try {
            var b = v5(id).connectWith();
            var auth = b.simpleAuth();
            if (username != null) auth.username(username);
            b = auth.password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth();
            b.send().get(5, TimeUnit.SECONDS);
            throw new AssertionError("connect was accepted");
        } catch (ExecutionException e) {
            return ((Mqtt5ConnAckException) e.getCause()).getMqttMessage().getReasonCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void badCredentialsAreRefused() throws Exception {
        TestCloud.Credentials c = cloud.registerDevice();
        assertThat(refusedV5(c.id(), c.id(), "wrong-secret")).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(refusedV5("0123456789abcdef01234567", null, "x")).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(refusedV5("not-a-device", null, "x")).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(refusedV5(c.id(), "someone-else", c.secret())).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        Mqtt3AsyncClient old = v3(c.id());
        assertThatThrownBy(() -> old.connectWith().simpleAuth().username(c.id()).password("nope".getBytes())
                .applySimpleAuth().send().get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(Mqtt3ConnAckException.class)
                .satisfies(e -> assertThat(((Mqtt3ConnAckException) e.getCause()).getMqttMessage().getReturnCode())
                        .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED));
        Api user = cloud.newUser();
        assertThat(user.get("/v1/devices/" + c.id()).status()).isEqualTo(403);
    }

    @Test
    void aSecondConnectionTakesTheSessionOver() throws Exception {
        Api user = cloud.newUser();
        TestCloud.Credentials c = cloud.registerDevice();
        TestDevice first = TestDevice.connect(cloud, c);
        try (TestDevice second = TestDevice.connect(cloud, c)) {
            Throwable cause = first.disconnectCause().get(5, TimeUnit.SECONDS);
            assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
            assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
                    .isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
            assertThat(user.postJson("/v1/devices", java.util.Map.of("id", c.id())).status()).isEqualTo(200);
            // The new session is the live one: the old one's close did not mark the device offline.
            assertThat(user.get("/v1/devices/" + c.id()).json().get("online").asBoolean()).isTrue();
            assertThat(user.postJson("/v1/devices/" + c.id() + "/led", java.util.Map.of("args", "on")).json()
                    .get("return_value").asInt()).isEqualTo(1);
            assertThat(second.connected()).isTrue();
        }
    }

    @Test
    void badlyNamedOrOversizedEventsAreRefusedWithoutHarmingOthers() throws Exception {
        Api user = cloud.newUser();
        try (TestDevice bad = cloud.claimedDevice(user); TestDevice good = cloud.claimedDevice(user);
             SseStream stream = SseStream.open(cloud.baseUrl(), "/v1/devices/events", user.token())) {
            assertThat(bad.publish("spark/fake", "x")).isEqualTo(Mqtt5PubAckReasonCode.TOPIC_NAME_INVALID);
            assertThat(bad.publish("Particle-thing", "x")).isEqualTo(Mqtt5PubAckReasonCode.TOPIC_NAME_INVALID);
            assertThat(bad.publish("has space", "x")).isEqualTo(Mqtt5PubAckReasonCode.TOPIC_NAME_INVALID);
            assertThat(bad.publish("x".repeat(65), "x")).isEqualTo(Mqtt5PubAckReasonCode.TOPIC_NAME_INVALID);
            assertThat(bad.publishRaw("zzz", new byte[1])).isEqualTo(Mqtt5PubAckReasonCode.TOPIC_NAME_INVALID);
            assertThat(bad.connected()).isTrue();
            bad.client().publishWith().topic("e/big").payload("x".repeat(1025).getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
            Throwable cause = bad.disconnectCause().get(5, TimeUnit.SECONDS);
            assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
                    .isEqualTo(Mqtt5DisconnectReasonCode.PACKET_TOO_LARGE);
            assertThat(good.publish("fine", "ok")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            var seen = stream.upTo("fine", WAIT);
            assertThat(seen).noneMatch(e -> e.name().equals("big") || e.name().startsWith("spark/fake")
                    || e.name().equals("has space"));
        }
    }

    @Test
    void mqtt311DeviceIsDisconnectedForABadTopic() throws Exception {
        TestCloud.Credentials c = cloud.registerDevice();
        Mqtt3AsyncClient client = v3(c.id());
        client.connectWith().simpleAuth().username(c.id()).password(c.secret().getBytes()).applySimpleAuth().send()
                .get(5, TimeUnit.SECONDS);
        client.publishWith().topic("e/ok").payload("1".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send().get(5, TimeUnit.SECONDS);
        client.publishWith().topic("e/spark").payload("1".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
        await().atMost(WAIT).until(() -> !client.getState().isConnected());
    }

    @Test
    void rateLimitAllowsFourEventsASecondWithBurstsOfEightAndCountsWhatItDrops() {
        Api user = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(user);
             SseStream stream = SseStream.open(cloud.baseUrl(), "/v1/devices/events", user.token())) {
            for (int i = 0; i < 8; i++) {
                assertThat(device.publish("burst", "n" + i)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            }
            // The test clock stands still: nothing more gets through until time moves.
            assertThat(device.publish("burst", "dropped").getCode()).isEqualTo(0x97);
            assertThat(device.publish("burst", "dropped").getCode()).isEqualTo(0x97);
            cloud.clock.advance(Duration.ofMillis(250));
            assertThat(device.publish("burst", "after").getCode()).isZero();
            assertThat(device.publish("burst", "dropped").getCode()).isEqualTo(0x97);
            cloud.clock.advance(Duration.ofSeconds(10));
            assertThat(device.publish("end", "e").getCode()).isZero();
            var seen = stream.upTo("end", WAIT);
            assertThat(seen.stream().filter(e -> e.name().equals("burst")).map(e -> e.data().get("data").asText()))
                    .containsExactly("n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "after");
            assertThat(device.connected()).isTrue();
            // The cloud's count of dropped events shows in the device's diagnostics once flushed.
            await().atMost(WAIT).until(() -> user.get("/v1/diagnostics/" + device.id + "/last").json()
                    .get("diagnostics").get("payload").get("rate_limited").asLong() == 3);
        }
    }

    @Test
    void controlMessagesAreRateLimitedToo() {
        Api user = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(user)) {
            // connect() already sent one describe: 9 more fit in the bucket of 10.
            for (int i = 0; i < 9; i++) {
                assertThat(device.publishRaw("v", ("{\"uptime\":" + i + "}").getBytes())).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            }
            assertThat(device.publishRaw("v", "{\"uptime\":99}".getBytes()).getCode()).isEqualTo(0x97);
            assertThat(user.get("/v1/diagnostics/" + device.id + "/last").json().get("diagnostics").get("payload")
                    .get("uptime").asInt()).isEqualTo(8);
            assertThat(device.connected()).isTrue();
        }
    }

    @Test
    void invalidDescribeIsRefused() {
        Api user = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(user)) {
            assertThat(device.publishRaw("d", "not json".getBytes())).isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);
            assertThat(device.publishRaw("d", "{\"v\":{\"x\":\"float\"}}".getBytes()))
                    .isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);
            assertThat(device.publishRaw("v", "{\"uptime\":5,\"battery_state\":\"charging\"}".getBytes()))
                    .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            // The previous good describe still stands.
            assertThat(user.get("/v1/devices/" + device.id).json().get("functions").get(0).asText()).isEqualTo("led");
        }
    }
}
