package io.boson.devices;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the gateway learns about connected devices: sessions starting and ending, describes,
 * vitals, and "last heard" times. Last-heard is a hot counter: it is kept in memory and written
 * in one batch per flush interval (and at shutdown), so a busy fleet costs one statement per
 * interval instead of one per message. The gateway's session reports a device heard at most once
 * per last-heard interval (a minute by default; {@code DeviceSession.heard}): a device that publishes
 * every second costs one row write a minute, not one per flush, and no map write per message. The
 * device row is indexed by last heard (the product list sorts by it), so each write also moves an
 * index entry. Connects and disconnects write it at once (a clean shutdown disconnects every device),
 * so last heard is never further behind than the interval.
 *
 * <p>A session's end that could not be written (the database unreachable for a moment) is kept and
 * written by the next flush that can, with the time it happened; until then the device would show
 * online for good, since nothing else marks it offline while its node lives.
 */
public final class Presence {

    private static final Logger log = LoggerFactory.getLogger(Presence.class);

    private final DeviceRepository devices;
    private final Clock clock;
    private final String nodeId;
    private final long lastHeardInterval;
    /** Heard times not yet written, by device. */
    private final ConcurrentHashMap<String, Long> heard = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> rateLimited = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> droppedUnread = new ConcurrentHashMap<>();
    private final Listener listener;
    /** Session ends still to be written, by device. */
    private final ConcurrentHashMap<String, PendingOffline> pendingOffline = new ConcurrentHashMap<>();

    private record PendingOffline(String sessionId, String reason, long at, Runnable whenOffline) {
    }

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

    public Presence(DeviceRepository devices, Clock clock, String nodeId, Duration lastHeardInterval, Listener listener) {
        this.devices = devices;
        this.clock = clock;
        this.nodeId = nodeId;
        this.lastHeardInterval = lastHeardInterval.toMillis();
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

    /**
     * The session ended. When it was still the device's, the device is recorded offline and then
     * {@code whenOffline} runs (the gateway's "offline" event). When that cannot be written now, it is
     * kept for the next {@link #flush()}, which records the same time and then runs {@code whenOffline}.
     */
    public void disconnected(String deviceId, String sessionId, String reason, Runnable whenOffline) {
        long now = clock.millis();
        Long last = heard.remove(deviceId);
        boolean offline;
        try {
            // Marking it offline also sets its last heard (to now); a session that was no longer the
            // device's still leaves when it was last heard.
            offline = offline(deviceId, sessionId, reason, now);
            if (!offline && last != null) devices.updateLastHeard(Map.of(deviceId, last));
        } catch (RuntimeException e) {
            log.warn("could not record device {} offline (retried at the next flush): {}", deviceId, e.toString());
            pendingOffline.put(deviceId, new PendingOffline(sessionId, reason, now, whenOffline));
            return;
        }
        if (offline) whenOffline.run();
    }

    private boolean offline(String deviceId, String sessionId, String reason, long at) {
        boolean offline = devices.markOffline(deviceId, sessionId, reason, at);
        if (offline) listener.disconnected(deviceId, at, reason);
        return offline;
    }

    /** Session ends not yet written (OfflineRetryTest's view). */
    public int pendingOffline() {
        return pendingOffline.size();
    }

    /** A device of a node that died is offline: recorded like any disconnect (see {@code health.NodeWatch}). */
    public boolean lost(String deviceId, String sessionId, String reason) {
        return offline(deviceId, sessionId, reason, clock.millis());
    }

    /**
     * A session of this node that another node recorded offline while this one was taken for dead
     * (it stopped beating for the node timeout, e.g. starved of CPU or paused) is recorded online
     * again, as a connect; false when the device has had another session since.
     */
    public boolean reasserted(String deviceId, String sessionId, String remoteAddress) {
        long now = clock.millis();
        boolean online = devices.reassertOnline(deviceId, sessionId, nodeId, now);
        if (online) listener.connected(deviceId, now, remoteAddress);
        return online;
    }

    /** How often a connected device's last heard is worth writing, in ms (0: every change at each flush). */
    public long lastHeardInterval() {
        return lastHeardInterval;
    }

    /** The device was heard at {@code at}; written by the next flush. */
    public void heard(String deviceId, long at) {
        heard.merge(deviceId, at, Math::max);
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
        for (Map.Entry<String, PendingOffline> e : pendingOffline.entrySet()) {
            PendingOffline p = e.getValue();
            // A device that reconnected meanwhile has a new session: the old one's end changes nothing.
            boolean offline = offline(e.getKey(), p.sessionId(), p.reason(), p.at());
            pendingOffline.remove(e.getKey(), p);
            if (offline) p.whenOffline().run();
        }
        devices.updateLastHeard(drain(heard));
        devices.addRateLimited(drain(rateLimited));
        devices.addDroppedUnread(drain(droppedUnread));
    }

    /** Devices whose last heard time waits to be written (PresenceTest's view). */
    public int heardPending() {
        return heard.size();
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
