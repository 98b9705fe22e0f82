package io.boson.health;

import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.boson.devices.Device;
import io.boson.devices.DeviceRepository;
import io.boson.devices.Presence;
import io.boson.events.EventService;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Node liveness in a cluster. Each node increments its own counter in {@code cluster_nodes} every
 * heartbeat; every node watches the others' counters, and a counter that has not moved for the
 * timeout (measured on the watcher's own monotonic clock, so node clocks need not agree) means
 * the node is dead: its devices are recorded offline with the reason {@value #REASON} and their
 * {@code spark/status offline} is published, as for any disconnect. Marking offline is
 * conditional on the session, so a device that already reconnected elsewhere is left alone, and
 * when several survivors race, one of them announces each device.
 *
 * <p>Bound: a killed node's devices are offline within timeout + one heartbeat of its death.
 *
 * <p>A node that was only slow (starved of CPU, paused by its host or a long collection) is taken
 * for dead the same way. Its next beat finds its row gone: it rejoins, and records the sessions it
 * still holds online again ({@code revived}, the gateway's), so that its devices do not stay
 * "offline" while connected.
 */
public final class NodeWatch {

    private static final Logger log = LoggerFactory.getLogger(NodeWatch.class);
    public static final String REASON = "node lost";

    private final Jdbi jdbi;
    private final DeviceRepository devices;
    private final Presence presence;
    private final EventService events;
    private final Bus bus;
    private final String nodeId;
    private final long timeoutNanos;
    private final LongSupplier nanoTime;
    /** Per other node: the last counter value seen and when (watcher's nanoTime) it last moved. */
    private final Map<String, long[]> seen = new HashMap<>();
    private final Runnable revived;
    /** Whether this node's row was written by a beat of this process (so a missing row means it was taken for dead). */
    private boolean joined;

    NodeWatch(Jdbi jdbi, DeviceRepository devices, Presence presence, EventService events, Bus bus, String nodeId,
              Duration timeout, LongSupplier nanoTime, Runnable revived) {
        this.revived = revived;
        this.jdbi = jdbi;
        this.devices = devices;
        this.presence = presence;
        this.events = events;
        this.bus = bus;
        this.nodeId = nodeId;
        this.timeoutNanos = timeout.toNanos();
        this.nanoTime = nanoTime;
    }

    /** One heartbeat: beat, then look at the others. Runs on the node's timer thread only. */
    public synchronized void tick() {
        beat();
        long now = nanoTime.getAsLong();
        Map<String, Long> others = jdbi.withHandle(h -> {
            Map<String, Long> m = new HashMap<>();
            h.createQuery("SELECT node_id, beats FROM cluster_nodes WHERE node_id <> ?").bind(0, nodeId)
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> m.put(e.getKey(), e.getValue()));
            return m;
        });
        seen.keySet().retainAll(others.keySet());
        others.forEach((node, beats) -> {
            long[] last = seen.get(node);
            if (last == null || last[0] != beats) {
                seen.put(node, new long[] {beats, now});
            } else if (now - last[1] >= timeoutNanos) {
                lost(node, beats);
                seen.remove(node);
            }
        });
    }

    private void beat() {
        boolean rejoined = jdbi.inTransaction(h -> {
            int n = h.createUpdate("UPDATE cluster_nodes SET beats = beats + 1 WHERE node_id = ?").bind(0, nodeId).execute();
            if (n == 0) h.createUpdate("INSERT INTO cluster_nodes(node_id, beats) VALUES (?, 0)").bind(0, nodeId).execute();
            return n == 0;
        });
        if (rejoined && joined) {
            log.warn("node {} was taken for dead by another node (it did not beat for the node timeout): recording its"
                    + " devices online again", nodeId);
            revived.run();
        }
        joined = true;
    }

    private void lost(String node, long beats) {
        // Only one survivor removes the row; the others find it gone and do nothing more.
        int removed = jdbi.withHandle(h -> h.createUpdate("DELETE FROM cluster_nodes WHERE node_id = ? AND beats = ?")
                .bind(0, node).bind(1, beats).execute());
        int offline = 0;
        for (Device d : devices.onNode(node)) {
            if (d.sessionId() != null && presence.lost(d.id(), d.sessionId(), REASON)) {
                offline++;
                bus.publish(Subjects.devicePresence(d.id()), new byte[0]);
                events.system(d, "spark/status", "offline");
            }
        }
        if (removed > 0 || offline > 0) log.warn("node {} stopped beating: {} of its devices are now offline", node, offline);
    }

    /** A node that stops cleanly leaves the table (its devices were recorded offline by the gateway). */
    public void leave() {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM cluster_nodes WHERE node_id = ?").bind(0, nodeId).execute());
    }
}
