package io.boson.events;

import io.boson.auth.Principal;
import io.boson.bus.Bus;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * One server-sent event stream, written without a thread of its own: whichever thread brings an
 * event (the device's event loop, for most) writes it to the socket at once when the socket takes
 * it, through the Servlet API's non-blocking output. When the socket does not take it, events wait
 * in a bounded queue and the container's write-possible callback writes all of them, then flushes
 * once; past the bound, the stream loses events (it alone: no device or other stream waits), and
 * tells its reader {@code :dropped N} before the next event it gets.
 *
 * <p>Before it goes live, the stream is written in blocking mode by the request's thread (the
 * opening comment and the replay of a resume); events that arrive meanwhile wait in the queue.
 * The stream's state is only touched under its lock (the blocking writes of the replay and the
 * listener's registration happen outside it, before any other thread writes). The end (client gone, token revoked or expired,
 * server stopping) waits for a write in progress to finish or fail; the clean-up and the
 * completion of the request then run on a virtual thread of their own, never on the thread of a
 * device's event loop.
 */
final class SseStream implements WriteListener {

    private static final byte[] KEEPALIVE = ":\n".getBytes(StandardCharsets.US_ASCII);

    /** What waits in the queue: an event, or a keep-alive. */
    private static final EventCodec.Decoded IDLE = new EventCodec.Decoded(new byte[0], null, new byte[0], 0);

    private final ServletOutputStream out;
    private final Principal caller;
    private final Clock clock;
    private final StreamCursor cursor;
    private final int capacity;
    private final ArrayDeque<EventCodec.Decoded> queue = new ArrayDeque<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final java.util.function.Consumer<SseStream> cleanUp;
    private final io.micrometer.core.instrument.Counter sent;
    private final io.micrometer.core.instrument.Counter droppedTotal;

    private Bus.Subscription subscription;
    private boolean live;
    private boolean writing;
    private boolean unflushed;
    private boolean ending;
    private boolean ended;
    private long lost;
    private long reported;
    /** {@link System#nanoTime} of the last flush. */
    private long lastWrite = System.nanoTime();

    SseStream(ServletOutputStream out, Principal caller, Clock clock, StreamCursor cursor, int capacity,
              java.util.function.Consumer<SseStream> cleanUp,
              io.micrometer.core.instrument.Counter sent, io.micrometer.core.instrument.Counter droppedTotal) {
        this.out = out;
        this.caller = caller;
        this.clock = clock;
        this.cursor = cursor;
        this.capacity = capacity;
        this.cleanUp = cleanUp;
        this.sent = sent;
        this.droppedTotal = droppedTotal;
    }

    synchronized void subscribed(Bus.Subscription s) {
        subscription = s;
        if (ended) closeSubscription();
    }

    /** A live event from the bus (any thread): written now if the socket takes it, else queued or lost. */
    synchronized void offer(EventCodec.Decoded d) {
        if (ending) return;
        if (queue.size() >= capacity) { // this slow stream only loses this event
            lost++;
            droppedTotal.increment();
            return;
        }
        queue.add(d);
        pump();
    }

    /**
     * Written by the request's thread before the stream goes live (blocking): the replay of a
     * resume. Nothing is written for an event the cursor has delivered already.
     */
    void writeBlocking(EventCodec.Decoded d) throws IOException {
        byte[] bytes;
        synchronized (this) {
            bytes = render(d);
        }
        if (bytes != null) out.write(bytes);
    }

    /** Switches to non-blocking writes; the request is done when the returned future completes. */
    CompletableFuture<Void> goLive() {
        out.setWriteListener(this);
        synchronized (this) {
            live = true;
            pump();
        }
        return finished;
    }

    /** The stream could not open (the client went away during the replay): cleaned up now, never live. */
    synchronized void abandon() {
        ending = true;
        queue.clear();
        if (ended) return;
        ended = true;
        closeSubscription();
        cleanUp.accept(this);
    }

    /** From the keep-alive ticker: ends a stream whose token expired, gives an idle one a keep-alive. */
    synchronized void tick(long now, long idleNanos) {
        if (ending) return;
        if (expired()) {
            end();
            return;
        }
        if (now - lastWrite >= idleNanos && queue.isEmpty()) {
            queue.add(IDLE);
            pump();
        }
    }

    /** Ends the stream: what is queued is not written; a write in progress finishes (or fails) first. */
    synchronized void end() {
        if (ending) return;
        ending = true;
        queue.clear();
        pump();
    }

    @Override
    public synchronized void onWritePossible() {
        pump();
    }

    @Override
    public synchronized void onError(Throwable t) {
        ending = true;
        queue.clear();
        finish();
    }

    /** Writes what waits while the socket takes it, then flushes; ends the stream once nothing is in flight. */
    private void pump() {
        if (!live || writing || ended) return;
        writing = true; // the container may call back into this stream from inside a write
        try {
            while (out.isReady()) {
                if (ending) {
                    finish();
                    return;
                }
                EventCodec.Decoded d = queue.poll();
                if (d == null) {
                    if (!unflushed) return;
                    unflushed = false;
                    out.flush();
                    lastWrite = System.nanoTime();
                    continue;
                }
                if (d != IDLE && expired()) {
                    ending = true;
                    queue.clear();
                    continue;
                }
                byte[] bytes = d == IDLE ? KEEPALIVE : render(d);
                if (bytes == null) continue;
                if (lost != reported) {
                    bytes = concat((":dropped " + lost + "\n").getBytes(StandardCharsets.US_ASCII), bytes);
                    reported = lost;
                }
                out.write(bytes);
                unflushed = true;
            }
        } catch (IOException | RuntimeException e) {
            ending = true; // the client went away
            queue.clear();
            finish();
        } finally {
            writing = false;
        }
    }

    /** An event's bytes for this stream ({@code id:} line first when history is on); null if delivered already. */
    private byte[] render(EventCodec.Decoded d) {
        if (cursor != null && d.id() != 0) {
            if (!cursor.advance(d.event().scope(), d.id())) return null; // replayed from history already
            sent.increment();
            return concat(("id: " + cursor.render() + "\n").getBytes(StandardCharsets.US_ASCII), d.sseFrame());
        }
        sent.increment();
        return d.sseFrame();
    }

    private boolean expired() {
        return caller.tokenExpiresAt() != null && clock.millis() >= caller.tokenExpiresAt();
    }

    private void finish() {
        if (ended) return;
        ended = true;
        closeSubscription();
        // Off this thread: it may be a device's event loop, and completing runs the request's end.
        Thread.startVirtualThread(() -> {
            try {
                cleanUp.accept(this);
            } finally {
                finished.complete(null);
            }
        });
    }

    private void closeSubscription() {
        if (subscription != null) {
            Bus.Subscription s = subscription;
            subscription = null;
            Thread.startVirtualThread(s::close);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
