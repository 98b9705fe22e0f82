package io.boson.events;

import java.time.Clock;

/**
 * Event ids: {@code (millis << 21) | (counter << 8) | tag}, made by the node an event enters on.
 * The millisecond is a hybrid logical clock: never behind the node's clock, and strictly increasing
 * on the node (past 8,192 ids in one millisecond it borrows the next one), so one node's ids are
 * unique and in the order it made them. The tag (0..255) is the node's own, so ids of different
 * nodes never collide and compare by time, to within the nodes' clock skew. A stream's resume point
 * is therefore kept per node (see {@link Cursor}), never as a single id.
 */
public final class EventIds {

    static final int TAG_BITS = 8;
    static final int TIME_SHIFT = 21;
    static final int MAX_TAGS = 1 << TAG_BITS;
    private static final long STEP = 1L << TAG_BITS;

    private final Clock clock;
    private final int tag;
    private long last;

    EventIds(Clock clock, int tag, long lastIssued) {
        if (tag < 0 || tag >= MAX_TAGS) throw new IllegalArgumentException("node tag out of range: " + tag);
        this.clock = clock;
        this.tag = tag;
        this.last = lastIssued;
    }

    /** The next id; callers that need ids in publish order hold their own lock around it and the publish. */
    synchronized long next() {
        long floor = (clock.millis() << TIME_SHIFT) | tag;
        long candidate = Math.max(floor, ((last >>> TAG_BITS) << TAG_BITS | tag) + STEP);
        last = candidate;
        return candidate;
    }

    synchronized long lastIssued() {
        return last;
    }

    int tag() {
        return tag;
    }

    /** The node tag of an id. */
    static int tagOf(long id) {
        return (int) (id & (MAX_TAGS - 1));
    }

    /** The time (epoch millis) an id was made at. */
    public static long millisOf(long id) {
        return id >>> TIME_SHIFT;
    }

    /** The smallest id any node could make at {@code millis}. */
    public static long firstAt(long millis) {
        return Math.max(0, millis) << TIME_SHIFT;
    }
}
