package io.boson.device;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Plays the cloud's side on a plain MQTT broker (the local Mosquitto): it sees what devices publish
 * and publishes requests to them. Every test uses random device IDs, names and rids, because the
 * broker is shared with whatever else runs on this machine.
 */
final class BrokerCloud implements AutoCloseable {

    static final String HOST = "127.0.0.1";
    static final int PORT = 1883;

    private record Expectation(String topic, Predicate<String> payload, CompletableFuture<String> result) {}

    private final Mqtt5AsyncClient client;
    private final List<Expectation> expectations = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();

    BrokerCloud(String... filters) throws Exception {
        client = MqttClient.builder().useMqttVersion5().identifier("cloud-" + token())
                .serverHost(HOST).serverPort(PORT).buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, message -> {
            String payload = new String(message.getPayloadAsBytes(), StandardCharsets.UTF_8);
            received.computeIfAbsent(message.getTopic().toString(), t -> new AtomicInteger()).incrementAndGet();
            for (Expectation e : expectations) {
                if (e.topic().equals(message.getTopic().toString()) && e.payload().test(payload)) {
                    e.result().complete(payload);
                }
            }
        });
        client.connect().get(5, TimeUnit.SECONDS);
        for (String filter : filters) {
            client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send().get(5, TimeUnit.SECONDS);
        }
    }

    static boolean brokerReachable() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, PORT), 500);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static String randomDeviceId() {
        byte[] bytes = new byte[12];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A random token usable as a rid or a name (letters and digits). */
    static String token() {
        return Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    }

    /** Completes with the payload of the first message on {@code topic} that satisfies {@code payload}. */
    CompletableFuture<String> expect(String topic, Predicate<String> payload) {
        CompletableFuture<String> result = new CompletableFuture<>();
        expectations.add(new Expectation(topic, payload, result));
        return result.orTimeout(5, TimeUnit.SECONDS);
    }

    CompletableFuture<String> expect(String topic) {
        return expect(topic, payload -> true);
    }

    /** How many messages arrived on {@code topic} so far. */
    int received(String topic) {
        AtomicInteger count = received.get(topic);
        return count == null ? 0 : count.get();
    }

    void send(String topic, String payload) throws Exception {
        client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send().get(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        client.disconnect().get(5, TimeUnit.SECONDS);
    }
}
