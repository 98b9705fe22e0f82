package io.boson.bus;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Everything that crosses from one connection to another goes through the bus: events to SSE
 * streams and devices, requests to the node that holds a device, presence changes. Subjects are
 * dot-separated tokens; a subscription may end in {@code >} (any remaining tokens) or use
 * {@code *} for one token, as in NATS. The in-process and NATS implementations pass the same
 * contract test.
 */
public interface Bus extends AutoCloseable {

    /** Delivers to every current subscriber whose pattern matches. Never blocks on subscribers. */
    void publish(String subject, byte[] data);

    /** Publishes with a reply subject that a handler may answer on. */
    void publish(String subject, String replyTo, byte[] data);

    /**
     * Sends to one subscriber of {@code subject} and completes with its reply. Completes
     * exceptionally with {@link NoResponders} at once when nobody listens, and with a
     * {@link java.util.concurrent.TimeoutException} when nobody answers in time.
     */
    CompletableFuture<byte[]> request(String subject, byte[] data, Duration timeout);

    Subscription subscribe(String pattern, Consumer<BusMessage> handler);

    /**
     * Returns once every subscription made before the call is in effect on the other nodes too, so
     * that what they publish from now on reaches it (NATS: a round trip to the server, which handles
     * a connection's protocol in order). Blocks: never call it on an event loop.
     */
    default void sync(Duration timeout) {
    }

    @Override
    void close();

    /** Whether messages can cross to other nodes now (readiness); the in-process bus always can. */
    default boolean reachable() {
        return true;
    }

    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** Nobody subscribes to the subject a request was sent to. */
    final class NoResponders extends RuntimeException {
        public NoResponders(String subject) {
            super("no responders on " + subject, null, false, false);
        }
    }
}
