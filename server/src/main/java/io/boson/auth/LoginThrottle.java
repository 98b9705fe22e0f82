package io.boson.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Guessing passwords does not pay: after {@link #MAX_FAILURES} wrong passwords for one username
 * from one address within {@link #WINDOW}, further attempts (right or wrong) are refused with 429
 * until the window has passed since the first failure. A successful login clears the count. Keyed
 * by address and username, so an attacker elsewhere cannot lock a user out. Bounded in memory; on
 * the injected clock.
 */
final class LoginThrottle {

    static final int MAX_FAILURES = 10;
    static final Duration WINDOW = Duration.ofMinutes(15);
    private static final int MAX_TRACKED = 100_000;

    private final Cache<String, AtomicInteger> failures;

    LoginThrottle(Clock clock) {
        this.failures = Caffeine.newBuilder().maximumSize(MAX_TRACKED).expireAfterWrite(WINDOW)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).build();
    }

    /** Throws 429 when this username has failed too often from this address. */
    void check(String remoteAddress, String username) {
        AtomicInteger n = failures.getIfPresent(key(remoteAddress, username));
        if (n != null && n.get() >= MAX_FAILURES) {
            throw new OAuthException(429, "rate_limit_exceeded", "Too many failed logins for this user; try again in "
                    + WINDOW.toMinutes() + " minutes");
        }
    }

    void failed(String remoteAddress, String username) {
        // The window counts from the first failure: get() does not refresh expireAfterWrite.
        failures.get(key(remoteAddress, username), k -> new AtomicInteger()).incrementAndGet();
    }

    void succeeded(String remoteAddress, String username) {
        failures.invalidate(key(remoteAddress, username));
    }

    private static String key(String remoteAddress, String username) {
        return (remoteAddress == null ? "?" : remoteAddress) + "|" + username.trim().toLowerCase(Locale.ROOT);
    }
}
