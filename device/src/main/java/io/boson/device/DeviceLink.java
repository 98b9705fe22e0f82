package io.boson.device;

import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5MessageException;
import com.hivemq.client.mqtt.mqtt5.message.Mqtt5ReasonCode;

import javax.net.ssl.TrustManagerFactory;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The MQTT session under a {@link BosonDevice}. It exists so the device speaks the Boson protocol
 * once while HiveMQ's MQTT 5 and MQTT 3.1.1 clients, which share no interface, sit behind it.
 * Every publish is QoS 1: the device wants to know that the cloud took each message.
 */
interface DeviceLink {

    /**
     * Where to connect and whom to tell about incoming messages and lost connections. An incoming
     * message's payload is the client's own read-only buffer, valid during the call: a firmware chunk
     * is copied once, into the image, instead of into an array first.
     */
    record Settings(
            String host,
            int port,
            String clientId,
            boolean tls,
            TrustManagerFactory trust,
            Executor callbackExecutor,
            BiConsumer<String, ByteBuffer> inbound,
            Consumer<String> disconnected) {}

    /** Fails with {@link ConnectRefusedException} when the CONNACK carries an error code. */
    CompletableFuture<Void> connect(String username, byte[] password, int keepAliveSeconds);

    /** Completes with whether the server granted each filter, in order. */
    CompletableFuture<List<Boolean>> subscribe(List<String> filters);

    /** Completes with the PUBACK, including refusals; fails only when the message was not acknowledged. */
    CompletableFuture<PublishAck> publish(String topic, byte[] payload);

    CompletableFuture<Void> disconnect();

    static DeviceLink open(MqttVersion version, Settings settings) {
        return version == MqttVersion.MQTT_5 ? new Mqtt5Link(settings) : new Mqtt3Link(settings);
    }

    /** No payload. */
    ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static PublishAck ack(Mqtt5ReasonCode code) {
        return new PublishAck(code.getCode(), code.toString());
    }

    /** "SERVER: SESSION_TAKEN_OVER", "SERVER: Server closed connection without DISCONNECT.", "USER: …". */
    static String disconnectReason(MqttClientDisconnectedContext context) {
        Throwable cause = context.getCause();
        String detail;
        if (cause instanceof Mqtt5MessageException e && e.getMqttMessage() instanceof
                com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect d) {
            detail = d.getReasonCode() + d.getReasonString().map(r -> " " + r).orElse("");
        } else {
            detail = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        }
        return context.getSource() + ": " + detail;
    }
}
