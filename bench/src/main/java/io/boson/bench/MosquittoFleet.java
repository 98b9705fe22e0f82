package io.boson.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjLongConsumer;

/**
 * The baseline: the same message patterns through a plain MQTT broker (Mosquitto), with the same
 * MQTT client library (HiveMQ, MQTT 5) and the same QoS as Boson's device protocol uses.
 *
 * <ul>
 *   <li>Devices publish events to {@code bench/<run>/<i>} at QoS 1; one subscriber takes
 *       {@code bench/<run>/#} at QoS 1 (Boson's SSE subscriber gets the same events over HTTP).</li>
 *   <li>A call is an MQTT 5 request/response: the caller publishes the argument to
 *       {@code req/<run>/<i>} at QoS 0 with a response topic and correlation data (Boson sends
 *       {@code c/f/…} to the device at QoS 0); the device answers {@code 1} on the response topic
 *       at QoS 1 (as a Boson device answers {@code r/{rid}}), which the caller subscribed at QoS 1.</li>
 * </ul>
 * {@code <run>} keeps concurrent runs against a shared broker apart.
 */
final class MosquittoFleet implements AutoCloseable {

    private final String host;
    private final int port;
    private final String run;
    private final List<Mqtt5AsyncClient> devices;
    private final List<Throwable> connectFailures;
    private final double connectSeconds;
    private final List<Mqtt5AsyncClient> others = new ArrayList<>();

    private MosquittoFleet(String host, int port, String run, List<Mqtt5AsyncClient> devices,
                           List<Throwable> connectFailures, double connectSeconds) {
        this.host = host;
        this.port = port;
        this.run = run;
        this.devices = devices;
        this.connectFailures = connectFailures;
        this.connectSeconds = connectSeconds;
    }

    static MosquittoFleet connect(String host, int port, String run, int count, int perSecond) throws InterruptedException {
        List<Mqtt5AsyncClient> devices = new ArrayList<>(count);
        for (int i = 0; i < count; i++) devices.add(client(host, port, "bench-" + run + "-d" + i));
        long t0 = System.nanoTime();
        List<Throwable> failures = Paced.run(count, perSecond, 120, i -> {
            Mqtt5AsyncClient c = devices.get(i);
            return c.connectWith().cleanStart(true).keepAlive(60).send()
                    .thenCompose(ack -> c.subscribeWith().topicFilter(requestTopic(run, i)).qos(MqttQos.AT_MOST_ONCE)
                            .callback(request -> answer(c, request)).send());
        });
        return new MosquittoFleet(host, port, run, devices, failures, (System.nanoTime() - t0) / 1e9);
    }

    private static Mqtt5AsyncClient client(String host, int port, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost(host).serverPort(port).buildAsync();
    }

    private static String requestTopic(String run, int device) {
        return "req/" + run + "/" + device;
    }

    /** The device side of a call: the function "returns" 1 on the caller's response topic. */
    private static void answer(Mqtt5AsyncClient device, Mqtt5Publish request) {
        request.getResponseTopic().ifPresent(topic -> {
            var reply = device.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .payload("1".getBytes(StandardCharsets.US_ASCII));
            request.getCorrelationData().ifPresent(reply::correlationData);
            reply.send();
        });
    }

    List<Throwable> connectFailures() {
        return connectFailures;
    }

    double connectSeconds() {
        return connectSeconds;
    }

    int connectedCount() {
        return (int) devices.stream().filter(c -> c.getState().isConnected()).count();
    }

    FanIn.Publisher publisher(int device) {
        Mqtt5AsyncClient c = devices.get(device);
        String topic = "bench/" + run + "/" + device;
        return payload -> c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()
                .thenApply(result -> result.getError().isPresent() ? FanIn.Outcome.REFUSED : FanIn.Outcome.ACCEPTED);
    }

    /** The one subscriber of the fan-in: every device's events, handed over with their receipt time. */
    void subscribeAll(ObjLongConsumer<byte[]> onMessage) throws Exception {
        subscribeAll(onMessage, 0);
    }

    /** One more subscriber to every client's messages; {@code index} tells several apart. */
    void subscribeAll(ObjLongConsumer<byte[]> onMessage, int index) throws Exception {
        Mqtt5AsyncClient sub = client(host, port, "bench-" + run + "-subscriber" + (index == 0 ? "" : "-" + index));
        sub.connectWith().cleanStart(true).keepAlive(60).send().get(10, TimeUnit.SECONDS);
        sub.subscribeWith().topicFilter("bench/" + run + "/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> onMessage.accept(p.getPayloadAsBytes(), System.nanoTime())).send().get(10, TimeUnit.SECONDS);
        others.add(sub);
    }

    /** A caller with its own connection and response topic; one request outstanding at a time. */
    RoundTrips.Caller caller(int index) throws Exception {
        Mqtt5AsyncClient c = client(host, port, "bench-" + run + "-caller" + index);
        String responseTopic = "rep/" + run + "/" + index;
        Map<Long, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
        c.connectWith().cleanStart(true).keepAlive(60).send().get(10, TimeUnit.SECONDS);
        c.subscribeWith().topicFilter(responseTopic).qos(MqttQos.AT_LEAST_ONCE).callback(reply ->
                reply.getCorrelationData().ifPresent(cd -> {
                    CompletableFuture<byte[]> f = pending.remove(cd.duplicate().getLong());
                    if (f != null) f.complete(reply.getPayloadAsBytes());
                })).send().get(10, TimeUnit.SECONDS);
        others.add(c);
        AtomicLong ids = new AtomicLong();
        byte[] arg = "on".getBytes(StandardCharsets.US_ASCII);
        return device -> {
            long id = ids.incrementAndGet();
            CompletableFuture<byte[]> answer = new CompletableFuture<>();
            pending.put(id, answer);
            c.publishWith().topic(requestTopic(run, device)).qos(MqttQos.AT_MOST_ONCE).responseTopic(responseTopic)
                    .correlationData(ByteBuffer.allocate(8).putLong(0, id)).payload(arg).send();
            try {
                byte[] result = answer.get(10, TimeUnit.SECONDS);
                if (result.length != 1 || result[0] != '1') throw new IllegalStateException("unexpected answer");
            } finally {
                pending.remove(id);
            }
        };
    }

    @Override
    public void close() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Mqtt5AsyncClient c : devices) if (c.getState().isConnected()) all.add(c.disconnect());
        for (Mqtt5AsyncClient c : others) if (c.getState().isConnected()) all.add(c.disconnect());
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // best effort
        }
    }
}
