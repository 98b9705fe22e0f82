package io.boson.gateway;

import java.time.Clock;

/**
 * The per-device event rate limit (device protocol section 2): a token bucket of 4 that refills at
 * one event per second, so 1/s on average with bursts of 4. Time comes from the injected clock.
 * Used only from the device's channel thread, so it needs no locking.
 */
final class EventRateLimit {

    static final int BURST = 4;
    static final long REFILL_MILLIS = 1000;

    private final Clock clock;
    private double tokens = BURST;
    private long last;

    EventRateLimit(Clock clock) {
        this.clock = clock;
        this.last = clock.millis();
    }

    boolean tryAcquire() {
        long now = clock.millis();
        if (now > last) {
            tokens = Math.min(BURST, tokens + (now - last) / (double) REFILL_MILLIS);
            last = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
