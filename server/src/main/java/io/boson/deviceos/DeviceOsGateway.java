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
        this.gateway = mqtt.startLocal();
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("device-os-timers").daemon()
                .unstarted(r));
        this.server = new DtlsServer(address, serverKey, der -> keys.deviceOf(DeviceKeys.fingerprint(der)).orElse(null),
                MAX_HANDSHAKES, new DtlsServer.Listener() {
            @Override
            public void established(DtlsServer.Connection conn) {
                sessions.put(conn, new DeviceOsSession(conn, json, timers, clock, keys::helloPlatform, () -> sessions.remove(conn)));
            }

            @Override
            public void received(DtlsServer.Connection conn, byte[] data) {
                DeviceOsSession s = sessions.get(conn);
                if (s != null) s.received(data, gateway, mqtt.localGroup());
            }

            @Override
            public void closed(DtlsServer.Connection conn) {
                DeviceOsSession s = sessions.remove(conn);
                if (s != null) s.close();
            }
        });
        long sweep = 10_000;
        timers.scheduleWithFixedDelay(() -> sweep(clock), sweep, sweep, TimeUnit.MILLISECONDS);
    }

    private void sweep(Clock clock) {
        try {
            long now = clock.millis();
            for (DeviceOsSession s : sessions.values()) {
                if (now - s.lastHeard() > s.silenceAllowed().toMillis()) s.reset("silent past its keep-alive");
            }
            server.expireHandshakes();
        } catch (RuntimeException e) {
            log.warn("device-os sweep: {}", e.toString());
        }
    }

    public InetSocketAddress address() {
        return server.address();
    }

    public int sessions() {
        return sessions.size();
    }

    @Override
    public void close() {
        server.close();
        timers.shutdownNow();
    }
}
