package io.boson.bench;

import io.boson.device.BosonDevice;
import io.boson.device.PublishAck;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Simulated devices on the project's own device SDK ({@link BosonDevice}, MQTT 5): each exposes the
 * function {@code led} (always returns 1) and publishes {@code bench} events on demand.
 */
final class BosonFleet implements AutoCloseable {

    static final String EVENT = "bench";
    static final String FUNCTION = "led";

    private final List<BosonDevice> devices;
    private final List<Throwable> connectFailures;
    private final double connectSeconds;

    private BosonFleet(List<BosonDevice> devices, List<Throwable> connectFailures, double connectSeconds) {
        this.devices = devices;
        this.connectFailures = connectFailures;
        this.connectSeconds = connectSeconds;
    }

    /** Builds and connects one device per credential, {@code perSecond} connection attempts at most. */
    static BosonFleet connect(List<BosonApi.Credentials> credentials, String host, int port, int perSecond)
            throws InterruptedException {
        List<BosonDevice> devices = new ArrayList<>(credentials.size());
        for (BosonApi.Credentials c : credentials) {
            devices.add(BosonDevice.builder().deviceId(c.id()).secret(c.secret()).host(host).port(port)
                    .platformId(13).function(FUNCTION, arg -> 1).build());
        }
        long t0 = System.nanoTime();
        List<Throwable> failures = Paced.run(devices.size(), perSecond, 120, i -> devices.get(i).connect());
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new BosonFleet(devices, failures, seconds);
    }

    /** The devices whose connect() completed (describe acknowledged). */
    List<BosonDevice> connected() {
        return devices.stream().filter(BosonDevice::isConnected).toList();
    }

    List<Throwable> connectFailures() {
        return connectFailures;
    }

    double connectSeconds() {
        return connectSeconds;
    }

    static FanIn.Publisher publisher(BosonDevice device) {
        return payload -> device.publish(EVENT, payload).thenApply(BosonFleet::outcome);
    }

    private static FanIn.Outcome outcome(PublishAck ack) {
        if (ack.isRateLimited()) return FanIn.Outcome.RATE_LIMITED;
        return ack.isAccepted() ? FanIn.Outcome.ACCEPTED : FanIn.Outcome.REFUSED;
    }

    @Override
    public void close() {
        List<CompletableFuture<Void>> all = devices.stream().map(BosonDevice::disconnect).toList();
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // best effort: the server is stopped right after
        }
    }
}
