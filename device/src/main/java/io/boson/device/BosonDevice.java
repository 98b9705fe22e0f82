package io.boson.device;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.exceptions.MqttClientStateException;
import io.boson.device.CloudMessage.Event;
import io.boson.device.CloudMessage.FirmwareChunk;
import io.boson.device.CloudMessage.FirmwareOffer;
import io.boson.device.CloudMessage.FunctionCall;
import io.boson.device.CloudMessage.Ping;
import io.boson.device.CloudMessage.Signal;
import io.boson.device.CloudMessage.Unknown;
import io.boson.device.CloudMessage.VariableRead;
import io.boson.device.CloudMessage.VitalsRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A device speaking Boson device protocol v1 over MQTT: it connects with its ID and secret,
 * describes its functions and variables, publishes events, and answers the cloud's requests.
 *
 * <p>Sessions are clean (the cloud keeps no MQTT state), so every {@link #connect()} subscribes and
 * describes again, and a device may be connected again after it was disconnected. {@code connect()}
 * completes only after the describe is acknowledged, because until then the cloud cannot route a
 * function call to the device.
 *
 * <p>Handlers run on the MQTT client's I/O thread, shared by many devices, unless the builder was
 * given a callback executor: handlers that block must get one.
 */
public final class BosonDevice {

    private static final Logger log = LoggerFactory.getLogger(BosonDevice.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Every cloud-to-device topic except events. {@code c/#} would be shorter, but it also matches
     * {@code c/e/#}, which would deliver (and bill) every event in the device's scope.
     */
    static final List<String> REQUEST_FILTERS =
            List.of("c/f/#", "c/v/#", "c/p/#", "c/o/#", "c/vitals", "c/signal");

    private enum State { DISCONNECTED, CONNECTING, CONNECTED }

    record Subscription(EventFilter filter, BiConsumer<String, byte[]> handler) {}

    private final String id;
    private final byte[] password;
    private final int keepAliveSeconds;
    private final Responder responder;
    private final List<Subscription> subscriptions;
    private final Supplier<Map<String, ?>> extraVitals;
    private final DeviceLink link;
    private final List<Consumer<String>> disconnectListeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.DISCONNECTED);
    private final long createdNanos = System.nanoTime();
    private volatile Describe describe;
    private volatile boolean signaling;
    private final OtaFaults otaFaults;
    private volatile FirmwareDownload download;
    private final AtomicLong firmwareOffers = new AtomicLong();
    private final AtomicLong firmwareBytes = new AtomicLong();
    private final AtomicLong firmwareApplied = new AtomicLong();
    private final AtomicLong firmwareFailed = new AtomicLong();
    private final AtomicLong firmwareResumedFrom = new AtomicLong(-1);

    private final AtomicLong eventsPublished = new AtomicLong();
    private final AtomicLong eventsRateLimited = new AtomicLong();
    private final AtomicLong eventsRefused = new AtomicLong();
    private final AtomicLong eventsReceived = new AtomicLong();
    private final AtomicLong connectAttempts = new AtomicLong();
    private final AtomicLong disconnects = new AtomicLong();

    BosonDevice(BosonDeviceBuilder b, Function<DeviceLink.Settings, DeviceLink> links) {
        this.id = b.deviceId;
        this.password = b.secret.getBytes(StandardCharsets.UTF_8);
        this.keepAliveSeconds = b.keepAliveSeconds;
        this.responder = new Responder(b.functions, b.variables);
        this.subscriptions = List.copyOf(b.subscriptions);
        this.extraVitals = b.vitals;
        this.describe = b.describe();
        this.otaFaults = b.otaFaults;
        this.link = links.apply(new DeviceLink.Settings(
                b.host, b.port, b.deviceId, b.tls, b.trust, b.callbackExecutor,
                this::onMessage, this::onLinkDown));
    }

    public static BosonDeviceBuilder builder() {
        return new BosonDeviceBuilder();
    }

    public String id() {
        return id;
    }

    /**
     * CONNECT, SUBSCRIBE, then describe. Fails with {@link ConnectRefusedException} when the cloud
     * refuses the device, and with {@link IllegalStateException} when already connected or connecting.
     */
    public CompletableFuture<Void> connect() {
        if (!state.compareAndSet(State.DISCONNECTED, State.CONNECTING)) {
            return CompletableFuture.failedFuture(new IllegalStateException(id + " is " + state.get()));
        }
        connectAttempts.incrementAndGet();
        return link.connect(id, password, keepAliveSeconds)
                .thenCompose(connected -> link.subscribe(subscriptionFilters()))
                .thenCompose(granted -> {
                    warnAboutRefusedFilters(granted);
                    return publishDescribe();
                })
                .thenAccept(ack -> {
                    if (!ack.isAccepted()) {
                        throw new ConnectRefusedException(ack.reasonCode(), "describe refused: " + ack.reason());
                    }
                    state.set(State.CONNECTED);
                })
                .handle((connected, error) -> error == null ? CompletableFuture.<Void>completedFuture(null) : abandon(error))
                .thenCompose(Function.identity());
    }

    // Half a session is worse than none: the cloud would show the device online while it cannot
    // answer anything. The state changes only once the link is down, so a retry cannot overlap it.
    private CompletableFuture<Void> abandon(Throwable error) {
        Throwable cause = DeviceLink.unwrap(error);
        return link.disconnect().handle((disconnected, ignored) -> {
            state.set(State.DISCONNECTED);
            throw new CompletionException(cause);
        });
    }

    /** Idempotent: disconnecting a device that is not connected completes normally. */
    public CompletableFuture<Void> disconnect() {
        return link.disconnect().exceptionally(error -> {
            if (DeviceLink.unwrap(error) instanceof MqttClientStateException) {
                return null;
            }
            throw new CompletionException(DeviceLink.unwrap(error));
        });
    }

    /** True between a completed {@link #connect()} and the loss of that session. */
    public boolean isConnected() {
        return state.get() == State.CONNECTED;
    }

    /** Called with a reason such as {@code "SERVER: SESSION_TAKEN_OVER"} when a connected session ends. */
    public void onDisconnected(Consumer<String> listener) {
        disconnectListeners.add(listener);
    }

    /**
     * Publishes event {@code name} on {@code e/{name}}. The name is not checked here: the cloud owns
     * the naming rules, and its refusal (0x90) is visible in the returned ack under MQTT 5.
     */
    public CompletableFuture<PublishAck> publish(String name, byte[] data) {
        return link.publish("e/" + name, data).thenApply(ack -> {
            (ack.isAccepted() ? eventsPublished : ack.isRateLimited() ? eventsRateLimited : eventsRefused)
                    .incrementAndGet();
            return ack;
        });
    }

    public CompletableFuture<PublishAck> publish(String name, String data) {
        return publish(name, data.getBytes(StandardCharsets.UTF_8));
    }

    /** Publishes exactly these vitals on {@code v}; see {@link #vitals()} for what the device would send. */
    public CompletableFuture<PublishAck> publishVitals(Map<String, ?> vitals) {
        return link.publish("v", toJson(vitals));
    }

    /** Vitals the device sends when the cloud asks: its own counters, overlaid by the builder's supplier. */
    public Map<String, Object> vitals() {
        Map<String, Object> vitals = new LinkedHashMap<>();
        vitals.put("uptime", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - createdNanos));
        vitals.put("connect_attempts", connectAttempts.get());
        vitals.put("disconnects", disconnects.get());
        vitals.putAll(extraVitals.get());
        return vitals;
    }

    public CompletableFuture<PublishAck> claim(String claimCode) {
        return link.publish("k", claimCode.getBytes(StandardCharsets.UTF_8));
    }

    /** Changes whether the device accepts firmware offers, and tells the cloud if connected. */
    public CompletableFuture<PublishAck> updatesEnabled(boolean enabled) {
        describe = describe.withUpdatesEnabled(enabled);
        return isConnected() ? publishDescribe() : CompletableFuture.completedFuture(PublishAck.SUCCESS);
    }

    /** Whether the cloud asked the device to signal (Particle's "shouting rainbows"). */
    public boolean isSignaling() {
        return signaling;
    }

    /** Events the cloud accepted. */
    public long eventsPublished() {
        return eventsPublished.get();
    }

    /** Events the cloud dropped by its rate limit, PUBACK 0x97 (visible under MQTT 5 only). */
    public long eventsRateLimited() {
        return eventsRateLimited.get();
    }

    /** Events the cloud refused for any other reason (visible under MQTT 5 only). */
    public long eventsRefused() {
        return eventsRefused.get();
    }

    /** Events delivered to this device through its subscriptions. */
    public long eventsReceived() {
        return eventsReceived.get();
    }

    /**
     * The one place where cloud topics turn into actions; OTA support belongs in the two firmware cases.
     * {@code payload} is the MQTT client's buffer: read here, never kept (see {@link DeviceLink.Settings}).
     */
    void onMessage(String topic, ByteBuffer payload) {
        switch (CloudMessage.parse(topic)) {
            case FunctionCall call -> reply(responder.call(call, bytes(payload)));
            case VariableRead read -> reply(responder.read(read));
            case Ping ping -> reply(Responder.ping(ping));
            case Event event -> deliver(event.name(), bytes(payload));
            case VitalsRequest request -> publishVitals(vitals());
            case Signal request -> signal(bytes(payload));
            case FirmwareOffer offer -> firmwareOffered(offer.job(), bytes(payload));
            case FirmwareChunk chunk -> firmwareChunk(chunk.job(), chunk.offset(), payload);
            case Unknown unknown -> log.debug("{}: ignoring topic {}", id, unknown.topic());
        }
    }

    private static byte[] bytes(ByteBuffer payload) {
        byte[] b = new byte[payload.remaining()];
        payload.duplicate().get(b);
        return b;
    }

    private void reply(Reply reply) {
        link.publish(reply.topic(), reply.payload()).whenComplete((ack, error) -> {
            if (error != null || !ack.isAccepted()) {
                log.debug("{}: reply on {} not accepted: {}", id, reply.topic(), error != null ? error : ack);
            }
        });
    }

    private void deliver(String name, byte[] data) {
        eventsReceived.incrementAndGet();
        for (Subscription subscription : subscriptions) {
            if (subscription.filter().matches(name)) {
                try {
                    subscription.handler().accept(name, data);
                } catch (RuntimeException e) {
                    log.warn("{}: handler for events '{}' failed", id, subscription.filter().filter(), e);
                }
            }
        }
    }

    private void signal(byte[] payload) {
        switch (new String(payload, StandardCharsets.UTF_8).trim()) {
            case "1" -> signaling = true;
            case "0" -> signaling = false;
            default -> log.debug("{}: ignoring signal payload of {} bytes", id, payload.length);
        }
    }

    // --- OTA (device protocol section 3) ------------------------------------------------------

    private static boolean forced(byte[] offer) {
        try {
            return JSON.readTree(offer).path("forced").asBoolean(false);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private void firmwareOffered(String job, byte[] payload) {
        firmwareOffers.incrementAndGet();
        // As Device OS does: disabled updates refuse offers unless the product forces them.
        if (!describe.updatesEnabled() && !forced(payload)) {
            reportFirmware(job, "rejected", "updates are disabled on this device");
            return;
        }
        FirmwareDownload current = download;
        if (current != null && current.job.equals(job)) {
            // The same job again (after a reconnect): continue where the image stands.
            firmwareResumedFrom.set(current.offset());
            requestChunk(current);
            return;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode offer = JSON.readTree(payload);
            int size = offer.path("size").asInt(-1);
            String sha256 = offer.path("sha256").asText("");
            if (size <= 0 || sha256.length() != 64) {
                reportFirmware(job, "rejected", "malformed offer");
                return;
            }
            Integer version = offer.hasNonNull("version") ? offer.get("version").asInt() : null;
            FirmwareDownload next = new FirmwareDownload(job, version, size, sha256);
            download = next;
            requestChunk(next);
        } catch (java.io.IOException e) {
            reportFirmware(job, "rejected", "malformed offer");
        }
    }

    private void firmwareChunk(String job, long offset, ByteBuffer payload) {
        FirmwareDownload d = download;
        if (d == null || !d.job.equals(job)) return;
        int size = d.size();
        int length = payload.remaining();
        boolean corrupt = otaFaults.corruptChunk() && offset <= size / 2 && size / 2 < offset + length;
        if (!d.accept(offset, payload, corrupt)) return;
        firmwareBytes.addAndGet(length);
        double done = (double) d.offset() / size;
        if (otaFaults.failAt() >= 0 && done >= otaFaults.failAt() && !d.complete()) {
            download = null;
            firmwareFailed.incrementAndGet();
            reportFirmware(job, "failed", "simulated failure at " + d.offset() + " bytes");
            return;
        }
        if (otaFaults.disconnectAt() >= 0 && done >= otaFaults.disconnectAt() && !d.cut && !d.complete()) {
            d.cut = true;
            disconnect().thenRun(() -> onLinkDown("USER: simulated loss of connection during an update"));
            return;
        }
        if (!d.complete()) {
            requestChunk(d);
            return;
        }
        download = null;
        if (!d.verified()) {
            firmwareFailed.incrementAndGet();
            reportFirmware(job, "failed", "sha256 mismatch: the image is corrupt");
            return;
        }
        // "Apply": run the new version, which the device reports when it comes back.
        describe = describe.withProductVersion(d.version);
        firmwareApplied.incrementAndGet();
        reportFirmware(job, "applied", null)
                .thenCompose(ack -> disconnect())
                .thenCompose(v -> {
                    onLinkDown("USER: restarting into the new firmware");
                    return connect();
                })
                .whenComplete((v, e) -> {
                    if (e != null) log.debug("{}: reconnect after the update failed: {}", id, e.toString());
                });
    }

    private void requestChunk(FirmwareDownload d) {
        link.publish("o/" + d.job + "/get", Integer.toString(d.offset()).getBytes(StandardCharsets.US_ASCII));
    }

    private CompletableFuture<PublishAck> reportFirmware(String job, String state, String error) {
        Map<String, String> outcome = new LinkedHashMap<>();
        outcome.put("state", state);
        if (error != null) outcome.put("error", error);
        return link.publish("o/" + job + "/s", toJson(outcome));
    }

    /** The product firmware version this device runs (and reports), null for developer firmware. */
    public Integer productVersion() {
        return describe.productVersion();
    }

    /** Firmware offers received, re-offers included. */
    public long firmwareOffers() {
        return firmwareOffers.get();
    }

    /** Image bytes received, over all jobs. */
    public long firmwareBytesReceived() {
        return firmwareBytes.get();
    }

    /** Updates downloaded, verified and applied. */
    public long firmwareApplied() {
        return firmwareApplied.get();
    }

    /** Updates this device reported as failed (SHA-256 mismatch, simulated failure). */
    public long firmwareFailed() {
        return firmwareFailed.get();
    }

    /** The offset at which the last re-offered job resumed, or -1 when none resumed. */
    public long firmwareResumedFrom() {
        return firmwareResumedFrom.get();
    }

    private void onLinkDown(String reason) {
        // Only an established session "disconnects"; a failed connect() reports through its future.
        if (state.compareAndSet(State.CONNECTED, State.DISCONNECTED)) {
            disconnects.incrementAndGet();
            for (Consumer<String> listener : disconnectListeners) {
                try {
                    listener.accept(reason);
                } catch (RuntimeException e) {
                    log.warn("{}: disconnect listener failed", id, e);
                }
            }
        }
    }

    private CompletableFuture<PublishAck> publishDescribe() {
        return link.publish("d", describe.toJson());
    }

    private List<String> subscriptionFilters() {
        List<String> filters = new ArrayList<>(REQUEST_FILTERS);
        subscriptions.stream().map(s -> s.filter().topicFilter()).distinct().forEach(filters::add);
        return filters;
    }

    private void warnAboutRefusedFilters(List<Boolean> granted) {
        List<String> filters = subscriptionFilters();
        for (int i = 0; i < granted.size() && i < filters.size(); i++) {
            if (!granted.get(i)) {
                log.warn("{}: the cloud refused subscription {}", id, filters.get(i));
            }
        }
    }

    private static byte[] toJson(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serialisable as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
