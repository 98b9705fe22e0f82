package io.boson.webhooks;

import java.time.Duration;
import java.util.List;

/**
 * How a node delivers webhooks.
 *
 * @param allow            address ranges (CIDR) that may be called although loopback, link-local or
 *                         private ({@code --webhook-allow}); empty: public addresses only
 * @param workers          threads making requests; a slow endpoint holds at most these
 * @param queueCapacity    deliveries waiting for a worker; beyond it new ones are dropped and counted
 * @param timeout          for one request, connect to last byte (Particle: 20 s)
 * @param attempts         tries for a 5xx answer or a connection error (Particle: 3)
 * @param backoff          wait before the second try, doubled before each further one
 * @param ratePerSecond    requests one webhook may make per second (and its burst); more are skipped
 * @param circuitFailures  consecutive failed deliveries after which a webhook rests
 * @param circuitCooldown  how long it rests before one request may probe again
 */
public record WebhookSettings(List<String> allow, int workers, int queueCapacity, Duration timeout, int attempts,
                              Duration backoff, int ratePerSecond, int circuitFailures, Duration circuitCooldown) {

    public static final int DEFAULT_WORKERS = 16;
    public static final int DEFAULT_QUEUE = 10_000;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    public static final int DEFAULT_ATTEMPTS = 3;
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    public static final int DEFAULT_RATE = 100;
    public static final int DEFAULT_CIRCUIT_FAILURES = 10;
    public static final Duration DEFAULT_CIRCUIT_COOLDOWN = Duration.ofSeconds(30);

    public WebhookSettings {
        allow = List.copyOf(allow);
        new Destinations(allow); // fails early on a malformed range
        if (workers < 1 || queueCapacity < 1 || attempts < 1 || ratePerSecond < 1 || circuitFailures < 1) {
            throw new IllegalArgumentException("webhook workers, queue, attempts, rate and circuit failures must be positive");
        }
    }

    public static WebhookSettings defaults() {
        return new WebhookSettings(List.of(), DEFAULT_WORKERS, DEFAULT_QUEUE, DEFAULT_TIMEOUT, DEFAULT_ATTEMPTS,
                DEFAULT_BACKOFF, DEFAULT_RATE, DEFAULT_CIRCUIT_FAILURES, DEFAULT_CIRCUIT_COOLDOWN);
    }

    /** Parses {@code --webhook-allow}: comma-separated ranges, blank for none. */
    public static List<String> parseAllow(String spec) {
        if (spec == null || spec.isBlank()) return List.of();
        return java.util.Arrays.stream(spec.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public WebhookSettings withAllow(List<String> v) {
        return new WebhookSettings(v, workers, queueCapacity, timeout, attempts, backoff, ratePerSecond, circuitFailures, circuitCooldown);
    }

    public WebhookSettings withBackoff(Duration v) {
        return new WebhookSettings(allow, workers, queueCapacity, timeout, attempts, v, ratePerSecond, circuitFailures, circuitCooldown);
    }

    public WebhookSettings withTimeout(Duration v) {
        return new WebhookSettings(allow, workers, queueCapacity, v, attempts, backoff, ratePerSecond, circuitFailures, circuitCooldown);
    }

    public WebhookSettings withWorkers(int v, int queue) {
        return new WebhookSettings(allow, v, queue, timeout, attempts, backoff, ratePerSecond, circuitFailures, circuitCooldown);
    }

    public WebhookSettings withRate(int v) {
        return new WebhookSettings(allow, workers, queueCapacity, timeout, attempts, backoff, v, circuitFailures, circuitCooldown);
    }

    public WebhookSettings withCircuit(int failures, Duration cooldown) {
        return new WebhookSettings(allow, workers, queueCapacity, timeout, attempts, backoff, ratePerSecond, failures, cooldown);
    }
}
