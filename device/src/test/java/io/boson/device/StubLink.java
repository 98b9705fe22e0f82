package io.boson.device;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A hand-written MQTT session: records what the device sends and plays the cloud's side. */
final class StubLink implements DeviceLink {

    record Sent(String topic, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    final Settings settings;
    final List<Sent> sent = new CopyOnWriteArrayList<>();
    final List<String> subscribed = new ArrayList<>();
    volatile PublishAck ack = PublishAck.SUCCESS;
    volatile RuntimeException refuseConnect;
    volatile int disconnects;

    StubLink(Settings settings) {
        this.settings = settings;
    }

    @Override
    public CompletableFuture<Void> connect(String username, byte[] password, int keepAliveSeconds) {
        return refuseConnect == null ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(refuseConnect);
    }

    @Override
    public CompletableFuture<List<Boolean>> subscribe(List<String> filters) {
        subscribed.addAll(filters);
        return CompletableFuture.completedFuture(filters.stream().map(f -> true).toList());
    }

    @Override
    public CompletableFuture<PublishAck> publish(String topic, byte[] payload) {
        sent.add(new Sent(topic, payload));
        return CompletableFuture.completedFuture(ack);
    }

    @Override
    public CompletableFuture<Void> disconnect() {
        disconnects++;
        return CompletableFuture.completedFuture(null);
    }

    /** The cloud publishes to the device. */
    void deliver(String topic, String payload) {
        settings.inbound().accept(topic, java.nio.ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)));
    }

    /** The session ends. */
    void drop(String reason) {
        settings.disconnected().accept(reason);
    }

    Sent last() {
        return sent.getLast();
    }
}
