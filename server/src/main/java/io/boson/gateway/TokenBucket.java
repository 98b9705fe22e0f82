package io.boson.gateway;

import java.time.Clock;

/**
 * A token bucket on the injected clock. Events use a bucket of 4 refilled at one per second
 * (device protocol section 2: 1/s on average, bursts of 4). Describe, vitals and claim codes,
 * which cost database writes, share a bucket of 10 refilled every 6 seconds, so a device stuck in
 * a loop cannot load the database for everyone. Firmware chunk requests have a generous bucket of
 * their own: an honest device asks for the next chunk after the previous one arrived. Used only
 * from the device's channel thread.
 */
final class TokenBucket {

    static final int EVENT_BURST = 4;
    static final long EVENT_REFILL_MILLIS = 1000;
    static final int CONTROL_BURST = 10;
    static final long CONTROL_REFILL_MILLIS = 6000;
    /** Firmware chunk requests: 8 MiB of 32 KiB chunks at once, then 500 a second (16 MB/s). */
    static final int FIRMWARE_BURST = 256;
    static final long FIRMWARE_REFILL_MILLIS = 2;

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

    static TokenBucket forFirmware(Clock clock) {
        return new TokenBucket(clock, FIRMWARE_BURST, FIRMWARE_REFILL_MILLIS);
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
