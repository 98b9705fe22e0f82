package io.boson.bus;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The bus between Boson nodes: core NATS subjects under one prefix (so several clouds, or test
 * runs, can share a NATS server without seeing each other). Requests use NATS's own inboxes and
 * its "no responders" status, so a call to a device no node holds fails at once, as on the
 * in-process bus. Subscriptions share a few dispatcher threads (a device session alone holds
 * five subscriptions, so a thread each would not scale), spread by subject; handlers must not
 * block, as on the in-process bus.
 *
 * <p>What stays on this node never leaves it: subscribers here get this node's messages from an
 * in-process {@link LocalBus}, and the NATS connection does not echo them back ({@code noEcho}),
 * so NATS carries only what other nodes need. A request goes to a subscriber on this node when
 * there is one (the device is here), else through NATS.
 */
public final class NatsBus implements Bus {

    private static final Logger log = LoggerFactory.getLogger(NatsBus.class);

    /** Dispatcher threads per node: enough to spread SSE fan-out and device traffic over the cores. */
    static final int DISPATCHERS = Math.max(2, Runtime.getRuntime().availableProcessors());

    private final Connection nats;
    private final String prefix;
    private final Dispatcher[] dispatchers;
    private final LocalBus local = new LocalBus();

    private NatsBus(Connection nats, String prefix) {
        this.nats = nats;
        this.prefix = prefix;
        this.dispatchers = new Dispatcher[DISPATCHERS];
        for (int i = 0; i < dispatchers.length; i++) dispatchers[i] = nats.createDispatcher();
    }

    /**
     * @param url    e.g. {@code nats://127.0.0.1:4222}
     * @param prefix subject namespace of this cloud, e.g. {@code boson}; a NATS subject token
     */
    public static NatsBus connect(String url, String prefix, String nodeId) {
        if (prefix == null || !prefix.matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*")) {
            throw new IllegalArgumentException("NATS subject prefix must be dot-separated letters, digits, _ or -: " + prefix);
        }
        Options options = Options.builder().server(url).connectionName("boson-" + nodeId)
                .maxReconnects(-1).reconnectWait(Duration.ofSeconds(1)).useTimeoutException().reportNoResponders().noEcho()
                .build();
        try {
            return new NatsBus(Nats.connect(options), prefix + ".");
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach NATS at " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to NATS", e);
        }
    }

    @Override
    public void publish(String subject, byte[] data) {
        publish(subject, null, data);
    }

    @Override
    public void publish(String subject, String replyTo, byte[] data) {
        if (subject.startsWith(LocalBus.LOCAL_INBOX)) {
            local.publish(subject, data); // the reply to a request made on this node
            return;
        }
        if (subject.startsWith("_INBOX.")) {
            nats.publish(subject, data); // the reply to another node's request: a NATS inbox, not ours to prefix
            return;
        }
        local.publish(subject, replyTo, data);
        // A local inbox means nothing to other nodes; their replies go through request().
        if (replyTo == null || replyTo.startsWith("_INBOX.")) {
            if (replyTo == null) nats.publish(prefix + subject, data);
            else nats.publish(prefix + subject, replyTo, data);
        }
    }

    @Override
    public CompletableFuture<byte[]> request(String subject, byte[] data, Duration timeout) {
        if (local.hasSubscriber(subject)) return local.request(subject, data, timeout);
        return nats.requestWithTimeout(prefix + subject, data, timeout).handle((Message reply, Throwable error) -> {
            if (error == null) {
                if (reply.isStatusMessage() && reply.getStatus().getCode() == 503) throw new NoResponders(subject);
                return reply.getData();
            }
            Throwable cause = error instanceof CompletionException || error instanceof ExecutionException
                    ? error.getCause() : error;
            if (cause != null && String.valueOf(cause.getMessage()).contains("503")) throw new NoResponders(subject);
            throw error instanceof CompletionException ce ? ce : new CompletionException(cause);
        });
    }

    @Override
    public Subscription subscribe(String pattern, Consumer<BusMessage> handler) {
        int cut = prefix.length();
        // One subject always goes to the same dispatcher, so its messages keep their order.
        Dispatcher dispatcher = dispatchers[Math.floorMod(pattern.hashCode(), dispatchers.length)];
        io.nats.client.Subscription sub = dispatcher.subscribe(prefix + pattern, m -> {
            try {
                handler.accept(new BusMessage(m.getSubject().substring(cut), m.getReplyTo(), m.getData()));
            } catch (RuntimeException e) {
                log.warn("bus handler for {} failed: {}", pattern, e.toString());
            }
        });
        Subscription here = local.subscribe(pattern, handler);
        return () -> {
            here.close();
            if (sub.isActive()) dispatcher.unsubscribe(sub);
        };
    }

    @Override
    public void sync(Duration timeout) {
        try {
            nats.flush(timeout);
        } catch (TimeoutException e) {
            // NATS is slow or gone: the subscription stands and takes effect when the server answers.
            log.warn("bus sync took longer than {}: {}", timeout, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean reachable() {
        return nats.getStatus() == Connection.Status.CONNECTED;
    }

    /** The NATS connection's own counters: reconnects, errors and exceptions it saw, messages dropped for slow handlers. */
    public void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        io.nats.client.Statistics stats = nats.getStatistics();
        io.micrometer.core.instrument.FunctionCounter.builder("boson.bus.reconnects", stats, s -> s.getReconnects())
                .register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("boson.bus.errors", stats, s -> s.getErrs() + s.getExceptions())
                .tag("source", "nats").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("boson.bus.dropped", stats, s -> s.getDroppedCount())
                .register(registry);
    }

    @Override
    public void close() {
        local.close();
        try {
            nats.drain(Duration.ofSeconds(2)).get();
        } catch (Exception e) {
            log.debug("NATS drain: {}", e.toString());
        }
        try {
            nats.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
