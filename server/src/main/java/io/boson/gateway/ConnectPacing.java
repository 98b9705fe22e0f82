package io.boson.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Connection attempts per device ID and address: {@link #BURST} at once, then one every
 * {@link #INTERVAL}. A device stuck reconnecting in a tight loop (a firmware bug, a bad secret)
 * is refused before it costs an authentication and database writes, until it slows down: MQTT 5
 * CONNACK 0x9F (connection rate exceeded), 3.1.1 "server unavailable". Keyed by address too, so
 * that someone hammering a device's ID from elsewhere cannot lock the real device out. Checked on
 * the event loop before anything else; bounded in memory; on the injected clock.
 */
final class ConnectPacing {

    static final int BURST = 10;
    static final Duration INTERVAL = Duration.ofSeconds(6);
    private static final int MAX_TRACKED = 200_000;

    private final Clock clock;
    private final Cache<String, TokenBucket> attempts;

    ConnectPacing(Clock clock) {
        this.clock = clock;
        this.attempts = Caffeine.newBuilder().maximumSize(MAX_TRACKED)
                .expireAfterAccess(INTERVAL.multipliedBy(BURST).toMillis(), TimeUnit.MILLISECONDS)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                // Without a scheduler an expired entry (~200 bytes: key, bucket, node) stays until the cache is
                // next written; after a fleet has connected and gone idle, that is one per device, indefinitely.
                .scheduler(Scheduler.systemScheduler()).build();
    }

    /** Counts an attempt; false when this device, from this address, connects too often. */
    boolean tryConnect(String clientId, String address) {
        TokenBucket bucket = attempts.get(clientId + "|" + address, k -> new TokenBucket(clock, BURST, INTERVAL.toMillis()));
        // Two connections of one device may be on two event loops at once.
        synchronized (bucket) {
            return bucket.tryAcquire();
        }
    }
}
