package io.boson.gateway;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Per-device bounds: connects per minute, subscriptions, requests in flight. */
class GatewayLimitsTest extends CloudTest {

    @Test
    void aDeviceReconnectingInATightLoopIsRefusedUntilItSlowsDown() throws Exception {
        TestCloud.Credentials c = cloud.registerDevice();
        for (int i = 0; i < ConnectPacing.BURST; i++) {
            Mqtt5AsyncClient client = client(c.id(), "127.0.0.1");
            connect(client, c).get(5, TimeUnit.SECONDS);
            client.disconnect().get(5, TimeUnit.SECONDS);
        }
        Mqtt5AsyncClient tooSoon = client(c.id(), "127.0.0.1");
        assertThatThrownBy(() -> connect(tooSoon, c).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(Mqtt5ConnAckException.class)
                .satisfies(e -> assertThat(((Mqtt5ConnAckException) e).getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5ConnAckReasonCode.CONNECTION_RATE_EXCEEDED));
        // Someone using the device's ID elsewhere does not lock the device out, nor other devices.
        Mqtt5AsyncClient elsewhere = client(c.id(), "127.0.0.2");
        connect(elsewhere, c).get(5, TimeUnit.SECONDS);
        elsewhere.disconnect().get(5, TimeUnit.SECONDS);
        try (TestDevice other = TestDevice.connect(cloud, cloud.registerDevice())) {
            assertThat(other.connected()).isTrue();
        }
        // Once it slows down to one attempt per interval, it is let in again.
        cloud.clock.advance(ConnectPacing.INTERVAL);
        Mqtt5AsyncClient later = client(c.id(), "127.0.0.1");
        connect(later, c).get(5, TimeUnit.SECONDS);
        later.disconnect().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aDeviceHoldsAtMost32Subscriptions() {
        try (TestDevice device = TestDevice.connect(cloud, cloud.registerDevice())) {
            // TestDevice subscribed to c/# already.
            List<Mqtt5SubAckReasonCode> codes = new ArrayList<>();
            for (int i = 1; i <= DeviceSession.MAX_SUBSCRIPTIONS; i++) {
                codes.addAll(subscribe(device, "c/e/topic" + i));
            }
            assertThat(codes.subList(0, DeviceSession.MAX_SUBSCRIPTIONS - 1)).allMatch(code -> !code.isError());
            assertThat(codes.get(DeviceSession.MAX_SUBSCRIPTIONS - 1)).isEqualTo(Mqtt5SubAckReasonCode.QUOTA_EXCEEDED);
            // Subscribing again to a filter it holds is fine.
            assertThat(subscribe(device, "c/e/topic1").get(0).isError()).isFalse();
            assertThat(device.connected()).isTrue();
        }
    }

    @Test
    void requestsWaitingForOneDeviceAreBounded() throws Exception {
        Api owner = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(owner)) {
            device.silent();
            List<CompletableFuture<Api.Response>> waiting = new ArrayList<>();
            for (int i = 0; i < DeviceSession.MAX_IN_FLIGHT; i++) {
                waiting.add(CompletableFuture.supplyAsync(() -> owner.postJson("/v1/devices/" + device.id + "/led",
                        Map.of("args", "on"))));
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> device.receivedTopics("c/f/led").size() == DeviceSession.MAX_IN_FLIGHT);
            Api.Response refused = owner.postJson("/v1/devices/" + device.id + "/led", Map.of("args", "on"));
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.json().path("error").asText()).isEqualTo(DeviceSession.TOO_MANY_IN_FLIGHT);
            for (CompletableFuture<Api.Response> w : waiting) assertThat(w.get(30, TimeUnit.SECONDS).status()).isEqualTo(408);
        }
    }

    /** The SUBACK's reason codes, also when it holds only errors (HiveMQ then fails the future). */
    private static List<? extends Mqtt5SubAckReasonCode> subscribe(TestDevice device, String filter) {
        return device.client().subscribeWith().topicFilter(filter).qos(MqttQos.AT_MOST_ONCE).send()
                .handle((ack, error) -> {
                    if (ack != null) return ack.getReasonCodes();
                    Throwable t = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
                    return ((com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException) t).getMqttMessage().getReasonCodes();
                }).join();
    }

    private static Mqtt5AsyncClient client(String id, String localAddress) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1").serverPort(cloud.mqttPort())
                .transportConfig().localAddress(new InetSocketAddress(localAddress, 0)).applyTransportConfig().buildAsync();
    }

    private static CompletableFuture<?> connect(Mqtt5AsyncClient client, TestCloud.Credentials c) {
        return client.connectWith().simpleAuth().username(c.id()).password(c.secret().getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
    }
}
