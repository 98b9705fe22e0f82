package io.boson.testing;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A device made of nothing but a real MQTT 5 client (HiveMQ) following the device protocol: it
 * subscribes to {@code c/#}, describes itself, answers calls and collects the events it receives.
 */
public final class TestDevice implements AutoCloseable {

    public final String id;
    private final Mqtt5AsyncClient client;
    private final Map<String, Function<String, Integer>> functions = new ConcurrentHashMap<>();
    private final Map<String, String> variables = new ConcurrentHashMap<>();
    private final BlockingQueue<Mqtt5Publish> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Throwable> disconnectCause = new CompletableFuture<>();
    private volatile boolean answering = true;

    private TestDevice(String id, int port) {
        this.id = id;
        this.client = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(port).addDisconnectedListener(ctx -> disconnectCause.complete(ctx.getCause())).buildAsync();
    }

    public static Mqtt5AsyncClient client(TestCloud cloud, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(cloud.mqttPort()).buildAsync();
    }

    public static TestDevice connect(TestCloud cloud, TestCloud.Credentials c) {
        return connect(cloud.mqttPort(), c);
    }

    public static TestDevice connect(int mqttPort, TestCloud.Credentials c) {
        TestDevice d = new TestDevice(c.id(), mqttPort);
        Mqtt5AsyncClient client = d.client;
        d.functions.put("led", arg -> arg.equals("on") ? 1 : arg.equals("off") ? 0 : -1);
        d.variables.put("temp", "21.5");
        d.variables.put("count", "42");
        d.variables.put("label", "kitchen");
        d.variables.put("armed", "true");
        join(client.connectWith().simpleAuth().username(c.id()).password(c.secret().getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().keepAlive(60).send());
        client.toAsync().publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL, d::onMessage);
        join(client.subscribeWith().topicFilter("c/#").qos(MqttQos.AT_LEAST_ONCE).send());
        d.describe("{\"f\":[\"led\"],\"v\":{\"temp\":\"double\",\"count\":\"int32\",\"label\":\"string\",\"armed\":\"bool\"},"
                + "\"platform_id\":13,\"system_version\":\"6.3.0\"}");
        return d;
    }

    public void describe(String json) {
        Mqtt5PublishResult r = join(client.publishWith().topic("d").payload(json.getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).send());
        r.getError().ifPresent(e -> {
            throw new AssertionError("describe refused", e);
        });
    }

    /** Answers calls of function {@code name} (announced or not) with {@code fn}, replacing what answered before. */
    public void answer(String name, Function<String, Integer> fn) {
        functions.put(name, fn);
    }

    /** Stop answering cloud requests (for timeout tests). */
    public void silent() {
        answering = false;
    }

    private void onMessage(Mqtt5Publish p) {
        String topic = p.getTopic().toString();
        String payload = new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
        if (answering && topic.startsWith("c/f/")) {
            String[] parts = topic.split("/");
            Function<String, Integer> fn = functions.get(parts[2]);
            if (fn == null) reply("r/" + parts[3] + "/err", "unknown function");
            else reply("r/" + parts[3], Integer.toString(fn.apply(payload)));
        } else if (answering && topic.startsWith("c/v/")) {
            String[] parts = topic.split("/");
            String v = variables.get(parts[2]);
            if (v == null) reply("r/" + parts[3] + "/err", "unknown variable");
            else reply("r/" + parts[3], v);
        } else if (answering && topic.startsWith("c/p/")) {
            reply("r/" + topic.substring(4), "");
        }
        received.add(p);
    }

    private void reply(String topic, String payload) {
        client.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8)).qos(MqttQos.AT_LEAST_ONCE).send();
    }

    /** Publishes {@code e/{name}} at QoS 1 and returns the PUBACK reason code. */
    public Mqtt5PubAckReasonCode publish(String name, String data) {
        return publishRaw("e/" + name, data.getBytes(StandardCharsets.UTF_8));
    }

    public Mqtt5PubAckReasonCode publishRaw(String topic, byte[] payload) {
        try {
            Mqtt5PublishResult r = client.publishWith().topic(topic).payload(payload).qos(MqttQos.AT_LEAST_ONCE).send()
                    .get(10, TimeUnit.SECONDS);
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException refused) {
                return refused.getMqttMessage().getReasonCode();
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Completes with the cause when the cloud closes the connection. */
    public CompletableFuture<Throwable> disconnectCause() {
        return disconnectCause;
    }

    public Mqtt5AsyncClient client() {
        return client;
    }

    /** The next message from the cloud whose topic starts with {@code prefix}. */
    public Mqtt5Publish next(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Mqtt5Publish p = received.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                if (p == null) throw new AssertionError("no message on " + prefix + " within " + timeout);
                if (p.getTopic().toString().startsWith(prefix)) return p;
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Messages received so far on topics starting with {@code prefix}, without waiting. */
    public java.util.List<String> receivedTopics(String prefix) {
        return received.stream().map(p -> p.getTopic().toString()).filter(t -> t.startsWith(prefix)).toList();
    }

    public boolean connected() {
        return client.getState().isConnected();
    }

    public static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e.getCause() != null ? e.getCause() : e);
        }
    }

    @Override
    public void close() {
        if (client.getState().isConnected()) {
            try {
                client.disconnect().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // already gone
            }
        }
    }
}
