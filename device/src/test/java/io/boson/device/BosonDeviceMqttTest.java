package io.boson.device;

import com.hivemq.client.mqtt.MqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The device over a real MQTT client against the local Mosquitto, which stands in for the cloud. */
class BosonDeviceMqttTest {

    private final String fn = "fn" + BrokerCloud.token();
    private final String var = "var" + BrokerCloud.token();
    private final String event = "ev" + BrokerCloud.token();
    private final CompletableFuture<String> delivered = new CompletableFuture<>();
    private final CompletableFuture<String> disconnected = new CompletableFuture<>();
    private BosonDevice device;

    @BeforeAll
    static void needsBroker() {
        assumeTrue(BrokerCloud.brokerReachable(), "no MQTT broker on 127.0.0.1:1883");
    }

    @AfterEach
    void disconnect() throws Exception {
        if (device != null) {
            device.disconnect().get(5, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(MqttVersion.class)
    void describesAndAnswersRequests(MqttVersion version) throws Exception {
        try (BrokerCloud cloud = new BrokerCloud("d", "r/#")) {
            device = device(version);
            CompletableFuture<String> describe = cloud.expect("d", json -> json.contains(fn));

            device.connect().get(5, TimeUnit.SECONDS);

            assertThat(describe.get()).contains("\"v\":{\"" + var + "\":\"int32\"}");
            assertThat(call(cloud, "c/f/" + fn + "/", "r/", "on")).isEqualTo("1");
            assertThat(call(cloud, "c/v/" + var + "/", "r/", "")).isEqualTo("42");
            assertThat(call(cloud, "c/p/", "r/", "")).isEmpty();
            assertThat(call(cloud, "c/f/" + fn + "x/", "r/", "")).isEqualTo("unknown function: " + fn + "x");
        }
    }

    @ParameterizedTest
    @EnumSource(MqttVersion.class)
    void publishesEventsAndReceivesSubscribedOnes(MqttVersion version) throws Exception {
        try (BrokerCloud cloud = new BrokerCloud("e/" + event)) {
            device = device(version);
            device.connect().get(5, TimeUnit.SECONDS);
            CompletableFuture<String> published = cloud.expect("e/" + event);

            PublishAck ack = device.publish(event, "21.5").get(5, TimeUnit.SECONDS);
            cloud.send("c/e/" + event + "/door", "open");

            assertThat(ack.isAccepted()).isTrue();
            assertThat(published.get()).isEqualTo("21.5");
            assertThat(delivered.get(5, TimeUnit.SECONDS)).isEqualTo(event + "/door=open");
            assertThat(device.eventsPublished()).isEqualTo(1);
        }
    }

    @Test
    void reportsATakenOverSessionAndCanConnectAgain() throws Exception {
        try (BrokerCloud cloud = new BrokerCloud("r/#")) {
            device = device(MqttVersion.MQTT_5);
            device.connect().get(5, TimeUnit.SECONDS);

            var intruder = MqttClient.builder().useMqttVersion5().identifier(device.id())
                    .serverHost(BrokerCloud.HOST).serverPort(BrokerCloud.PORT).buildAsync();
            intruder.connect().get(5, TimeUnit.SECONDS);
            // Mosquitto 2.0.11 just closes the socket; a cloud may send DISCONNECT 0x8E first.
            assertThat(disconnected.get(5, TimeUnit.SECONDS)).startsWith("SERVER: ");
            assertThat(device.isConnected()).isFalse();
            intruder.disconnect().get(5, TimeUnit.SECONDS);

            device.connect().get(5, TimeUnit.SECONDS);
            device.disconnect().get(5, TimeUnit.SECONDS);
            device.connect().get(5, TimeUnit.SECONDS);

            // Each reconnect must answer exactly once: no lost and no duplicated handlers.
            String rid = BrokerCloud.token();
            CompletableFuture<String> reply = cloud.expect("r/" + rid);
            cloud.send("c/f/" + fn + "/" + rid, "off");
            assertThat(reply.get()).isEqualTo("0");
            assertThat(call(cloud, "c/p/", "r/", "")).isEmpty(); // replies arrive in order
            assertThat(cloud.received("r/" + rid)).isEqualTo(1);
        }
    }

    /** Sends a request with a fresh rid and returns the reply text (from r/{rid} or r/{rid}/err). */
    private static String call(BrokerCloud cloud, String requestPrefix, String replyPrefix, String payload)
            throws Exception {
        String rid = BrokerCloud.token();
        CompletableFuture<String> ok = cloud.expect(replyPrefix + rid);
        CompletableFuture<String> err = cloud.expect(replyPrefix + rid + "/err");
        cloud.send(requestPrefix + rid, payload);
        return (String) CompletableFuture.anyOf(ok, err).get(5, TimeUnit.SECONDS);
    }

    private BosonDevice device(MqttVersion version) {
        BosonDevice built = BosonDevice.builder()
                .deviceId(BrokerCloud.randomDeviceId())
                .secret("unused by mosquitto")
                .host(BrokerCloud.HOST)
                .port(BrokerCloud.PORT)
                .mqttVersion(version)
                .function(fn, arg -> switch (arg) {
                    case "on" -> 1;
                    case "off" -> 0;
                    default -> -1;
                })
                .variable(var, VariableType.INT32, () -> 42)
                .subscribe(event + "/+", (name, data) -> delivered.complete(name + "=" + new String(data)))
                .build();
        built.onDisconnected(disconnected::complete);
        return built;
    }
}
