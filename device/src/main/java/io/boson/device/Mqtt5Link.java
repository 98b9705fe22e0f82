package io.boson.device;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/** {@link DeviceLink} over HiveMQ's MQTT 5 client, which reports PUBACK reason codes. */
final class Mqtt5Link implements DeviceLink {

    private final Mqtt5AsyncClient client;
    private final Consumer<Mqtt5Publish> inbound;
    private final Executor callbackExecutor;

    Mqtt5Link(Settings settings) {
        Mqtt5ClientBuilder builder = MqttClient.builder()
                .useMqttVersion5()
                .identifier(settings.clientId())
                .serverHost(settings.host())
                .serverPort(settings.port())
                .addDisconnectedListener(context ->
                        settings.disconnected().accept(DeviceLink.disconnectReason(context)));
        if (settings.tls()) {
            builder = settings.trust() == null
                    ? builder.sslWithDefaultConfig()
                    : builder.sslConfig().trustManagerFactory(settings.trust()).applySslConfig();
        }
        client = builder.buildAsync();
        inbound = message ->
                settings.inbound().accept(message.getTopic().toString(), message.getPayload().orElse(EMPTY));
        callbackExecutor = settings.callbackExecutor();
    }

    @Override
    public CompletableFuture<Void> connect(String username, byte[] password, int keepAliveSeconds) {
        return client.connectWith()
                .cleanStart(true)
                .sessionExpiryInterval(0)
                .keepAlive(keepAliveSeconds)
                .simpleAuth().username(username).password(password).applySimpleAuth()
                .send()
                .handle((connAck, error) -> {
                    if (error == null) {
                        listen();
                        return null;
                    }
                    Throwable cause = DeviceLink.unwrap(error);
                    if (cause instanceof Mqtt5ConnAckException e) {
                        var code = e.getMqttMessage().getReasonCode();
                        throw new ConnectRefusedException(code.getCode(), code.toString());
                    }
                    throw new CompletionException(cause);
                });
    }

    /**
     * One global callback rather than per-subscription ones: the client routes a message to a
     * subscription's callback only on an MQTT match, and the cloud's prefix rule is not one.
     * Registered after each CONNACK because the client drops all callbacks when a session ends,
     * and a clean session ends at the latest when the next one starts.
     */
    private void listen() {
        if (callbackExecutor != null) {
            client.publishes(MqttGlobalPublishFilter.ALL, inbound, callbackExecutor);
        } else {
            client.publishes(MqttGlobalPublishFilter.ALL, inbound);
        }
    }

    @Override
    public CompletableFuture<List<Boolean>> subscribe(List<String> filters) {
        Mqtt5Subscribe subscribe = Mqtt5Subscribe.builder()
                .addSubscriptions(filters.stream().map(filter -> Mqtt5Subscription.builder()
                        .topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).build()))
                .build();
        return client.subscribe(subscribe).handle((subAck, error) -> {
            if (error == null) {
                return granted(subAck);
            }
            // The client fails the future when every filter was refused; that is still an answer.
            if (DeviceLink.unwrap(error) instanceof Mqtt5SubAckException e) {
                return granted(e.getMqttMessage());
            }
            throw new CompletionException(DeviceLink.unwrap(error));
        });
    }

    private static List<Boolean> granted(Mqtt5SubAck subAck) {
        return subAck.getReasonCodes().stream().map(code -> !code.isError()).toList();
    }

    @Override
    public CompletableFuture<PublishAck> publish(String topic, byte[] payload) {
        return client.publishWith()
                .topic(topic)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload)
                .send()
                .handle((result, error) -> {
                    if (error == null) {
                        return result instanceof Mqtt5PublishResult.Mqtt5Qos1Result qos1
                                ? DeviceLink.ack(qos1.getPubAck().getReasonCode())
                                : PublishAck.SUCCESS;
                    }
                    Throwable cause = DeviceLink.unwrap(error);
                    if (cause instanceof Mqtt5PubAckException e) {
                        return DeviceLink.ack(e.getMqttMessage().getReasonCode());
                    }
                    throw new CompletionException(cause);
                });
    }

    @Override
    public CompletableFuture<Void> disconnect() {
        return client.disconnect();
    }
}
