package io.boson.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.boson.auth.Secrets;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The API's throttle ({@link ApiLimits}): every request is counted per client address and per access
 * token, token requests and event streams opened per address, over a sliding window on the injected
 * clock (the previous window's count, weighted by how much of it still overlaps, plus the current
 * one's). Past a limit the request is refused with 429 {@code rate_limit_exceeded}, a
 * {@code Retry-After} and the limit named in the message.
 *
 * <p>On several nodes each node counts what it serves and shares its counts over the bus once a
 * second ({@link #share}), adding the others' to its own: a limit holds cluster-wide to within what
 * the other nodes served in the last second. Streams open at once are counted per node. Counters are
 * bounded in memory (the least recently used are forgotten) and hold no secrets: tokens are hashed.
 */
public final class RequestLimits {

    private static final Logger log = LoggerFactory.getLogger(RequestLimits.class);
    private static final int MAX_TRACKED = 1_000_000;

    /** A request refused by a limit. */
    public static final class TooManyRequests extends RuntimeException {
        private final long retryAfterSeconds;

        TooManyRequests(String message, long retryAfterSeconds) {
            super(message, null, false, false);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    private final ApiLimits limits;
    private final Clock clock;
    private final Bus bus;
    private final ObjectMapper json;
    private final String nodeId;
    private final long windowMillis;
    private final Cache<String, Window> windows;
    private final ConcurrentHashMap<String, Long> unshared = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> openStreams = new ConcurrentHashMap<>();

    public RequestLimits(ApiLimits limits, Clock clock, Bus bus, ObjectMapper json, String nodeId) {
        this.limits = limits;
        this.clock = clock;
        this.bus = bus;
        this.json = json;
        this.nodeId = nodeId;
        this.windowMillis = limits.window().toMillis();
        this.windows = Caffeine.newBuilder().maximumSize(MAX_TRACKED)
                .expireAfterAccess(2 * windowMillis, TimeUnit.MILLISECONDS)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).build();
        bus.subscribe(Subjects.requestCounts(), m -> received(m.data()));
    }

    /** Counts the request and refuses it when a limit is reached (a Javalin before-handler). */
    void check(Context ctx) {
        String address = ctx.ip();
        count("requests by address", "a:" + address, limits.requestsPerWindow());
        String token = token(ctx);
        if (token != null) count("requests with this access token", "t:" + Secrets.sha256(token).substring(0, 24),
                limits.requestsPerWindow());
        if (ctx.path().equals("/oauth/token")) count("token requests by address", "o:" + address, limits.oauthPerWindow());
        if (isStream(ctx)) count("event streams opened by address", "s:" + address, limits.streamOpensPerWindow());
    }

    /**
     * Holds one of the address's slots for an open event stream until closed; refuses when the
     * address has {@link ApiLimits#streamsOpenAtOnce} open on this node.
     */
    public AutoCloseable openStream(String address) {
        int max = limits.streamsOpenAtOnce();
        if (max == 0) return () -> { };
        AtomicInteger open = openStreams.computeIfAbsent(address, a -> new AtomicInteger());
        if (open.incrementAndGet() > max) {
            release(address, open);
            throw new TooManyRequests("Too many event streams open from this address: at most " + max
                    + " at once; close one first", 1);
        }
        return () -> release(address, open);
    }

    private void release(String address, AtomicInteger open) {
        if (open.decrementAndGet() <= 0) openStreams.remove(address, open);
    }

    private void count(String what, String key, int max) {
        if (max == 0) return;
        long now = clock.millis();
        Window w = windows.get(key, k -> new Window());
        long retryAfter = w.tryAdd(now, windowMillis, max);
        if (retryAfter > 0) {
            throw new TooManyRequests("Too many " + what + ": at most " + max + " per " + describe(windowMillis)
                    + "; retry in " + retryAfter + " s", retryAfter);
        }
        unshared.merge(key, 1L, Long::sum);
    }

    /** Requests counted for this client address in the current sliding window, on every node as far as known here. */
    public long requestsFrom(String address) {
        Window w = windows.getIfPresent("a:" + address);
        return w == null ? 0 : w.estimate(clock.millis(), windowMillis);
    }

    /** Sends what this node counted since the last call to the other nodes (run once a second). */
    public void share() {
        if (unshared.isEmpty()) return;
        Map<String, Long> counts = new HashMap<>();
        for (String key : unshared.keySet()) {
            Long n = unshared.remove(key);
            if (n != null) counts.put(key, n);
        }
        try {
            bus.publish(Subjects.requestCounts(), json.writeValueAsBytes(
                    new Shared(nodeId, clock.millis() / windowMillis, counts)));
        } catch (IOException | RuntimeException e) {
            log.warn("could not share request counts: {}", e.toString());
        }
    }

    record Shared(String node, long window, Map<String, Long> counts) {
    }

    private void received(byte[] data) {
        Shared s;
        try {
            s = json.readValue(data, Shared.class);
        } catch (IOException e) {
            log.warn("unreadable request counts from another node: {}", e.toString());
            return;
        }
        if (nodeId.equals(s.node())) return;
        long now = clock.millis();
        s.counts().forEach((key, n) -> windows.get(key, k -> new Window()).addRemote(now, windowMillis, s.window(), n));
    }

    private static boolean isStream(Context ctx) {
        if (!ctx.method().name().equals("GET")) return false;
        String p = ctx.path();
        return p.endsWith("/events") || p.contains("/events/");
    }

    private static String token(Context ctx) {
        String header = ctx.header("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) return header.substring(7).trim();
        return ctx.queryParam("access_token");
    }

    private static String describe(long millis) {
        return millis % 60_000 == 0 ? (millis / 60_000) + " minutes" : (millis / 1000) + " s";
    }

    /** One key's counts: this window's and the previous one's. */
    private static final class Window {
        private long index = Long.MIN_VALUE;
        private long current;
        private long previous;

        private void roll(long now, long length) {
            long i = now / length;
            if (i == index) return;
            previous = i == index + 1 ? current : 0;
            current = 0;
            index = i;
        }

        /**
         * Counts one request; returns 0, or the seconds to wait when the limit is reached. The
         * estimate is previous × (length − elapsed) / length + current, compared in whole numbers
         * (scaled by length) so that Retry-After is exact: waiting it lets the next request through.
         */
        synchronized long tryAdd(long now, long length, int max) {
            roll(now, length);
            long elapsed = now % length;
            if (previous * (length - elapsed) + (current + 1) * length <= (long) max * length) {
                current++;
                return 0;
            }
            long waitMillis;
            if (current + 1 <= max) {
                // The previous window's share fades as time passes: wait until it leaves room for one more.
                waitMillis = length - Math.floorDiv((max - 1 - current) * length, previous) - elapsed;
            } else {
                // This window is full: after it ends, its count fades in turn.
                waitMillis = (length - elapsed) + length - Math.floorDiv((long) (max - 1) * length, current);
            }
            return Math.max(1, (waitMillis + 999) / 1000);
        }

        synchronized long estimate(long now, long length) {
            roll(now, length);
            return (previous * (length - now % length) + current * length) / length;
        }

        synchronized void addRemote(long now, long length, long window, long n) {
            roll(now, length);
            if (window == index) current += n;
            else if (window == index - 1) previous += n;
        }
    }
}
