package io.boson.webhooks;

import io.boson.bus.Bus;
import io.boson.bus.BusMessage;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The bus as the event service sees it: every event published on this node goes on as before and
 * is also offered to the webhooks. An event enters the cloud on exactly one node (the device's, or
 * the API request's), so on a cluster each event fires its webhooks once, from the node it entered.
 * Every other call goes straight to the bus: a method added to {@link Bus} must be passed on here
 * too, or the event service silently gets its default.
 */
final class EventTap implements Bus {

    private static final String EVENTS = "evt.";

    private final Bus bus;
    private final Delivery delivery;

    EventTap(Bus bus, Delivery delivery) {
        this.bus = bus;
        this.delivery = delivery;
    }

    @Override
    public void publish(String subject, byte[] data) {
        bus.publish(subject, data);
        tap(subject, data);
    }

    @Override
    public void publish(String subject, String replyTo, byte[] data) {
        bus.publish(subject, replyTo, data);
        tap(subject, data);
    }

    private void tap(String subject, byte[] data) {
        if (subject.startsWith(EVENTS)) delivery.offer(subject.substring(EVENTS.length()), data);
    }

    @Override
    public CompletableFuture<byte[]> request(String subject, byte[] data, Duration timeout) {
        return bus.request(subject, data, timeout);
    }

    @Override
    public Subscription subscribe(String pattern, Consumer<BusMessage> handler) {
        return bus.subscribe(pattern, handler);
    }

    @Override
    public void sync(Duration timeout) {
        bus.sync(timeout);
    }

    @Override
    public boolean reachable() {
        return bus.reachable();
    }

    /** The underlying bus is the node's to close. */
    @Override
    public void close() {
    }
}
