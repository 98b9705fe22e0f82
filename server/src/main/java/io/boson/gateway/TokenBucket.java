package io.boson.gateway;

import java.time.Clock;

/**
 * A token bucket on the injected clock. Events use a bucket of 4 refilled at one per second
 * (device protocol section 2: 1/s on average, bursts of 4). Describe, vitals and claim codes,
 * which cost database writes, share a bucket of 10 refilled every 6 seconds, so a device stuck in
 * a loop cannot load the database for everyone. Used only from the device's channel thread.
 */
final class TokenBucket {

    static final int EVENT_BURST = 4;
    static final long EVENT_REFILL_MILLIS = 1000;
    static final int CONTROL_BURST = 10;
    static final long CONTROL_REFILL_MILLIS = 6000;

    private final Clock clock;
    private final int burst;
    private final long refillMillis;
    private double tokens;
    private long last;

    TokenBucket(Clock clock, int burst, long refillMillis) {
        this.clock = clock;
        this.burst = burst;
        this.refillMillis = refillMillis;
        this.tokens = burst;
        this.last = clock.millis();
    }

    static TokenBucket forEvents(Clock clock) {
        return new TokenBucket(clock, EVENT_BURST, EVENT_REFILL_MILLIS);
    }

    static TokenBucket forControl(Clock clock) {
        return new TokenBucket(clock, CONTROL_BURST, CONTROL_REFILL_MILLIS);
    }

    boolean tryAcquire() {
        long now = clock.millis();
        if (now > last) {
            tokens = Math.min(burst, tokens + (now - last) / (double) refillMillis);
            last = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
