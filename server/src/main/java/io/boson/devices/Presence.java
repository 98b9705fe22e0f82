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
    private final ConcurrentHashMap<String, Long> rateLimited = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> droppedUnread = new ConcurrentHashMap<>();
    private final Listener listener;

    /** Told of every session start and end and every vitals report, after they are recorded (vitals history). */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        default void connected(String deviceId, long at, String remoteAddress) {
        }

        default void disconnected(String deviceId, long at, String reason) {
        }

        default void vitals(String deviceId, long at, String json) {
        }

        /** The device described itself: its firmware version may have changed. */
        default void described(String deviceId) {
        }
    }

    public Presence(DeviceRepository devices, Clock clock, String nodeId) {
        this(devices, clock, nodeId, Listener.NONE);
    }

    public Presence(DeviceRepository devices, Clock clock, String nodeId, Listener listener) {
        this.devices = devices;
        this.clock = clock;
        this.nodeId = nodeId;
        this.listener = listener;
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
        long now = clock.millis();
        devices.markOnline(deviceId, sessionId, nodeId, remoteAddress, now);
        listener.connected(deviceId, now, remoteAddress);
    }

    /** True when this session was still the device's, so the device is now offline. */
    public boolean disconnected(String deviceId, String sessionId, String reason) {
        Long last = heard.remove(deviceId);
        if (last != null) devices.updateLastHeard(Map.of(deviceId, last));
        long now = clock.millis();
        boolean offline = devices.markOffline(deviceId, sessionId, reason, now);
        if (offline) listener.disconnected(deviceId, now, reason);
        return offline;
    }

    /** A device of a node that died is offline: recorded like any disconnect (see {@code health.NodeWatch}). */
    public boolean lost(String deviceId, String sessionId, String reason) {
        long now = clock.millis();
        boolean offline = devices.markOffline(deviceId, sessionId, reason, now);
        if (offline) listener.disconnected(deviceId, now, reason);
        return offline;
    }

    public void heard(String deviceId) {
        heard.put(deviceId, clock.millis());
    }

    /** One event of this device was dropped by the rate limit. */
    public void rateLimited(String deviceId) {
        rateLimited.merge(deviceId, 1L, Long::sum);
    }

    /** One message for this device was dropped because it did not read what it had been sent. */
    public void droppedUnread(String deviceId) {
        droppedUnread.merge(deviceId, 1L, Long::sum);
    }

    public void describe(String deviceId, String json, Describe describe) {
        devices.saveDescribe(deviceId, json, describe.systemVersion(), describe.productVersion());
        listener.described(deviceId);
    }

    public void vitals(String deviceId, String json) {
        long now = clock.millis();
        devices.saveVitals(deviceId, json, now);
        listener.vitals(deviceId, now, json);
    }

    public void flush() {
        devices.updateLastHeard(drain(heard));
        devices.addRateLimited(drain(rateLimited));
        devices.addDroppedUnread(drain(droppedUnread));
    }

    private static Map<String, Long> drain(ConcurrentHashMap<String, Long> map) {
        Map<String, Long> batch = new HashMap<>();
        for (String id : map.keySet()) {
            Long v = map.remove(id);
            if (v != null) batch.put(id, v);
        }
        return batch;
    }
}
