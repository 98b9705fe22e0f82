package io.boson.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.devices.Presence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every device's vitals reports, connects and disconnects, kept for the retention (30 days by
 * default). The device path only appends to a queue in memory; the queue is written in one batch
 * per flush interval and at shutdown, so a crash loses at most the last interval. Pruning runs in
 * the background. A queue that outgrows {@link #MAX_QUEUED} (the database is down) drops the
 * newest entries and counts them, rather than growing without bound.
 */
public final class VitalsHistory implements Presence.Listener {

    private static final Logger log = LoggerFactory.getLogger(VitalsHistory.class);
    static final int MAX_QUEUED = 200_000;

    private final HistoryRepository repo;
    private final ObjectMapper json;
    private final Clock clock;
    private final Duration retention;
    private final ConcurrentLinkedQueue<HistoryEntry> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();

    VitalsHistory(HistoryRepository repo, ObjectMapper json, Clock clock, Duration retention) {
        this.repo = repo;
        this.json = json;
        this.clock = clock;
        this.retention = retention;
    }

    Duration retention() {
        return retention;
    }

    @Override
    public void connected(String deviceId, long at, String remoteAddress) {
        add(new HistoryEntry(deviceId, at, HistoryEntry.Kind.CONNECT, null, remoteAddress));
    }

    @Override
    public void disconnected(String deviceId, long at, String reason) {
        add(new HistoryEntry(deviceId, at, HistoryEntry.Kind.DISCONNECT, null, reason));
    }

    @Override
    public void vitals(String deviceId, long at, String payload) {
        add(new HistoryEntry(deviceId, at, HistoryEntry.Kind.VITALS, payload, null));
    }

    private void add(HistoryEntry e) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.add(e);
    }

    long dropped() {
        return dropped.get();
    }

    /** Writes what is queued; entries that fail to write are logged and lost (the device path never waits). */
    public void flush() {
        List<HistoryRepository.Row> rows = new ArrayList<>();
        for (HistoryEntry e = queue.poll(); e != null; e = queue.poll()) {
            queued.decrementAndGet();
            rows.add(new HistoryRepository.Row(e, charts(e)));
            if (rows.size() == 1_000) {
                repo.insert(rows);
                rows = new ArrayList<>();
            }
        }
        repo.insert(rows);
    }

    /** Deletes what is older than the retention; returns how many entries went. */
    public int prune() {
        int n = repo.prune(clock.millis() - retention.toMillis());
        if (n > 0) log.debug("pruned {} device history entries", n);
        return n;
    }

    /** The chartable values of a vitals report: the protocol's flat keys, or Particle's nested payload. */
    private Double[] charts(HistoryEntry e) {
        Double[] out = new Double[HistoryRepository.Chart.values().length];
        if (e.kind() != HistoryEntry.Kind.VITALS) return out;
        JsonNode n;
        try {
            n = json.readTree(e.payload());
        } catch (IOException ex) {
            return out;
        }
        out[0] = number(n, "signal_strength", "/device/network/signal/strength");
        out[1] = number(n, "signal_quality", "/device/network/signal/quality");
        out[2] = number(n, "rtt", "/device/cloud/coap/round_trip");
        out[3] = number(n, "mem_used", "/device/system/memory/used");
        out[4] = number(n, "battery_charge", "/device/power/battery/charge");
        return out;
    }

    private static Double number(JsonNode n, String flat, String nested) {
        JsonNode v = n.get(flat);
        if (v == null || !v.isNumber()) v = n.at(nested);
        return v != null && v.isNumber() && Double.isFinite(v.asDouble()) ? v.asDouble() : null;
    }
}
