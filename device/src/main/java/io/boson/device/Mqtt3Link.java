package io.boson.device;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscription;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAck;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * {@link DeviceLink} over HiveMQ's MQTT 3.1.1 client. MQTT 3.1.1 has no PUBACK reason codes, so
 * every acknowledged publish reads as success; the cloud signals refusals by closing the connection.
 */
final class Mqtt3Link implements DeviceLink {

    private final Mqtt3AsyncClient client;
    private final Consumer<Mqtt3Publish> inbound;
    private final Executor callbackExecutor;

    Mqtt3Link(Settings settings) {
        Mqtt3ClientBuilder builder = MqttClient.builder()
                .useMqttVersion3()
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
                .cleanSession(true)
                .keepAlive(keepAliveSeconds)
                .simpleAuth().username(username).password(password).applySimpleAuth()
                .send()
                .handle((connAck, error) -> {
                    if (error == null) {
                        listen();
                        return null;
                    }
                    Throwable cause = DeviceLink.unwrap(error);
                    if (cause instanceof Mqtt3ConnAckException e) {
                        var code = e.getMqttMessage().getReturnCode();
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
        Mqtt3Subscribe subscribe = Mqtt3Subscribe.builder()
                .addSubscriptions(filters.stream().map(filter -> Mqtt3Subscription.builder()
                        .topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).build()))
                .build();
        return client.subscribe(subscribe).handle((subAck, error) -> {
            if (error == null) {
                return granted(subAck);
            }
            if (DeviceLink.unwrap(error) instanceof Mqtt3SubAckException e) {
                return granted(e.getMqttMessage());
            }
            throw new CompletionException(DeviceLink.unwrap(error));
        });
    }

    private static List<Boolean> granted(Mqtt3SubAck subAck) {
        return subAck.getReturnCodes().stream().map(code -> !code.isError()).toList();
    }

    @Override
    public CompletableFuture<PublishAck> publish(String topic, byte[] payload) {
        return client.publishWith()
                .topic(topic)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload)
                .send()
                .handle((published, error) -> {
                    if (error != null) {
                        throw new CompletionException(DeviceLink.unwrap(error));
                    }
                    return PublishAck.SUCCESS;
                });
    }

    @Override
    public CompletableFuture<Void> disconnect() {
        return client.disconnect();
    }
}
