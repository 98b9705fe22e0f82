package io.boson.gateway;

import java.time.Clock;

/**
 * A token bucket on the injected clock.
 *
 * <p>Events: Particle's limit is Device OS's, enforced on the device (communication/src/publisher.h):
 * an event is refused when it would be the fifth within one second, so a device may publish 4
 * events in any second, again every second (4/s sustained; "1 per second on average" in Particle's
 * docs is not what Device OS enforces), and Particle's cloud counts the refusals the device reports
 * ({@code rate_limited} in its vitals). Boson's devices run no Device OS, so the cloud enforces that
 * ceiling itself, and must not be stricter: measured on arrival, events that left a device within
 * the limit can arrive bunched by the network. A bucket of 4 a second holding up to 8 admits every
 * sequence Device OS admits even when bunched by up to one second (in any interval of L seconds
 * Device OS sends at most 4 + 4L events; bunching by D adds 4D), while a device that floods still
 * gets at most 4 a second through. What it drops is counted per device.
 *
 * <p>Describe, vitals and claim codes,
 * which cost database writes, share a bucket of 10 refilled every 6 seconds, so a device stuck in
 * a loop cannot load the database for everyone. Firmware chunk requests have a generous bucket of
 * their own: an honest device asks for the next chunk after the previous one arrived. Used only
 * from the device's channel thread.
 */
final class TokenBucket {

    static final int EVENT_BURST = 8;
    static final long EVENT_REFILL_MILLIS = 250;
    static final int CONTROL_BURST = 10;
    static final long CONTROL_REFILL_MILLIS = 6000;
    /** Firmware chunk requests: 8 MiB of 32 KiB chunks at once, then 500 a second (16 MB/s). */
    static final int FIRMWARE_BURST = 256;
    static final long FIRMWARE_REFILL_MILLIS = 2;

    private final Clock clock;
    private final long refillMillis;
    private final long capacity;
    /** Tokens, counted in milliseconds of refill (one token = refillMillis): exact, no rounding. */
    private long credit;
    private long last;

    TokenBucket(Clock clock, int burst, long refillMillis) {
        this.clock = clock;
        this.refillMillis = refillMillis;
        this.capacity = burst * refillMillis;
        this.credit = capacity;
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
            credit = Math.min(capacity, credit + (now - last));
            last = now;
        }
        if (credit >= refillMillis) {
            credit -= refillMillis;
            return true;
        }
        return false;
    }
}
