package io.boson.bus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The in-process bus of a single node. Handlers run on the publishing thread, so they must not
 * block (they hand work to a queue, a channel or a virtual thread). Exact subjects are looked up
 * in a map, and so are patterns whose only wildcard is their last token ({@code dev.<id>.*}, one
 * per connected device: looked up by the subject less its last token); other wildcard patterns are
 * scanned.
 */
public final class LocalBus implements Bus {

    private static final Logger log = LoggerFactory.getLogger(LocalBus.class);

    private final Map<String, List<Sub>> exact = new ConcurrentHashMap<>();
    private final List<Sub> wildcards = new CopyOnWriteArrayList<>();
    /** Patterns {@code <tokens>.*}, by {@code <tokens>}. */
    private final Map<String, List<Sub>> lastTokenWildcards = new ConcurrentHashMap<>();
    private final AtomicLong inboxes = new AtomicLong();
    /** Reply subjects of in-process requests; never sent to another node. */
    static final String LOCAL_INBOX = "_LOCAL_INBOX.";

    @Override
    public void publish(String subject, byte[] data) {
        publish(subject, null, data);
    }

    @Override
    public void publish(String subject, String replyTo, byte[] data) {
        deliver(new BusMessage(subject, replyTo, data));
    }

    /** Whether a subscriber in this process would receive {@code subject}. */
    boolean hasSubscriber(String subject) {
        List<Sub> direct = exact.get(subject);
        if (direct != null && !direct.isEmpty()) return true;
        List<Sub> tokens = lastTokenSubscribers(subject);
        if (tokens != null && !tokens.isEmpty()) return true;
        for (Sub s : wildcards) {
            if (Subjects.matches(s.pattern, subject)) return true;
        }
        return false;
    }

    int deliver(BusMessage message) {
        int delivered = 0;
        List<Sub> direct = exact.get(message.subject());
        if (direct != null) {
            for (Sub s : direct) delivered += s.offer(message);
        }
        List<Sub> tokens = lastTokenSubscribers(message.subject());
        if (tokens != null) {
            for (Sub s : tokens) delivered += s.offer(message);
        }
        for (Sub s : wildcards) {
            if (Subjects.matches(s.pattern, message.subject())) delivered += s.offer(message);
        }
        return delivered;
    }

    private List<Sub> lastTokenSubscribers(String subject) {
        if (lastTokenWildcards.isEmpty()) return null;
        int dot = subject.lastIndexOf('.');
        return dot > 0 ? lastTokenWildcards.get(subject.substring(0, dot)) : null;
    }

    /** {@code a.b.*}: one wildcard, as the whole last token, and nothing else wild. */
    static boolean lastTokenWildcard(String pattern) {
        int star = pattern.indexOf('*');
        return star == pattern.length() - 1 && star >= 2 && pattern.charAt(star - 1) == '.' && pattern.indexOf('>') < 0;
    }

    @Override
    public CompletableFuture<byte[]> request(String subject, byte[] data, Duration timeout) {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        String inbox = LOCAL_INBOX + inboxes.incrementAndGet();
        Subscription sub = subscribe(inbox, m -> reply.complete(m.data()));
        reply.whenComplete((r, e) -> sub.close());
        if (deliver(new BusMessage(subject, inbox, data)) == 0) {
            reply.completeExceptionally(new NoResponders(subject));
        } else {
            reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return reply;
    }

    @Override
    public Subscription subscribe(String pattern, Consumer<BusMessage> handler) {
        if (lastTokenWildcard(pattern)) {
            // The subscriber keeps the prefix only (its log line names it): one string per connected device, not two.
            String tokens = pattern.substring(0, pattern.length() - 2);
            Sub sub = new Sub(tokens, handler);
            lastTokenWildcards.compute(tokens, (k, list) -> list == null ? List.of(sub) : with(list, sub));
            return () -> lastTokenWildcards.computeIfPresent(tokens, (k, list) -> without(list, sub));
        }
        Sub sub = new Sub(pattern, handler);
        if (Subjects.hasWildcard(pattern)) {
            wildcards.add(sub);
            return () -> wildcards.remove(sub);
        }
        // An immutable list per subject, replaced under the map's lock for its key: most subjects (one per
        // device and kind) have exactly one subscriber, and List.of(sub) costs 24 bytes where a
        // CopyOnWriteArrayList costs 64 (itself, its lock and its array): about 240 bytes per connected device.
        exact.compute(pattern, (k, list) -> list == null ? List.of(sub) : with(list, sub));
        return () -> exact.computeIfPresent(pattern, (k, list) -> without(list, sub));
    }

    private static List<Sub> with(List<Sub> list, Sub sub) {
        Sub[] grown = list.toArray(new Sub[list.size() + 1]);
        grown[list.size()] = sub;
        return List.of(grown);
    }

    /** The list without {@code sub} (the first occurrence, by identity); null when nothing is left. */
    private static List<Sub> without(List<Sub> list, Sub sub) {
        int i = 0;
        while (i < list.size() && list.get(i) != sub) i++;
        if (i == list.size()) return list;
        if (list.size() == 1) return null;
        Sub[] rest = new Sub[list.size() - 1];
        for (int j = 0, k = 0; j < list.size(); j++) if (j != i) rest[k++] = list.get(j);
        return List.of(rest);
    }

    @Override
    public void close() {
        exact.clear();
        lastTokenWildcards.clear();
        wildcards.clear();
    }

    private record Sub(String pattern, Consumer<BusMessage> handler) {
        int offer(BusMessage m) {
            try {
                handler.accept(m);
            } catch (RuntimeException e) {
                log.warn("bus subscriber on {} failed: {}", pattern, e.toString());
            }
            return 1;
        }
    }
}
