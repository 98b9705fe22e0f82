package io.boson.events;

import io.boson.bus.Bus;
import io.boson.events.EventHistoryRepository.Stored;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Every event of every scope, kept for the retention (24 h by default) so that streams can resume
 * and the history API can list them. As {@code io.boson.health.VitalsHistory} does, the publishing
 * thread only gives the event its id and appends it to a queue in memory; the node's history
 * thread writes the queue every flush interval (5 s by default, sooner once {@link #FLUSH_AT} events
 * wait; one transaction each), in the order of the index by device, and prunes in the background.
 * A crash loses at most the last interval; a queue that outgrows {@link #MAX_QUEUED} (the database
 * is down) drops the newest entries and counts them.
 *
 * <p>Each event is written once, by the node it entered on. A stream that resumes first subscribes
 * live, then asks for a flush barrier ({@link #flushEverywhere}): this node flushes, and on a
 * cluster every running node flushes when asked on the bus and answers; only then is the database
 * read. An event is therefore either in the database or in the stream's live queue (or both:
 * {@link StreamCursor} drops the second copy).
 */
public final class EventHistory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventHistory.class);

    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
    /**
     * A stream that resumes, and a history page, ask for a flush at once, so the interval bounds only
     * what a crash loses, not how long a resume waits. Each flush is one commit (on H2, a chunk
     * written). Five seconds, as for usage counts and last heard: a flush then holds several events of
     * each device that publishes once a second, and written in device order they share the pages of
     * the index by device, which on H2 is most of a history row's cost (half the CPU per event of a
     * 1 s interval, docs/benchmarks.md).
     */
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(5);
    /** Events waiting that start a flush before the interval is up: a busy fleet's flushes stay this size. */
    static final int FLUSH_AT = 20_000;
    static final Duration PRUNE_INTERVAL = Duration.ofMinutes(1);
    /** How long a resuming stream waits for the other nodes' flushes (a node that died answers never). */
    static final Duration BARRIER_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Events waiting to be written, at most: 100,000 is 5 s of a 19,000-device fleet publishing once a
     * second each (with the batch being written, 200,000 events held about 40 MB in the soak). A store
     * that cannot keep up for longer (the embedded store writes 2,000 to 4,000 events/s on 2 cores
     * beside such a fleet, docs/benchmarks.md) sheds the newest events from the history (counted:
     * {@code boson_events_history_dropped_total}) instead of holding ever more of them; live delivery
     * does not depend on the history.
     */
    static final int MAX_QUEUED = 100_000;
    static final int BATCH = 1_000;
    /**
     * Most events one resume replays (the oldest missed); past it the stream says so with the SSE
     * comment {@code :replay-truncated} and goes on live, so the events between are not replayed.
     */
    static final int MAX_REPLAY = 100_000;
    private static final String FLUSH_SUBJECT = "evhist.flush";
    private static final int STRIPES = 64;

    private final EventHistoryRepository repo;
    private final Bus bus;
    private final Clock clock;
    private final Duration retention;
    private final String nodeId;
    private final boolean clustered;
    private final EventIds ids;
    private final Object[] stripes = new Object[STRIPES];
    private final ConcurrentLinkedQueue<Stored> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final ScheduledExecutorService worker;
    private final Bus.Subscription flushRequests;
    private final Object flushLock = new Object();
    /** The last id {@link #flush} wrote to this node's row (under flushLock): an idle node does not rewrite it
     *  four times a second (a commit each, on disk before it returns). */
    private long savedLastId = Long.MIN_VALUE;

    private EventHistory(EventHistoryRepository repo, Bus bus, Clock clock, Duration retention, Duration flushInterval,
                         String nodeId, boolean clustered) {
        this.repo = repo;
        this.bus = bus;
        this.clock = clock;
        this.retention = retention;
        this.nodeId = nodeId;
        this.clustered = clustered;
        for (int i = 0; i < STRIPES; i++) stripes[i] = new Object();
        if (!enabled()) {
            ids = null;
            worker = null;
            flushRequests = null;
            return;
        }
        EventHistoryRepository.Node node = repo.register(nodeId);
        ids = new EventIds(clock, node.tag(), node.lastId());
        worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "boson-event-history");
            t.setDaemon(true);
            return t;
        });
        long flush = flushInterval.toMillis();
        worker.scheduleWithFixedDelay(this::flushQuietly, flush, flush, TimeUnit.MILLISECONDS);
        long prune = PRUNE_INTERVAL.toMillis();
        worker.scheduleWithFixedDelay(this::pruneQuietly, prune, prune, TimeUnit.MILLISECONDS);
        // Another node's stream resumes: write what is queued here, then say so on the subject it gave.
        flushRequests = bus.subscribe(FLUSH_SUBJECT, m -> {
            String replyTo = new String(m.data(), StandardCharsets.US_ASCII);
            worker.execute(() -> {
                flushQuietly();
                bus.publish(replyTo, Integer.toString(ids.tag()).getBytes(StandardCharsets.US_ASCII));
            });
        });
    }

    /**
     * @param retention how long events are kept; zero turns history off (no ids, no resume)
     */
    public static EventHistory create(Jdbi jdbi, Bus bus, Clock clock, Duration retention, Duration flushInterval,
                                      String nodeId, boolean clustered) {
        return new EventHistory(new EventHistoryRepository(jdbi), bus, clock, retention, flushInterval, nodeId, clustered);
    }

    /** History off: events carry no id and streams do not resume. */
    public static EventHistory off(Bus bus, Clock clock) {
        return new EventHistory(null, bus, clock, Duration.ZERO, DEFAULT_FLUSH_INTERVAL, "off", false);
    }

    public boolean enabled() {
        return retention.isPositive();
    }

    public Duration retention() {
        return retention;
    }

    /**
     * Gives the event its id, queues it for writing, and has {@code send} publish it, all under the
     * scope's lock, so this node's events of a scope reach every subscriber in the order of their ids.
     */
    void publish(Event e, LongConsumer send) {
        if (!enabled()) {
            send.accept(0);
            return;
        }
        synchronized (stripes[Math.floorMod(e.scope().hashCode(), STRIPES)]) {
            long id = ids.next();
            if (kept(e.scope())) {
                int waiting = queued.incrementAndGet();
                if (waiting > MAX_QUEUED) {
                    queued.decrementAndGet();
                    dropped.incrementAndGet();
                } else {
                    queue.add(new Stored(id, e));
                    if (waiting == FLUSH_AT) flushSoon();
                }
            }
            send.accept(id);
        }
    }

    /** A device nobody owns has a scope of its own that no one may read: nothing to keep. */
    private static boolean kept(String scope) {
        return !scope.startsWith("d");
    }

    /** Events not written because the queue was full, since the node started. */
    public long dropped() {
        return dropped.get();
    }

    /** Events waiting to be written. */
    public int queued() {
        return queued.get();
    }

    /** {@code boson.events.history.queued} and {@code boson.events.history.dropped} (the queue was full). */
    public void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        io.micrometer.core.instrument.Gauge.builder("boson.events.history.queued", this, EventHistory::queued)
                .description("Events waiting to be written to the event history").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("boson.events.history.dropped", this, EventHistory::dropped)
                .description("Events not kept in the history because its write queue was full").register(registry);
    }

    /** Writes what is queued. Failed batches are logged and lost (the device path never waits). */
    public void flush() {
        if (!enabled()) return;
        synchronized (flushLock) {
            List<Stored> rows = new ArrayList<>();
            try {
                // At most MAX_QUEUED events wait here, so one flush holds them all in one transaction.
                for (Stored s = queue.poll(); s != null; s = queue.poll()) {
                    queued.decrementAndGet();
                    rows.add(s);
                }
                // In the order of the index by device (scope, coreid, id): a device's events of this flush
                // go to its page of that index together, which is then written once.
                rows.sort(BY_DEVICE);
                long last = ids.lastIssued();
                // An idle node writes nothing: no commit (on H2, a chunk written) when there is nothing new.
                if (!rows.isEmpty() || last != savedLastId) {
                    repo.insertAndSaveLastId(rows, BATCH, nodeId, last);
                    savedLastId = last;
                }
            } catch (RuntimeException e) {
                log.warn("could not write {} history events: {}", rows.size(), e.toString());
            }
        }
    }

    private static final Comparator<Stored> BY_DEVICE = Comparator.<Stored, String>comparing(s -> s.event().scope())
            .thenComparing(s -> s.event().coreid(), Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingLong(Stored::id);

    private void flushSoon() {
        try {
            worker.execute(this::flushQuietly);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // close() writes what is queued
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("could not flush event history: {}", e.toString());
        }
    }

    /** Deletes events older than the retention; returns how many went. */
    public int prune() {
        if (!enabled()) return 0;
        int n = repo.prune(EventIds.firstAt(clock.millis() - retention.toMillis()));
        if (n > 0) log.debug("pruned {} history events", n);
        try {
            repo.saveLastId(nodeId, ids.lastIssued(), true);
        } catch (RuntimeException e) {
            log.debug("could not save the last event id: {}", e.toString());
        }
        return n;
    }

    private void pruneQuietly() {
        try {
            prune();
        } catch (RuntimeException e) {
            log.warn("could not prune event history: {}", e.toString());
        }
    }

    /**
     * Returns once every event published anywhere before the call is in the database: this node
     * flushes, and on a cluster each other running node is asked to flush and answers. A node that
     * does not answer within {@link #BARRIER_TIMEOUT} (it died) is given up on, and logged.
     */
    void flushEverywhere() {
        flush();
        if (!clustered) return;
        Set<Integer> waiting = ConcurrentHashMap.newKeySet();
        waiting.addAll(repo.runningTags());
        waiting.remove(ids.tag());
        if (waiting.isEmpty()) return;
        CountDownLatch all = new CountDownLatch(1);
        String replyTo = "evhist.flushed." + io.boson.auth.Secrets.randomHex(8);
        try (Bus.Subscription ignored = bus.subscribe(replyTo, m -> {
            waiting.remove(Integer.valueOf(new String(m.data(), StandardCharsets.US_ASCII)));
            if (waiting.isEmpty()) all.countDown();
        })) {
            bus.publish(FLUSH_SUBJECT, replyTo.getBytes(StandardCharsets.US_ASCII));
            if (!all.await(BARRIER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("nodes with event tags {} did not flush for a resuming stream within {}", waiting, BARRIER_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * What a resuming stream missed: the events of its scopes after its cursor (each node's own
     * bound), matching its filter, oldest first. Call after the stream subscribed live.
     */
    List<Stored> replay(EventService.Filter filter, StreamCursor cursor) {
        flushEverywhere();
        List<Stored> out = new ArrayList<>();
        List<String> scopes = new ArrayList<>();
        scopes.add(filter.scope());
        scopes.addAll(filter.alsoScopes());
        for (String scope : scopes) {
            boolean also = !scope.equals(filter.scope());
            long after = cursor.lowestBound(scope);
            while (out.size() < MAX_REPLAY) {
                List<Stored> page = repo.after(scope, after, BATCH);
                for (Stored s : page) {
                    if (cursor.isNew(scope, s.id()) && filter.matches(s.event())
                            && (!also || s.event().productId() != null)) {
                        out.add(s);
                    }
                }
                if (page.size() < BATCH) break;
                after = page.getLast().id();
            }
        }
        out.sort(Comparator.comparingLong(Stored::id));
        return out;
    }

    /**
     * One page of a scope's history (one device's when {@code deviceId} is given), newest first:
     * events published in [from, to) and, when paging, before the id {@code before}.
     */
    List<Stored> page(String scope, String deviceId, long fromMillis, long toMillis, Long before, int limit) {
        flush();
        long upper = EventIds.firstAt(toMillis);
        if (before != null) upper = Math.min(upper, before);
        return repo.page(scope, deviceId, EventIds.firstAt(fromMillis), upper, limit);
    }

    /** One page of history, newest first; {@code nextBefore} continues it (null on the last page). */
    public record Page(List<Stored> events, Long nextBefore, long from, long to) {
    }

    public static final int DEFAULT_PAGE = 100;
    public static final int MAX_PAGE = 1_000;

    /**
     * The history a caller may see through {@code filter} (made by {@link EventService#device} or
     * {@link EventService#product}, which check permission as for the streams): events published in
     * [{@code from}, {@code to}) (ISO 8601 or epoch milliseconds; by default the whole retention up
     * to now), before the event id {@code before} when paging, at most {@code limit}.
     */
    public Page list(EventService.Filter filter, String from, String to, String before, String limit) {
        if (!enabled()) throw io.boson.errors.DomainException.notFound("Event history is off on this cloud (--event-retention 0)");
        long now = clock.millis();
        Long f = time("from", from);
        Long t = time("to", to);
        long fromMillis = f == null ? now - retention.toMillis() : f;
        long toMillis = t == null ? now + 1 : t;
        if (toMillis < fromMillis) throw io.boson.errors.DomainException.invalid("from must not be after to");
        Long beforeId = null;
        if (before != null && !before.isBlank()) {
            if (!before.matches("[0-9]{1,19}")) throw io.boson.errors.DomainException.invalid("before must be an event id");
            try {
                beforeId = Long.parseLong(before);
            } catch (NumberFormatException e) {
                throw io.boson.errors.DomainException.invalid("before must be an event id");
            }
        }
        int n = DEFAULT_PAGE;
        if (limit != null && !limit.isBlank()) {
            try {
                n = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_PAGE) throw io.boson.errors.DomainException.invalid("limit must be between 1 and " + MAX_PAGE);
        }
        List<Stored> rows = page(filter.scope(), filter.deviceId(), fromMillis, toMillis, beforeId, n + 1);
        Long next = null;
        if (rows.size() > n) {
            rows = rows.subList(0, n);
            next = rows.getLast().id();
        }
        return new Page(rows, next, fromMillis, toMillis);
    }

    private static Long time(String name, String value) {
        if (value == null || value.isBlank()) return null;
        if (value.matches("[0-9]{1,15}")) return Long.parseLong(value);
        try {
            return java.time.OffsetDateTime.parse(value).toInstant().toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            throw io.boson.errors.DomainException.invalid(name + " must be an ISO 8601 time (2026-11-25T12:00:00Z) or epoch milliseconds");
        }
    }

    /** Writes what is queued and marks this node stopped, so resuming streams stop waiting for it. */
    @Override
    public void close() {
        if (!enabled()) return;
        if (flushRequests != null) flushRequests.close();
        // A flush or prune under way finishes (interrupted, it would fail half-way); the periodic
        // ones stop here.
        worker.shutdown();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
        try {
            repo.saveLastId(nodeId, ids.lastIssued(), false);
        } catch (RuntimeException e) {
            log.warn("could not save the last event id: {}", e.toString());
        }
    }
}
