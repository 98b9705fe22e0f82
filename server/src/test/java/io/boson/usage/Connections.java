package io.boson.usage;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.boson.testing.TestCloud;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Plain MQTT 5 clients as devices, lighter than TestDevice when a test needs many. */
final class Connections {

    private Connections() {
    }

    /** The CONNACK: success, or the refusal's reason code and reason string. */
    record Answer(Mqtt5ConnAckReasonCode code, String reason, Mqtt5AsyncClient client) {
        boolean accepted() {
            return code == Mqtt5ConnAckReasonCode.SUCCESS;
        }

        void close() {
            if (client.getState().isConnected()) {
                try {
                    client.disconnect().get(5, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // gone already
                }
            }
        }
    }

    static Answer connect(int port, TestCloud.Credentials c) {
        Mqtt5AsyncClient client = MqttClient.builder().useMqttVersion5().identifier(c.id()).serverHost("127.0.0.1")
                .serverPort(port).buildAsync();
        try {
            client.connectWith().simpleAuth().username(c.id()).password(c.secret().getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth().keepAlive(60).send().get(10, TimeUnit.SECONDS);
            return new Answer(Mqtt5ConnAckReasonCode.SUCCESS, null, client);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Mqtt5ConnAckException refused) {
                return new Answer(refused.getMqttMessage().getReasonCode(),
                        refused.getMqttMessage().getReasonString().map(Object::toString).orElse(null), client);
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A connected device that subscribes to cloud events and only counts them. */
    static Answer receiver(int port, TestCloud.Credentials c, AtomicLong received) {
        Answer a = connect(port, c);
        if (!a.accepted()) throw new AssertionError("refused: " + a);
        a.client().toAsync().publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL, p -> received.incrementAndGet());
        try {
            a.client().subscribeWith().topicFilter("c/e/#").qos(MqttQos.AT_MOST_ONCE).send().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return a;
    }
}
