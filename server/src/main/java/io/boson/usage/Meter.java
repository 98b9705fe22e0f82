package io.boson.usage;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts Data Operations and cellular bytes on the hot path: the gateway calls it for each event a
 * device publishes or receives, each function call or variable read it answers, and each byte of a
 * cellular connection. Counting is a map lookup and an atomic add per device and UTC day; nothing
 * here touches the database. {@link UsageService} drains the counts every flush interval and writes
 * them in one batch, so a crash loses at most one interval, and puts them back if the write fails.
 *
 * <p>Counts are kept per device only; who pays for a device (its {@link Billing}) is remembered
 * when it connects and applied at flush time.
 */
public final class Meter {

    private static final long DAY_MILLIS = 86_400_000L;

    private final boolean on;
    private final Clock clock;
    private final Map<Key, Cell> cells = new ConcurrentHashMap<>();
    /** Each device's cell of the day it last counted on: the common case is one lookup, no allocation. */
    private final Map<String, DayCell> today = new ConcurrentHashMap<>();
    private final Map<String, Billing> billing = new ConcurrentHashMap<>();

    public Meter(boolean on, Clock clock) {
        this.on = on;
        this.clock = clock;
    }

    /** Who pays for a device's usage: an owner key ({@code u<id>} or {@code o<id>}, null when unowned) and its product. */
    public record Billing(String owner, Long productId) {
    }

    /** Counts of one device on one UTC day (days since the epoch), taken out of the meter. */
    public record Count(String deviceId, long day, long dataOperations, long cellularBytes) {
    }

    private record Key(String deviceId, long day) {
    }

    private record DayCell(long day, Cell cell) {
    }

    private static final class Cell {
        final AtomicLong ops = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
    }

    public boolean on() {
        return on;
    }

    /** Told of every count as it is made (fleet health's Data Operations and cellular series). */
    public interface Tap {
        Tap NONE = (deviceId, dataOperations, cellularBytes) -> { };

        void counted(String deviceId, long dataOperations, long cellularBytes);
    }

    private volatile Tap tap = Tap.NONE;

    /** Wiring: who else hears of each count. */
    public void tap(Tap t) {
        tap = t == null ? Tap.NONE : t;
    }

    /** An event published by, or delivered to, the device: 1 Data Operation per 1024 bytes (minimum 1). */
    public void event(String deviceId, String name, int payloadBytes) {
        if (!on || !DataOperations.billable(name)) return;
        long ops = DataOperations.forEvent(payloadBytes);
        cell(deviceId).ops.addAndGet(ops);
        tap.counted(deviceId, ops, 0);
    }

    /** A function call or variable read handed to the device: 1 Data Operation. */
    public void request(String deviceId) {
        if (!on) return;
        cell(deviceId).ops.incrementAndGet();
        tap.counted(deviceId, 1, 0);
    }

    /** Bytes of a cellular device's connection, both ways, as they crossed the wire. */
    public void cellular(String deviceId, long bytes) {
        if (!on || bytes <= 0) return;
        cell(deviceId).bytes.addAndGet(bytes);
        tap.counted(deviceId, 0, bytes);
    }

    private Cell cell(String deviceId) {
        long day = Math.floorDiv(clock.millis(), DAY_MILLIS);
        DayCell d = today.get(deviceId);
        if (d != null && d.day() == day) return d.cell();
        Cell c = cells.computeIfAbsent(new Key(deviceId, day), x -> new Cell());
        today.put(deviceId, new DayCell(day, c));
        return c;
    }

    /** Remembers who pays for a device connected to this node. */
    public void billing(String deviceId, Billing b) {
        billing.put(deviceId, b);
    }

    public Billing billingOf(String deviceId) {
        return billing.get(deviceId);
    }

    /** Forgets the device's payer once its counts are flushed and it is gone from this node. */
    void forget(String deviceId) {
        billing.remove(deviceId);
    }

    /**
     * Takes every count out of the meter. Each cell is emptied with an atomic exchange, so counts
     * added meanwhile stay for the next drain: nothing is counted twice or lost. Cells are dropped
     * only once their day is two days past, when no count can reach them any more.
     */
    List<Count> drain() {
        long today = Math.floorDiv(clock.millis(), DAY_MILLIS);
        List<Count> out = new ArrayList<>();
        for (Map.Entry<Key, Cell> e : cells.entrySet()) {
            if (e.getKey().day() < today - 1) cells.remove(e.getKey());
            long ops = e.getValue().ops.getAndSet(0);
            long bytes = e.getValue().bytes.getAndSet(0);
            if (ops != 0 || bytes != 0) out.add(new Count(e.getKey().deviceId(), e.getKey().day(), ops, bytes));
        }
        return out;
    }

    /** Puts counts back after a failed write, so the next flush carries them. */
    void restore(List<Count> counts) {
        for (Count c : counts) {
            Cell cell = cells.computeIfAbsent(new Key(c.deviceId(), c.day()), x -> new Cell());
            cell.ops.addAndGet(c.dataOperations());
            cell.bytes.addAndGet(c.cellularBytes());
        }
    }
}
