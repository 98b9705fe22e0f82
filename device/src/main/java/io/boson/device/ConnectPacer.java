package io.boson.device;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Spaces connection attempts at most {@code perSecond} apart so that a fleet starting, or coming
 * back after a cloud restart, arrives as a steady stream instead of a stampede of TLS handshakes
 * and credential checks. Each caller reserves the next free slot; reservations never overlap, so
 * the rate holds however many threads ask. Time comes from a nano-clock that tests advance by hand.
 */
final class ConnectPacer {

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private long nextSlot; // guarded by this

    ConnectPacer(int perSecond, LongSupplier nanoTime) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("connect rate must be at least 1 per second: " + perSecond);
        }
        this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        this.nanoTime = nanoTime;
        this.nextSlot = nanoTime.getAsLong();
    }

    /**
     * Reserves the next free slot and returns the wait until it, 0 when a slot is free now. Reserve
     * only when ready to connect: a reservation far in the future would hold back everyone after it.
     */
    synchronized long reserve() {
        long now = nanoTime.getAsLong();
        // Compare by subtraction: System.nanoTime() values may be negative or wrap.
        long slot = nextSlot - now > 0 ? nextSlot : now;
        nextSlot = slot + intervalNanos;
        return slot - now;
    }
}
