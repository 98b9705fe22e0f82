package io.boson.webhooks;

/**
 * One webhook's token bucket (requests per second, burst of the same size) and circuit (rests after
 * consecutive failed deliveries, then lets one request probe per cooldown), on the injected clock so
 * that tests advance time instead of sleeping; and its share of the delivery workers: at most a few
 * requests in flight at once, the next ones waiting in a short queue of their own, so that one slow
 * endpoint cannot hold every worker and delay other tenants' webhooks.
 */
final class WebhookGuard {

    /** What became of a delivery offered to {@link #admit}. */
    enum Admission { START, QUEUED, FULL }

    private int inFlight;
    private final java.util.ArrayDeque<Runnable> waiting = new java.util.ArrayDeque<>();

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

    /** Start now (a slot is free), wait for a slot (queued), or refused: {@code maxWaiting} are already waiting. */
    synchronized Admission admit(Runnable delivery, int maxInFlight, int maxWaiting) {
        if (inFlight < maxInFlight) {
            inFlight++;
            return Admission.START;
        }
        if (waiting.size() >= maxWaiting) return Admission.FULL;
        waiting.add(delivery);
        return Admission.QUEUED;
    }

    /** A delivery ended: the next waiting one takes its slot (returned, to be started), or the slot is freed. */
    synchronized Runnable done() {
        Runnable next = waiting.poll();
        if (next == null) inFlight--;
        return next;
    }
}
