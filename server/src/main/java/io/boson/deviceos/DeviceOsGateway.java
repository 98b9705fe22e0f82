package io.boson.deviceos;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.gateway.MqttGateway;
import io.netty.channel.local.LocalAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Device OS devices on this node: the {@link DtlsServer} on the CoAP port and one {@link
 * DeviceOsSession} per connected device, each an in-process MQTT session of the {@link MqttGateway}.
 * A device silent for longer than its keep-alive allows is taken for gone (a Wi-Fi Device OS device
 * pings every 25 s, a cellular one every 23 minutes).
 */
public final class DeviceOsGateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeviceOsGateway.class);
    static final Duration WIFI_SILENCE = Duration.ofSeconds(90);
    static final Duration CELLULAR_SILENCE = Duration.ofMinutes(30);
    /** How long a device's DTLS session is kept for it to resume after it went quiet (a sleeping cellular device). */
    static final Duration RESUMABLE = Duration.ofDays(3);
    /** Handshakes in progress at once; more ClientHellos are dropped until some finish. */
    static final int MAX_HANDSHAKES = 1_000;

    private final DtlsServer server;
    private final Map<DtlsServer.Connection, DeviceOsSession> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers;
    private final LocalAddress gateway;
    private final MqttGateway mqtt;

    public DeviceOsGateway(MqttGateway mqtt, DeviceKeys keys, ServerKey serverKey, ObjectMapper json, Clock clock,
                           InetSocketAddress address) throws IOException, InterruptedException {
        this.mqtt = mqtt;
        this.json = json;
        this.clock = clock;
        this.keys = keys;
        this.gateway = mqtt.startLocal();
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("device-os-timers").daemon()
                .unstarted(r));
        this.server = new DtlsServer(address, serverKey, der -> keys.deviceOf(DeviceKeys.fingerprint(der)).orElse(null),
                MAX_HANDSHAKES, new DtlsServer.Listener() {
            @Override
            public void established(DtlsServer.Connection conn) {
                sessions.put(conn, session(conn));
            }

            @Override
            public void received(DtlsServer.Connection conn, byte[] data) {
                // A session that went quiet ended in the cloud; the device resumes it (without a handshake) here.
                sessions.computeIfAbsent(conn, c -> session(c)).received(data, gateway, mqtt.localGroup());
            }

            @Override
            public void bytes(DtlsServer.Connection conn, long bytes) {
                sessions.computeIfAbsent(conn, c -> session(c)).wire(bytes);
            }

            @Override
            public void closed(DtlsServer.Connection conn) {
                DeviceOsSession s = sessions.remove(conn);
                if (s != null) s.close();
            }
        });
        long sweep = 2_000;
        timers.scheduleWithFixedDelay(() -> sweep(clock), sweep, sweep, TimeUnit.MILLISECONDS);
    }

    private DeviceOsSession session(DtlsServer.Connection conn) {
        return new DeviceOsSession(conn, json, timers, clock, keys::helloPlatform, mqtt::cellularBytes, () -> sessions.remove(conn));
    }

    private final ObjectMapper json;
    private final Clock clock;
    private final DeviceKeys keys;

    private void sweep(Clock clock) {
        try {
            long now = clock.millis();
            for (DeviceOsSession s : sessions.values()) {
                if (now - s.lastHeard() > s.silenceAllowed().toMillis()) s.quiet();
            }
            server.expire(RESUMABLE);
        } catch (RuntimeException e) {
            log.warn("device-os sweep: {}", e.toString());
        }
    }

    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
        timers.shutdownNow();
    }
}
