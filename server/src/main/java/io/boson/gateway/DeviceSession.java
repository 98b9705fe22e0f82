package io.boson.gateway;

import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.boson.calls.CallService;
import io.boson.calls.DeviceRequest;
import io.boson.devices.Device;
import io.boson.events.Event;
import io.boson.devices.Scope;
import io.boson.firmware.OtaDelivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One authenticated device connection: its identity and scope, its subscriptions, the cloud
 * requests waiting for its answers, and everything the cloud sends it. Outbound messages go only
 * to topics the device subscribed to.
 *
 * <p>What the cloud sends a device is bounded by the connection's write buffer (Netty's high water
 * mark, {@link MqttGateway#WRITE_BUFFER_HIGH}): while it is full, messages for the device are dropped
 * and counted (QoS 0, as brokers do) instead of queued, requests to it fail at once, and a device
 * that stays unwritable for {@link #SLOW_READER_GRACE} is disconnected. A device that stops reading
 * therefore costs the server at most one buffer, and the devices and streams it shares a scope with
 * are served as before.
 */
final class DeviceSession {

    private static final Logger log = LoggerFactory.getLogger(DeviceSession.class);
    /** How long a device may leave its buffer full (on the injected clock) before it is disconnected. */
    static final java.time.Duration SLOW_READER_GRACE = java.time.Duration.ofSeconds(30);
    static final String NOT_READING = "The device is not reading what the cloud sends it";
    /** Topic filters one device may hold; every outbound message is matched against each. */
    static final int MAX_SUBSCRIPTIONS = 32;
    /** Requests (calls, variable reads, pings) waiting for one device's answers at once. */
    static final int MAX_IN_FLIGHT = 16;
    static final String TOO_MANY_IN_FLIGHT = "Too many requests are waiting for this device's answers; try again shortly";

    private final GatewayContext gw;
    private final Channel channel;
    private final String deviceId;
    private final String sessionId = UUID.randomUUID().toString();
    private final boolean mqtt5;
    /** The device's topic filters: replaced whole under the session's lock, read without it. */
    private volatile String[] filters = NO_FILTERS;
    private static final String[] NO_FILTERS = {};
    /** Requests waiting for the device's answers, by request id; made at the first request (most devices get none). */
    private volatile Map<String, Pending> pending;
    /** The last request id given (see {@link #RIDS}). */
    @SuppressWarnings("unused")
    private volatile long rids;
    private volatile Bus.Subscription busSubscription;
    private volatile String scope;
    /** The owner's scope of a claimed product device: its events are copied there; API events from there reach it. */
    private volatile String ownerScope;
    private volatile boolean receivingEvents;
    private volatile String closeReason = "connection closed";
    /** Whether the device described itself in this session (set once, by {@link #DESCRIBED}). */
    private volatile boolean described;
    /** Fields updated atomically without an Atomic object each: a connected device costs their 16-24 bytes less. */
    private static final java.lang.invoke.VarHandle RIDS;
    private static final java.lang.invoke.VarHandle DESCRIBED;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.lookup();
            RIDS = lookup.findVarHandle(DeviceSession.class, "rids", long.class);
            DESCRIBED = lookup.findVarHandle(DeviceSession.class, "described", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** When the device's write buffer was first found full (clock millis), 0 while it is writable. */
    private volatile long unwritableSince;
    private volatile int otaChunk = OtaDelivery.CHUNK_BYTES;

    /**
     * When this session last told presence it heard the device (its connect counts): read and written
     * on the channel's event loop only. Presence hears a device at most once per last-heard interval,
     * so a device publishing every second costs one map write a minute instead of one per message.
     */
    private long heardReported;

    DeviceSession(GatewayContext gw, Channel channel, Device device, boolean mqtt5) {
        this.heardReported = gw.clock().millis();
        this.gw = gw;
        this.channel = channel;
        this.deviceId = device.id();
        this.mqtt5 = mqtt5;
        String placement = Scope.placement(device);
        this.scope = shared(Scope.scopeOf(placement));
        this.ownerScope = shared(Scope.ownerCopyOf(placement));
    }

    String deviceId() {
        return deviceId;
    }

    /** A product's devices share its scope's name: one copy for all of them (interned strings are collected when unused). */
    private static String shared(String scope) {
        return scope == null ? null : scope.intern();
    }

    /** The device's IP address, or null when the channel has none. */
    String remoteIp() {
        return channel.remoteAddress() instanceof java.net.InetSocketAddress a ? a.getAddress().getHostAddress() : null;
    }

    /** Whether the device's connection is still open. */
    boolean open() {
        return channel.isActive();
    }

    String sessionId() {
        return sessionId;
    }

    String scope() {
        return scope;
    }

    String ownerScope() {
        return ownerScope;
    }

    boolean mqtt5() {
        return mqtt5;
    }

    Channel channel() {
        return channel;
    }

    /** Why the connection ended, as recorded with the device. */
    String closeReason() {
        return closeReason;
    }

    void closeReason(String reason) {
        closeReason = reason;
    }

    /** Ends the connection for a reason of the cloud's (MQTT 5 devices get it as a DISCONNECT reason code). */
    void close(byte reason) {
        closeReason = Disconnects.describe(reason);
        Disconnects.close(channel, mqtt5, reason);
    }

    /**
     * Listens for requests, takeovers and ownership changes addressed to this device: one bus
     * subscription for all of the device's subjects ({@code dev.<id>.*}), dispatched by kind here.
     * Six subscriptions cost about a kilobyte per connected device (a subject, a map entry, a
     * subscriber and a handler each); one costs a sixth of it.
     */
    void attach() {
        busSubscription = gw.bus().subscribe(Subjects.device(deviceId), this::onDeviceMessage);
    }

    private void onDeviceMessage(io.boson.bus.BusMessage m) {
        switch (Subjects.deviceSubjectKind(m.subject())) {
            case Subjects.COMMANDS -> onRequest(m.data(), m.replyTo());
            case Subjects.TAKEOVER -> {
                if (!sessionId.equals(new String(m.data(), StandardCharsets.UTF_8))) close(Disconnects.SESSION_TAKEN_OVER);
            }
            case Subjects.KICK -> close(Disconnects.NOT_AUTHORIZED);
            case Subjects.CHANGED -> {
                String placement = new String(m.data(), StandardCharsets.UTF_8);
                rescope(placement);
                Runnable rebill = () -> gw.usage().rebill(deviceId, placement).ifPresent(reason -> {
                    closeReason = reason;
                    Disconnects.close(channel, mqtt5, Disconnects.QUOTA_EXCEEDED);
                });
                // On one node the change arrives on the API request's own virtual thread: bill the new payer
                // before the claim answers, so nothing counted after it goes to the old one. A bus or event-loop
                // thread must not wait on the database: there the payer changes a moment later.
                if (Thread.currentThread().isVirtual()) rebill.run();
                else gw.blocking().execute(rebill);
            }
            // Webhook responses and errors for this device alone, delivered when a subscription matches.
            case Subjects.HOOK -> deliverEvent(gw.codec().decode(m.data()).event());
            case Subjects.FIRMWARE -> {
                // Until the first describe the cloud does not know what the device runs; that describe decides.
                if (described) gw.blocking().execute(this::firmwareNudged);
            }
            default -> {
                // presence and edits: notices for caches, nothing for the session
            }
        }
    }

    /** The OTA chunk size this device asked for in its last describe (see OtaDelivery.chunkBytes). */
    int otaChunk() {
        return otaChunk;
    }

    void otaChunk(int bytes) {
        otaChunk = bytes;
    }

    /** True for the first describe of this session: the handshake, when standard releases are delivered. */
    boolean firstDescribe() {
        return DESCRIBED.compareAndSet(this, false, true);
    }

    private void firmwareNudged() {
        try {
            gw.ota().nudged(deviceId).ifPresent(this::offer);
        } catch (RuntimeException e) {
            log.warn("device {}: firmware check failed: {}", deviceId, e.toString());
        }
    }

    /** Sends a firmware offer, if the device subscribed to offers. */
    void offer(OtaDelivery.Offer offer) {
        send(offer.topic(), offer.payload());
    }

    /**
     * Sends an OTA chunk as a view of the cached image (Netty's MQTT encoder then copies it once, into
     * the frame it writes to the socket). A device asks for the next chunk once it has the
     * previous one, so the connection's outbound buffer never holds more than one; a device that
     * keeps asking without reading would make the server buffer image after image for it, so it is
     * disconnected (0x96) instead.
     */
    void chunk(String job, long offset, OtaDelivery.Chunk c) {
        if (!channel.isWritable()) {
            close(Disconnects.MESSAGE_RATE_TOO_HIGH);
            return;
        }
        String topic = "c/o/" + job + "/" + offset;
        if (subscribedTo(topic)) write(topic, Unpooled.wrappedBuffer(c.image(), c.offset(), c.length()));
    }

    synchronized void detach() {
        Bus.Subscription s = busSubscription;
        if (s != null) s.close();
        if (receivingEvents) stopEvents();
        Map<String, Pending> pending = this.pending;
        if (pending == null) return;
        for (Pending p : pending.values()) {
            reply(p.replyTo(), DeviceRequest.Reply.failed(CallService.DeviceOfflineReply.REASON));
        }
        pending.clear();
    }

    private synchronized void rescope(String placement) {
        String next = shared(Scope.scopeOf(placement));
        String nextOwner = shared(Scope.ownerCopyOf(placement));
        if (next.equals(scope) && java.util.Objects.equals(nextOwner, ownerScope)) return;
        if (receivingEvents) stopEvents();
        scope = next;
        ownerScope = nextOwner;
        if (receivingEvents) receiveEvents();
    }

    private void receiveEvents() {
        gw.sessions().receiveEvents(scope, this);
        if (ownerScope != null) gw.sessions().receiveEvents(ownerScope, this);
    }

    private void stopEvents() {
        gw.sessions().stopEvents(scope, this);
        if (ownerScope != null) gw.sessions().stopEvents(ownerScope, this);
    }

    /** Adds a subscription; false when the device has {@link #MAX_SUBSCRIPTIONS} already. */
    synchronized boolean subscribed(String filter) {
        String[] now = filters;
        if (!java.util.Arrays.asList(now).contains(filter)) {
            if (now.length >= MAX_SUBSCRIPTIONS) return false;
            // A fleet subscribes to the same few filters (c/f/#, c/v/#, …): one copy of each for all of
            // its sessions instead of one per device (about 300 bytes each). Interned strings are
            // collected once no session holds them, so odd filters cost nothing for good.
            String[] more = java.util.Arrays.copyOf(now, now.length + 1);
            more[now.length] = filter.intern();
            filters = more;
        }
        if (!receivingEvents && Topics.couldMatchEvents(filter)) {
            receivingEvents = true;
            receiveEvents();
        }
        return true;
    }

    synchronized void unsubscribed(String filter) {
        String[] rest = java.util.Arrays.stream(filters).filter(f -> !f.equals(filter)).toArray(String[]::new);
        filters = rest.length == 0 ? NO_FILTERS : rest;
        if (receivingEvents && java.util.Arrays.stream(rest).noneMatch(Topics::couldMatchEvents)) {
            receivingEvents = false;
            stopEvents();
        }
    }

    /** An event of this device's scope; delivered when one of its subscriptions matches. */
    void offerEvent(Event e) {
        if (deviceId.equals(e.deviceOwner())) return;
        // From the owner's scope only what the owner published through the API: device events there
        // are copies of events this device already gets in its product's scope.
        if (e.deviceOwner() != null && !e.scope().equals(scope)) return;
        // Webhook outcomes reach only the device that triggered them, through its own subject.
        if (WEBHOOK_COREID.equals(e.coreid())) return;
        deliverEvent(e);
    }

    private static final String WEBHOOK_COREID = "particle-internal";

    private void deliverEvent(Event e) {
        for (String f : filters) {
            if (Topics.eventMatches(f, e.name())) {
                if (!writable()) return;
                byte[] data = e.base64() ? Base64.getDecoder().decode(e.data()) : e.data().getBytes(StandardCharsets.UTF_8);
                // Matched by Particle's prefix rule, which plain MQTT matching in send() would not accept.
                write("c/e/" + e.name(), data);
                gw.usage().meter().event(deviceId, e.name(), data.length);
                gw.meters().eventsToDevices.increment();
                gw.fleetCounters().count(deviceId, io.boson.health.FleetMetric.EVENTS_DELIVERED, 1);
                return;
            }
        }
    }

    /** A request from the API (through the bus) for this device. */
    private void onRequest(byte[] data, String replyTo) {
        DeviceRequest req;
        try {
            req = gw.json().readValue(data, DeviceRequest.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (req.kind().equals("s") || req.kind().equals("t")) {
            // One-way messages: answered as soon as they are handed to the device.
            String topic = req.kind().equals("s") ? "c/signal" : "c/vitals";
            DeviceRequest.Reply outcome;
            if (!subscribedTo(topic)) {
                outcome = DeviceRequest.Reply.failed("The device is not subscribed to " + topic);
            } else if (!writable()) {
                outcome = DeviceRequest.Reply.failed(NOT_READING);
            } else {
                write(topic, req.arg().getBytes(StandardCharsets.US_ASCII));
                outcome = DeviceRequest.Reply.ok("");
            }
            if (replyTo != null) reply(replyTo, outcome);
            return;
        }
        String rid = Long.toString((long) RIDS.getAndAdd(this, 1L) + 1, 36);
        String topic = switch (req.kind()) {
            case "f" -> "c/f/" + req.name() + "/" + rid;
            case "v" -> "c/v/" + req.name() + "/" + rid;
            default -> "c/p/" + rid;
        };
        if (!subscribedTo(topic)) {
            reply(replyTo, DeviceRequest.Reply.failed("The device is not subscribed to " + topic.substring(0, 3) + "…"));
            return;
        }
        long now = System.nanoTime();
        Map<String, Pending> pending = pending();
        if (!pending.isEmpty()) pending.values().removeIf(p -> now - p.forgetAt() >= 0);
        if (pending.size() >= MAX_IN_FLIGHT) {
            reply(replyTo, DeviceRequest.Reply.failed(TOO_MANY_IN_FLIGHT));
            return;
        }
        if (!writable()) {
            reply(replyTo, DeviceRequest.Reply.failed(NOT_READING));
            return;
        }
        // The caller gives up after the request timeout; the request is forgotten a little later (by the next
        // request's sweep above, or when the session ends) unless answered first. No timer per request: one
        // from the caller's thread costs a wake-up of the event loop and a task to cancel on every answer.
        pending.put(rid, new Pending(replyTo, now + gw.requestTimeout().toNanos() + 1_000_000_000L));
        byte[] payload = req.arg() == null ? new byte[0] : req.arg().getBytes(StandardCharsets.UTF_8);
        // Subscription and room were checked just above: write, without matching the filters again.
        write(topic, payload);
        // A function call or variable read costs one Data Operation; pings cost nothing.
        if (!req.kind().equals("p")) gw.usage().meter().request(deviceId);
    }

    private Map<String, Pending> pending() {
        Map<String, Pending> p = pending;
        if (p != null) return p;
        synchronized (this) {
            if (pending == null) pending = new ConcurrentHashMap<>(4);
            return pending;
        }
    }

    /** The device answered {@code r/{rid}} or {@code r/{rid}/err}. Late or unknown answers are ignored. */
    void answered(String rid, String text, boolean error) {
        Map<String, Pending> pending = this.pending;
        Pending p = pending == null ? null : pending.remove(rid);
        if (p == null) return;
        reply(p.replyTo(), error ? DeviceRequest.Reply.failed(text.isEmpty() ? "The device reported an error" : text)
                : DeviceRequest.Reply.ok(text));
    }

    /** A request sent to the device, waiting for its answer. */
    private record Pending(String replyTo, long forgetAt) {
    }

    private void reply(String replyTo, DeviceRequest.Reply r) {
        try {
            gw.bus().publish(replyTo, gw.json().writeValueAsBytes(r));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean subscribedTo(String topic) {
        for (String f : filters) if (Topics.mqttMatches(f, topic)) return true;
        return false;
    }

    /** Publishes to the device at QoS 0 if it subscribed to the topic and reads; false when not sent. */
    boolean send(String topic, byte[] payload) {
        if (!subscribedTo(topic) || !writable()) return false;
        write(topic, payload);
        return true;
    }

    /**
     * True when the connection's write buffer has room. When it has none, the message in hand is
     * dropped and counted, and a device whose buffer has stayed full past the grace is disconnected.
     */
    private boolean writable() {
        if (channel.isWritable()) {
            unwritableSince = 0;
            return true;
        }
        gw.presence().droppedUnread(deviceId);
        long now = gw.clock().millis();
        long since = unwritableSince;
        if (since == 0) {
            unwritableSince = now;
        } else if (now - since >= SLOW_READER_GRACE.toMillis() && channel.isActive()) {
            log.info("device {}: disconnected, it has not read what the cloud sent it for {} s", deviceId, (now - since) / 1000);
            closeReason = "did not read what the cloud sent it";
            Disconnects.closeNow(channel, mqtt5, Disconnects.MESSAGE_RATE_TOO_HIGH);
        }
        return false;
    }

    private void write(String topic, byte[] payload) {
        write(topic, Unpooled.wrappedBuffer(payload));
    }

    private void write(String topic, io.netty.buffer.ByteBuf payload) {
        channel.writeAndFlush(MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_MOST_ONCE)
                .retained(false).payload(payload).build());
    }

    /** A packet arrived at {@code now}: tells presence when the last-heard interval has passed since it last did. */
    void heard(long now, long interval) {
        if (now - heardReported < interval) return;
        heardReported = now;
        gw.presence().heard(deviceId, now);
    }
}
