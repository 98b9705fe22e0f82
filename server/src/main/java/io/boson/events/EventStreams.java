package io.boson.events;

import io.boson.auth.Principal;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Server-sent event streams in Particle's wire format. Each stream ({@link SseStream}) is written by
 * the thread that brings it an event, without blocking: a stream whose reader keeps up costs no
 * thread and no hand-off; one that falls behind queues up to {@link #QUEUE_CAPACITY} events and then
 * loses what does not fit, and never slows a device or another stream. What a stream lost is told
 * to its reader as an SSE comment before the next event it gets, {@code :dropped N} (N: the
 * stream's total so far), which SSE clients ignore and a careful reader can use to know it missed N
 * events; {@link #dropped} is the node's total.
 * A comment line goes out whenever the stream is idle for the keep-alive interval, well under
 * particle-api-js's 15 s idle timeout: one timer thread for all streams hands idle streams their
 * keep-alive and ends those whose token expired. Revoking a token ends the streams opened with it
 * at once.
 */
public final class EventStreams implements AutoCloseable {

    public static final int QUEUE_CAPACITY = 1024;
    private static final byte[] OPEN = ":ok\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REPLAY_TRUNCATED = ":replay-truncated\n".getBytes(StandardCharsets.US_ASCII);

    private final EventService events;
    private final EventCodec codec;
    private final Clock clock;
    /** Open streams. */
    private final Set<SseStream> open = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ScheduledExecutorService keepAlives;
    private final Map<String, Set<SseStream>> byToken = new ConcurrentHashMap<>();
    private final Bus.Subscription revocations;
    private final Bus.Subscription membershipChanges;
    /** Open streams by who opened them and on which scope, for revocations of team membership. */
    private final Map<SseStream, String> ownerScope = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private final io.micrometer.core.instrument.Counter sent;
    private final io.micrometer.core.instrument.Counter dropped;

    public EventStreams(EventService events, Bus bus, Clock clock, Duration keepAlive,
                        io.micrometer.core.instrument.MeterRegistry registry) {
        this(events, bus, clock, keepAlive, registry, null);
    }

    /** With the codec, streams resume from event history (see {@link #open}). */
    public EventStreams(EventService events, Bus bus, Clock clock, Duration keepAlive,
                        io.micrometer.core.instrument.MeterRegistry registry, EventCodec codec) {
        this.codec = codec;
        this.events = events;
        this.clock = clock;
        io.micrometer.core.instrument.Gauge.builder("boson.sse.streams.open", open, Set::size)
                .description("Server-sent event streams open on this node").register(registry);
        this.sent = io.micrometer.core.instrument.Counter.builder("boson.events.out").tag("to", "sse")
                .description("Events written to server-sent event streams").register(registry);
        this.dropped = io.micrometer.core.instrument.Counter.builder("boson.sse.events.dropped")
                .description("Events dropped for streams too slow to keep up").register(registry);
        this.revocations = bus.subscribe(Subjects.tokenRevoked(), m -> {
            Set<SseStream> streams = byToken.get(new String(m.data(), StandardCharsets.US_ASCII));
            if (streams != null) streams.forEach(SseStream::end);
        });
        this.membershipChanges = bus.subscribe(Subjects.membershipChanged(), m -> {
            String[] parts = new String(m.data(), StandardCharsets.US_ASCII).split(":");
            String key = parts[1] + "@" + parts[0];
            ownerScope.forEach((stream, owner) -> {
                if (owner.equals(key)) stream.end();
            });
        });
        // Every half interval, a stream that wrote nothing for half an interval gets a keep-alive: no
        // stream stays silent longer than the interval.
        long half = Math.max(1, keepAlive.toNanos() / 2);
        this.keepAlives = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "boson-sse-keepalive");
            t.setDaemon(true);
            return t;
        });
        keepAlives.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            open.forEach(stream -> stream.tick(now, half));
        }, half, half, TimeUnit.NANOSECONDS);
    }

    /**
     * Whether a stream can resume: history is on. A Last-Event-ID that is not one of ours is a
     * client error ({@link IllegalArgumentException}), told before the stream opens.
     */
    StreamCursor cursor(EventService.Filter filter, String lastEventId) {
        if (codec == null || !events.history().enabled()) return null;
        if (lastEventId == null || lastEventId.isBlank()) return StreamCursor.fresh(filter.scope());
        return StreamCursor.parse(lastEventId, filter.scope());
    }

    /**
     * Opens a stream on the request's thread: the answer's status and headers, the opening comment
     * and, with {@code lastEventId}, the events the client missed after it (from history; the
     * stream's {@link StreamCursor} gives each event an SSE {@code id:} when history is on). It is
     * subscribed before it answers, so nothing published after the 200 is missed and nothing is
     * sent twice. The stream goes live with {@link SseStream#goLive()} once the request is
     * asynchronous, and runs {@code onEnd} once when it ends: the client went away, the server stops,
     * the caller's token is revoked or expires, or the stream failed to open (then before this throws).
     */
    SseStream open(HttpServletResponse res, Principal caller, EventService.Filter filter, String lastEventId, Runnable onEnd)
            throws IOException {
        StreamCursor cursor;
        ServletOutputStream out;
        try {
            cursor = cursor(filter, lastEventId);
            out = res.getOutputStream();
        } catch (IOException | RuntimeException e) {
            onEnd.run();
            throw e;
        }
        SseStream stream = new SseStream(out, caller, clock, cursor, QUEUE_CAPACITY, s -> {
            open.remove(s);
            ownerScope.remove(s);
            byToken.computeIfPresent(caller.tokenHash(), (k, set) -> {
                set.remove(s);
                return set.isEmpty() ? null : set;
            });
            onEnd.run();
        }, sent, dropped);
        byToken.computeIfAbsent(caller.tokenHash(), k -> ConcurrentHashMap.newKeySet()).add(stream);
        ownerScope.put(stream, caller.userId() + "@" + filter.scope());
        open.add(stream);
        try {
            stream.subscribed(events.subscribe(filter, stream::offer));
            if (closing) stream.end();
            res.setStatus(200);
            res.setContentType("text/event-stream");
            res.setCharacterEncoding("utf-8");
            res.setHeader("Cache-Control", "no-cache");
            res.setHeader("X-Accel-Buffering", "no");
            out.write(OPEN);
            out.flush();
            if (cursor != null && cursor.resuming()) {
                // Subscribed first, then replayed: whatever arrives live meanwhile waits in the stream's queue,
                // and the cursor drops what the replay already sent.
                java.util.List<EventHistoryRepository.Stored> missed = events.history().replay(filter, cursor);
                if (missed.size() >= EventHistory.MAX_REPLAY) out.write(REPLAY_TRUNCATED);
                for (EventHistoryRepository.Stored s : missed) {
                    stream.writeBlocking(new EventCodec.Decoded(new byte[0], s.event(), codec.frame(s.event()), s.id()));
                }
                out.flush();
            }
            return stream;
        } catch (IOException | RuntimeException e) {
            stream.abandon();
            throw e;
        }
    }

    /** Events this node dropped for streams that did not keep up, since it started. */
    public long dropped() {
        return (long) dropped.count();
    }

    /** Ends every open stream so that the HTTP server can stop promptly. */
    @Override
    public void close() {
        closing = true;
        revocations.close();
        membershipChanges.close();
        keepAlives.shutdownNow();
        open.forEach(SseStream::end);
    }
}
