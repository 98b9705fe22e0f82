package io.boson.events;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a stream is: for each scope it reads and each node events entered on, the id of the last
 * event it delivered. It is what the stream sends as each event's SSE {@code id:}, and what
 * {@code Last-Event-ID} brings back. One id per node, not one for the stream, because ids of
 * different nodes interleave by clock, not by arrival: a node's events reach a stream in the order
 * of their ids (the node makes the id and publishes under one lock per scope), so "after this
 * node's last delivered id" is exact. A node absent from a resumed cursor delivered nothing before
 * the disconnect; its events from {@link #SKEW_MARGIN_MILLIS} before the newest delivered id on are
 * replayed (an event a little older than the stream may come with them, never a duplicate).
 *
 * <p>Text form: entries separated by {@code .}; an entry of the stream's main scope is the bare
 * decimal id, one of another scope (an organization's product) is {@code scope:id}.
 */
final class StreamCursor {

    /** How far apart node clocks may be, and more. */
    static final long SKEW_MARGIN_MILLIS = 5_000;
    static final int MAX_ENTRIES = 256;

    private final String mainScope;
    private final Map<String, Map<Integer, Long>> last = new HashMap<>();
    private final Long floor;
    private String text;

    private StreamCursor(String mainScope, Long floor) {
        this.mainScope = mainScope;
        this.floor = floor;
    }

    /** A new stream: nothing delivered, nothing to replay. */
    static StreamCursor fresh(String mainScope) {
        return new StreamCursor(mainScope, null);
    }

    /** A stream resuming from a Last-Event-ID; {@link IllegalArgumentException} when it is not one of ours. */
    static StreamCursor parse(String text, String mainScope) {
        String[] parts = text.trim().split("\\.", -1);
        if (text.isBlank() || parts.length > MAX_ENTRIES) throw new IllegalArgumentException("not an event id: " + text);
        Map<String, Map<Integer, Long>> entries = new HashMap<>();
        long newest = 0;
        for (String part : parts) {
            int colon = part.indexOf(':');
            String scope = colon < 0 ? mainScope : part.substring(0, colon);
            String digits = colon < 0 ? part : part.substring(colon + 1);
            if (!scope.matches("[a-z][A-Za-z0-9]{1,23}") || !digits.matches("[0-9]{1,19}")) {
                throw new IllegalArgumentException("not an event id: " + text);
            }
            long id;
            try {
                id = Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an event id: " + text);
            }
            entries.computeIfAbsent(scope, k -> new HashMap<>()).merge(EventIds.tagOf(id), id, Math::max);
            newest = Math.max(newest, id);
        }
        StreamCursor c = new StreamCursor(mainScope,
                Math.max(0, newest - (SKEW_MARGIN_MILLIS << EventIds.TIME_SHIFT)));
        c.last.putAll(entries);
        return c;
    }

    /** Whether the stream resumes (it has events to replay before the live ones). */
    boolean resuming() {
        return floor != null;
    }

    /** Replayed events of {@code scope} must be after this id (each node's own bound is checked by {@link #isNew}). */
    long lowestBound(String scope) {
        long low = floor == null ? Long.MAX_VALUE : floor;
        Map<Integer, Long> byNode = last.get(scope);
        if (byNode != null) for (long id : byNode.values()) low = Math.min(low, id);
        return low;
    }

    /** Whether an event was not delivered yet (a replayed or live event may be both). */
    boolean isNew(String scope, long id) {
        Map<Integer, Long> byNode = last.get(scope);
        Long seen = byNode == null ? null : byNode.get(EventIds.tagOf(id));
        if (seen != null) return id > seen;
        return floor == null || id > floor;
    }

    /** Records a delivered event; false (and no change) when it was delivered before. */
    boolean advance(String scope, long id) {
        if (!isNew(scope, id)) return false;
        last.computeIfAbsent(scope, k -> new HashMap<>()).put(EventIds.tagOf(id), id);
        text = null;
        return true;
    }

    /** The text form, sent as the SSE {@code id:}. */
    String render() {
        if (text != null) return text;
        List<String> parts = new ArrayList<>();
        Map<Integer, Long> main = last.get(mainScope);
        if (main != null) main.values().stream().sorted().forEach(id -> parts.add(Long.toString(id)));
        last.forEach((scope, byNode) -> {
            if (!scope.equals(mainScope)) byNode.values().stream().sorted().forEach(id -> parts.add(scope + ":" + id));
        });
        text = String.join(".", parts);
        return text;
    }
}
