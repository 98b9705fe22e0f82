package io.boson.http;

import java.time.Duration;

/**
 * How much one client may ask of the API, Particle's documented limits by default: 10,000 requests
 * per 5 minutes per address (and, Boson's addition, per access token, so one token spread over
 * many addresses is held too), 100 {@code /oauth/token} requests per 5 minutes per address, 100 event
 * streams opened per 5 minutes per address and 100 open at once per address. Zero turns a limit off.
 *
 * @param window the length of the sliding window the per-window limits count over
 */
public record ApiLimits(int requestsPerWindow, int oauthPerWindow, int streamOpensPerWindow, int streamsOpenAtOnce,
                        Duration window) {

    public static final Duration PARTICLE_WINDOW = Duration.ofMinutes(5);

    public static ApiLimits particle() {
        return new ApiLimits(10_000, 100, 100, 100, PARTICLE_WINDOW);
    }

    public static ApiLimits unlimited() {
        return new ApiLimits(0, 0, 0, 0, PARTICLE_WINDOW);
    }

    public ApiLimits {
        if (requestsPerWindow < 0 || oauthPerWindow < 0 || streamOpensPerWindow < 0 || streamsOpenAtOnce < 0) {
            throw new IllegalArgumentException("API limits cannot be negative");
        }
        if (window == null || window.toMillis() < 1000) throw new IllegalArgumentException("the window must be at least 1 s");
    }
}
