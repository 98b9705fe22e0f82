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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Server-sent event streams in Particle's wire format. Each stream has a bounded queue that the bus
 * fills without blocking and the stream's own (virtual) thread drains to the socket: a slow reader
 * loses the events that do not fit its queue, and never slows a device or another stream. What a
 * stream lost is told to its reader as an SSE comment before the next event it gets,
 * {@code :dropped N} (N: the stream's total so far), which SSE clients ignore and a careful reader
 * can use to know it missed N events; {@link #dropped} is the node's total.
 * A comment line goes out whenever the stream is idle for the keep-alive interval, well under
 * particle-api-js's 15 s idle timeout: one timer thread for all streams hands an idle stream a
 * keep-alive through its queue, so a stream's thread waits without a timeout (a timed wait of a
 * virtual thread schedules and cancels a timer task per event it is woken for). Revoking a token
 * ends the streams opened with it at once.
 */
public final class EventStreams implements AutoCloseable {

    public static final int QUEUE_CAPACITY = 1024;
    private static final byte[] OPEN = ":ok\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEPALIVE = ":\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REPLAY_TRUNCATED = ":replay-truncated\n".getBytes(StandardCharsets.US_ASCII);
    private static final EventCodec.Decoded CLOSE = new EventCodec.Decoded(new byte[0], null, new byte[0], 0);
    private static final EventCodec.Decoded IDLE = new EventCodec.Decoded(new byte[0], null, new byte[0], 0);

    private final EventService events;
    private final EventCodec codec;
    private final Clock clock;
    private final Duration keepAlive;
    /** Open streams, each with the {@link System#nanoTime} of its last write. */
    private final Map<BlockingQueue<EventCodec.Decoded>, java.util.concurrent.atomic.AtomicLong> open = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService keepAlives;
    private final Map<String, Set<BlockingQueue<EventCodec.Decoded>>> byToken = new ConcurrentHashMap<>();
    private final Bus.Subscription revocations;
    private final Bus.Subscription membershipChanges;
    /** Open streams by who opened them and on which scope, for revocations of team membership. */
    private final Map<BlockingQueue<EventCodec.Decoded>, String> ownerScope = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private final io.micrometer.core.instrument.Counter sent;
    private final io.micrometer.core.instrument.Counter dropped;

    public EventStreams(EventService events, Bus bus, Clock clock, Duration keepAlive,
                        io.micrometer.core.instrument.MeterRegistry registry) {
        this(events, bus, clock, keepAlive, registry, null);
    }

    /** With the codec, streams resume from event history (see {@link #stream(HttpServletResponse, Principal, EventService.Filter, String)}). */
    public EventStreams(EventService events, Bus bus, Clock clock, Duration keepAlive,
                        io.micrometer.core.instrument.MeterRegistry registry, EventCodec codec) {
        this.codec = codec;
        this.events = events;
        this.clock = clock;
        this.keepAlive = keepAlive;
        io.micrometer.core.instrument.Gauge.builder("boson.sse.streams.open", open, Map::size)
                .description("Server-sent event streams open on this node").register(registry);
        this.sent = io.micrometer.core.instrument.Counter.builder("boson.events.out").tag("to", "sse")
                .description("Events written to server-sent event streams").register(registry);
        this.dropped = io.micrometer.core.instrument.Counter.builder("boson.sse.events.dropped")
                .description("Events dropped for streams too slow to keep up").register(registry);
        this.revocations = bus.subscribe(Subjects.tokenRevoked(), m -> {
            Set<BlockingQueue<EventCodec.Decoded>> streams = byToken.get(new String(m.data(), StandardCharsets.US_ASCII));
            if (streams != null) streams.forEach(EventStreams::end);
        });
        this.membershipChanges = bus.subscribe(Subjects.membershipChanged(), m -> {
            String[] parts = new String(m.data(), StandardCharsets.US_ASCII).split(":");
            String key = parts[1] + "@" + parts[0];
            ownerScope.forEach((q, owner) -> {
                if (owner.equals(key)) end(q);
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
            open.forEach((q, lastWrite) -> {
                if (now - lastWrite.get() >= half && q.isEmpty()) q.offer(IDLE);
            });
        }, half, half, TimeUnit.NANOSECONDS);
    }

    private static void end(BlockingQueue<EventCodec.Decoded> q) {
        q.clear();
        q.offer(CLOSE);
    }

    /**
     * Streams until the client goes away, the server stops, or the caller's token is revoked or
     * expires. Blocks the calling (virtual) thread.
     */
    public void stream(HttpServletResponse res, Principal caller, EventService.Filter filter) throws IOException {
        stream(res, caller, filter, null);
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
     * As {@link #stream(HttpServletResponse, Principal, EventService.Filter)}, giving each event an SSE
     * {@code id:} (the stream's {@link StreamCursor}) when history is on; with {@code lastEventId},
     * first the events the client missed after it (from history), then the live ones, each once.
     */
    public void stream(HttpServletResponse res, Principal caller, EventService.Filter filter, String lastEventId)
            throws IOException {
        StreamCursor cursor = cursor(filter, lastEventId);
        BlockingQueue<EventCodec.Decoded> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        java.util.concurrent.atomic.AtomicLong lastWrite = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        java.util.concurrent.atomic.AtomicLong streamLost = new java.util.concurrent.atomic.AtomicLong();
        byToken.computeIfAbsent(caller.tokenHash(), k -> ConcurrentHashMap.newKeySet()).add(queue);
        ownerScope.put(queue, caller.userId() + "@" + filter.scope());
        // Subscribe before answering, so nothing published after the 200 is missed.
        try (Bus.Subscription ignored = events.subscribe(filter, d -> {
            if (!queue.offer(d)) { // a full queue drops this frame for this slow stream only
                streamLost.incrementAndGet();
                dropped.increment();
            }
        })) {
            open.put(queue, lastWrite);
            if (closing) end(queue);
            res.setStatus(200);
            res.setContentType("text/event-stream");
            res.setCharacterEncoding("utf-8");
            res.setHeader("Cache-Control", "no-cache");
            res.setHeader("X-Accel-Buffering", "no");
            ServletOutputStream out = res.getOutputStream();
            out.write(OPEN);
            out.flush();
            if (cursor != null && cursor.resuming()) {
                // Subscribed first, then replayed: whatever arrives live meanwhile waits in the queue, and
                // the cursor drops what the replay already sent.
                java.util.List<EventHistoryRepository.Stored> missed = events.history().replay(filter, cursor);
                if (missed.size() >= EventHistory.MAX_REPLAY) out.write(REPLAY_TRUNCATED);
                for (EventHistoryRepository.Stored s : missed) {
                    if (!cursor.advance(s.event().scope(), s.id())) continue;
                    writeId(out, cursor);
                    out.write(codec.frame(s.event()));
                    sent.increment();
                }
                out.flush();
            }
            long reported = 0;
            while (!closing) {
                EventCodec.Decoded frame = queue.take();
                if (frame == CLOSE) break;
                if (caller.tokenExpiresAt() != null && clock.millis() >= caller.tokenExpiresAt()) break;
                long lost = streamLost.get();
                if (lost != reported) {
                    out.write((":dropped " + lost + "\n").getBytes(StandardCharsets.US_ASCII));
                    reported = lost;
                }
                if (frame == IDLE) out.write(KEEPALIVE);
                else write(out, frame, cursor);
                // Write whatever else is already waiting before one flush.
                for (EventCodec.Decoded more = queue.poll(); more != null; more = queue.poll()) {
                    if (more == CLOSE) return;
                    if (more != IDLE) write(out, more, cursor);
                }
                out.flush();
                lastWrite.set(System.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(queue);
            ownerScope.remove(queue);
            byToken.computeIfPresent(caller.tokenHash(), (k, set) -> {
                set.remove(queue);
                return set.isEmpty() ? null : set;
            });
        }
    }

    private void write(ServletOutputStream out, EventCodec.Decoded d, StreamCursor cursor) throws IOException {
        if (cursor != null && d.id() != 0) {
            if (!cursor.advance(d.event().scope(), d.id())) return; // already replayed from history
            writeId(out, cursor);
        }
        out.write(d.sseFrame());
        sent.increment();
    }

    private static void writeId(ServletOutputStream out, StreamCursor cursor) throws IOException {
        out.write(("id: " + cursor.render() + "\n").getBytes(StandardCharsets.US_ASCII));
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
        open.keySet().forEach(EventStreams::end);
    }
}
