package io.boson.devices;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the gateway learns about connected devices: sessions starting and ending, describes,
 * vitals, and "last heard" times. Last-heard is a hot counter: it is kept in memory and written
 * in one batch per flush interval (and at shutdown), so a busy fleet costs one statement per
 * interval instead of one per message.
 */
public final class Presence {

    private final DeviceRepository devices;
    private final Clock clock;
    private final String nodeId;
    private final ConcurrentHashMap<String, Long> heard = new ConcurrentHashMap<>();

    public Presence(DeviceRepository devices, Clock clock, String nodeId) {
        this.devices = devices;
        this.clock = clock;
        this.nodeId = nodeId;
    }

    public String nodeId() {
        return nodeId;
    }

    /** Forget sessions this node held before it (re)started. */
    public int reset() {
        return devices.clearNode(nodeId);
    }

    public void connected(String deviceId, String sessionId, String remoteAddress) {
        heard.remove(deviceId);
        devices.markOnline(deviceId, sessionId, nodeId, remoteAddress, clock.millis());
    }

    /** True when this session was still the device's, so the device is now offline. */
    public boolean disconnected(String deviceId, String sessionId, String reason) {
        Long last = heard.remove(deviceId);
        if (last != null) devices.updateLastHeard(Map.of(deviceId, last));
        return devices.markOffline(deviceId, sessionId, reason, clock.millis());
    }

    public void heard(String deviceId) {
        heard.put(deviceId, clock.millis());
    }

    public void describe(String deviceId, String json, Describe describe) {
        devices.saveDescribe(deviceId, json, describe.systemVersion(), describe.productVersion());
    }

    public void vitals(String deviceId, String json) {
        devices.saveVitals(deviceId, json, clock.millis());
    }

    public void flush() {
        if (heard.isEmpty()) return;
        Map<String, Long> batch = new HashMap<>();
        for (String id : heard.keySet()) {
            Long at = heard.remove(id);
            if (at != null) batch.put(id, at);
        }
        devices.updateLastHeard(batch);
    }
}
