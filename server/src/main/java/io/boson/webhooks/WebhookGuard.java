package io.boson.webhooks;

/**
 * One webhook's token bucket (requests per second, burst of the same size) and circuit (rests after
 * consecutive failed deliveries, then lets one request probe per cooldown), on the injected clock so
 * that tests advance time instead of sleeping.
 */
final class WebhookGuard {

    private double tokens = -1;
    private long refilledAt;
    private int consecutiveFailures;
    private long openedAt;

    synchronized boolean takeToken(long now, int perSecond) {
        if (tokens < 0) {
            tokens = perSecond;
            refilledAt = now;
        }
        tokens = Math.min(perSecond, tokens + (now - refilledAt) * perSecond / 1000.0);
        refilledAt = now;
        if (tokens < 1) return false;
        tokens -= 1;
        return true;
    }

    /** Open after {@code threshold} failures in a row; after the cooldown one request may probe (and reopens it on failure). */
    synchronized boolean resting(long now, int threshold, long cooldownMillis) {
        if (consecutiveFailures < threshold) return false;
        if (now - openedAt < cooldownMillis) return true;
        openedAt = now; // half-open: this one goes, the next wait for its outcome or the cooldown
        return false;
    }

    synchronized void succeeded() {
        consecutiveFailures = 0;
    }

    synchronized void failed(long now) {
        consecutiveFailures++;
        openedAt = now;
    }
}
