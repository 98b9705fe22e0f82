package io.boson.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.boson.devices.Scope;
import io.boson.events.Event;
import io.boson.events.EventCodec;
import io.boson.health.FleetCounters;
import io.boson.health.FleetMetric;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Makes webhook requests off the device path. {@link #offer} only hands the event to a bounded
 * queue (a full queue drops the event and counts it; the caller never waits); a fixed pool of
 * workers decodes it, picks the matching webhooks and makes one request each, with a timeout, up to
 * {@code attempts} tries with doubling back-off for a 5xx answer or a connection error, a token
 * bucket per webhook and a circuit that rests a webhook after consecutive failures. Outcomes are
 * published as Particle's {@code hook-sent}, {@code hook-response} (in 512-byte chunks) and
 * {@code hook-error} events into the webhook's scope, by coreid {@code particle-internal}; the
 * response and error also go to the publishing device alone (it receives them when subscribed).
 * Those events go straight onto the bus, never through the event tap, so they trigger no webhook.
 */
final class Delivery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Delivery.class);

    static final String INTERNAL = "particle-internal";
    static final int CHUNK_BYTES = 512;
    /** Responses beyond this are cut: Particle advises against more than 10 chunks. */
    static final int MAX_RESPONSE_BYTES = 100 * CHUNK_BYTES;
    static final String SLEEPING = "Sleeping, too many errors, please wait and try again";

    private final WebhookSettings settings;
    private final Function<String, List<Webhook>> hooksOfScope;
    private final Function<String, Integer> productVersion;
    private final Bus bus;
    private final EventCodec codec;
    private final ObjectMapper json;
    private final Clock clock;
    private final WebhookRepository repo;
    private final FleetCounters fleet;
    private final Destinations destinations;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService retries;
    /** Made on the first delivery: an HTTP client loads the JDK's trust store and starts a selector thread,
     *  work a node without webhooks never needs and that would otherwise sit in front of its first request. */
    private volatile HttpClient http;
    private volatile HttpClient insecureHttp;
    private final Map<String, Tally> tallies = new ConcurrentHashMap<>();
    private final Map<String, WebhookGuard> guards = new ConcurrentHashMap<>();
    private final Counter dropped;
    private final Counter requests;
    private final Counter failures;

    Delivery(WebhookSettings settings, Function<String, List<Webhook>> hooksOfScope, Function<String, Integer> productVersion,
             Bus bus, EventCodec codec, ObjectMapper json, Clock clock, WebhookRepository repo, FleetCounters fleet,
             MeterRegistry registry) {
        this.settings = settings;
        this.hooksOfScope = hooksOfScope;
        this.productVersion = productVersion;
        this.bus = bus;
        this.codec = codec;
        this.json = json;
        this.clock = clock;
        this.repo = repo;
        this.fleet = fleet;
        this.destinations = new Destinations(settings.allow());
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(settings.workers(), settings.workers(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.queueCapacity()), r -> {
                    Thread t = new Thread(r, "boson-webhook-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "boson-webhook-timer");
            t.setDaemon(true);
            return t;
        });
        this.dropped = Counter.builder("boson.webhook.dropped").description("Webhook deliveries dropped because the queue was full")
                .register(registry);
        this.requests = Counter.builder("boson.webhook.requests").description("Webhook HTTP requests made (each try)")
                .register(registry);
        this.failures = Counter.builder("boson.webhook.failures").description("Webhook deliveries that failed after every try")
                .register(registry);
        retries.scheduleWithFixedDelay(this::flushQuietly, 1, 1, TimeUnit.SECONDS);
    }

    private HttpClient secureClient() {
        HttpClient c = http;
        if (c == null) {
            synchronized (this) {
                if (http == null) http = client(null);
                c = http;
            }
        }
        return c;
    }

    private HttpClient insecureClient() {
        HttpClient c = insecureHttp;
        if (c == null) {
            synchronized (this) {
                if (insecureHttp == null) insecureHttp = client(trustAll());
                c = insecureHttp;
            }
        }
        return c;
    }

    private HttpClient client(SSLContext ssl) {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout()).followRedirects(HttpClient.Redirect.NEVER);
        if (ssl != null) b.sslContext(ssl);
        return b.build();
    }

    /** For {@code rejectUnauthorized: false}: any certificate chain is accepted (host names are still checked). */
    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An event entered the cloud on this node, in {@code scope}; called on the publishing thread, so it never blocks. */
    void offer(String scope, byte[] wire) {
        if (hooksOfScope.apply(scope).isEmpty()) return;
        submit(() -> fanOut(scope, wire));
    }

    private boolean submit(Runnable task) {
        try {
            workers.execute(task);
            return true;
        } catch (RejectedExecutionException full) {
            dropped.increment();
            return false;
        }
    }

    /** Requests one webhook may have in flight at once: a quarter of the workers, so three others always find one free. */
    private int maxInFlight() {
        return Math.max(1, settings.workers() / 4);
    }

    /** Deliveries of one webhook that wait for its slots; past that, events are skipped for it and counted. */
    static final int MAX_WAITING = 100;

    /** Starts a delivery that holds one of its webhook's slots; a delivery that cannot start gives the slot on. */
    private void start(WebhookGuard guard, Runnable delivery) {
        for (Runnable next = delivery; next != null && !submit(next); ) next = guard.done();
    }

    /** The delivery of {@code hook} ended (delivered, failed for good, or abandoned): its slot goes to the next one waiting. */
    private void release(Webhook hook) {
        WebhookGuard guard = guards.get(hook.id());
        if (guard == null) return;
        Runnable next = guard.done();
        if (next != null) start(guard, next);
    }

    private void fanOut(String scope, byte[] wire) {
        Event e = codec.decode(wire).event();
        if (INTERNAL.equals(e.coreid()) || e.name().startsWith("hook-")) return;
        for (Webhook hook : hooksOfScope.apply(scope)) {
            if (!hook.matches(e.name(), e.coreid()) || hook.settings().path("disabled").asBoolean(false)) continue;
            WebhookGuard guard = guards.computeIfAbsent(hook.id(), id -> new WebhookGuard());
            long now = clock.millis();
            if (!guard.takeToken(now, settings.ratePerSecond())) {
                tally(hook).skipped.incrementAndGet();
                continue;
            }
            if (guard.resting(now, settings.circuitFailures(), settings.circuitCooldown().toMillis())) {
                tally(hook).skipped.incrementAndGet();
                publishError(hook, e, SLEEPING);
                continue;
            }
            Runnable delivery = () -> attempt(hook, e, 1);
            switch (guard.admit(delivery, maxInFlight(), MAX_WAITING)) {
                case START -> start(guard, delivery);
                case QUEUED -> { }
                case FULL -> tally(hook).skipped.incrementAndGet();
            }
        }
    }

    private void attempt(Webhook hook, Event e, int attempt) {
        String outcome;
        String error = null;
        HttpResponse<InputStream> response = null;
        byte[] responseBody = new byte[0];
        if (attempt == 1) publish(hook, e, "hook-sent/" + e.name(), "", false);
        try {
            ObjectNode ctx = OutboundRequest.context(json, e, needsVersion(hook) ? productVersion.apply(e.coreid()) : null);
            OutboundRequest req = OutboundRequest.build(hook, e, ctx, json);
            String refused = req.uri().getHost() == null ? "no host" : destinations.refusedHost(req.uri().getHost());
            if (refused != null) {
                finish(hook, e, false, "destination not allowed: " + refused, null, null);
                return;
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(req.uri()).timeout(settings.timeout())
                    .method(req.method(), req.body().length == 0 && !req.method().equals("POST") && !req.method().equals("PUT")
                            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(req.body()));
            req.headers().forEach((k, v) -> {
                try {
                    b.setHeader(k, v);
                } catch (IllegalArgumentException restricted) {
                    // Host, Content-Length and the like are the HTTP client's to set.
                }
            });
            HttpClient client = hook.settings().path("rejectUnauthorized").asBoolean(true) ? secureClient() : insecureClient();
            requests.increment();
            response = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                responseBody = in.readNBytes(MAX_RESPONSE_BYTES);
            }
            int status = response.statusCode();
            if (status < 400) {
                finish(hook, e, true, null, responseBody, response);
                return;
            }
            error = "error status " + status + " from " + req.uri().getHost();
            outcome = status >= 500 ? "retry" : "fail";
        } catch (IOException ex) {
            error = ex instanceof java.net.http.HttpTimeoutException ? "timeout" : "connection error: " + ex.getMessage();
            outcome = "retry";
        } catch (IllegalArgumentException ex) {
            error = "bad request: " + ex.getMessage();
            outcome = "fail";
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException ex) {
            log.warn("webhook {} failed unexpectedly", hook.id(), ex);
            error = "internal error";
            outcome = "fail";
        }
        if (outcome.equals("retry") && attempt < settings.attempts()) {
            long delay = settings.backoff().toMillis() << (attempt - 1);
            try {
                // The retry keeps the webhook's slot through the back-off.
                retries.schedule(() -> {
                    if (!submit(() -> attempt(hook, e, attempt + 1))) release(hook);
                }, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // shutting down
            }
            return;
        }
        finish(hook, e, false, error, responseBody, response);
    }

    private static boolean needsVersion(Webhook hook) {
        return hook.settings().toString().contains("PRODUCT_VERSION") || hook.url().contains("PRODUCT_VERSION");
    }

    private void finish(Webhook hook, Event e, boolean ok, String error, byte[] body, HttpResponse<?> response) {
        try {
            report(hook, e, ok, error, body);
        } finally {
            release(hook);
        }
    }

    private void report(Webhook hook, Event e, boolean ok, String error, byte[] body) {
        Tally t = tally(hook);
        t.sent.incrementAndGet();
        WebhookGuard guard = guards.computeIfAbsent(hook.id(), id -> new WebhookGuard());
        String device = e.deviceOwner();
        if (ok) {
            t.succeeded.incrementAndGet();
            guard.succeeded();
            if (device != null) fleet.count(device, FleetMetric.INTEGRATION_SUCCESS, 1);
            publishResponse(hook, e, body == null ? new byte[0] : body);
        } else {
            t.failed.incrementAndGet();
            t.lastError = error;
            t.lastErrorAt = clock.millis();
            failures.increment();
            guard.failed(clock.millis());
            if (device != null) fleet.count(device, FleetMetric.INTEGRATION_ERROR, 1);
            publishError(hook, e, error);
        }
    }

    private void publishResponse(Webhook hook, Event e, byte[] body) {
        ObjectNode ctx = OutboundRequest.context(json, e, null);
        String text = new String(body, StandardCharsets.UTF_8);
        JsonNode template = hook.settings().get("responseTemplate");
        if (template != null && !template.isNull()) {
            ObjectNode vars = ctx.deepCopy();
            try {
                JsonNode parsed = json.readTree(text);
                if (parsed instanceof ObjectNode obj) vars.setAll(obj);
                else if (parsed != null && parsed.isArray()) vars.set("array", parsed);
            } catch (IOException notJson) {
                // the template sees only the event's variables
            }
            text = Template.render(template.isTextual() ? template.textValue() : template.toString(), vars);
        }
        String topic = hook.settings().hasNonNull("responseTopic") ? hook.settings().get("responseTopic").asText()
                : hook.productId() != null ? "{{PARTICLE_DEVICE_ID}}/hook-response/{{PARTICLE_EVENT_NAME}}"
                : "hook-response/{{PARTICLE_EVENT_NAME}}";
        String name = Template.render(topic, ctx);
        List<String> chunks = chunks(text);
        for (int i = 0; i < chunks.size(); i++) publish(hook, e, name + "/" + i, chunks.get(i), true);
    }

    private void publishError(Webhook hook, Event e, String error) {
        ObjectNode ctx = OutboundRequest.context(json, e, null);
        String topic = hook.settings().hasNonNull("errorResponseTopic") ? hook.settings().get("errorResponseTopic").asText()
                : "hook-error/{{PARTICLE_EVENT_NAME}}";
        publish(hook, e, Template.render(topic, ctx) + "/0", error == null ? "error" : error, true);
    }

    /** Into the webhook's scope for its streams, and when {@code toDevice} to the device that published, alone. */
    private void publish(Webhook hook, Event trigger, String name, String data, boolean toDevice) {
        Event e = new Event(name, data, false, Event.DEFAULT_TTL, clock.millis(), INTERNAL, hook.scope(),
                Scope.productOf(hook.scope()), null);
        byte[] wire = codec.encode(e);
        bus.publish(Subjects.events(hook.scope()), wire);
        if (toDevice && trigger.deviceOwner() != null) bus.publish(Subjects.deviceHookEvents(trigger.deviceOwner()), wire);
    }

    /** Splits into pieces of at most 512 bytes of UTF-8, never inside a character; an empty response is one empty piece. */
    static List<String> chunks(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<String> out = new java.util.ArrayList<>();
        int i = 0;
        do {
            int end = Math.min(bytes.length, i + CHUNK_BYTES);
            while (end < bytes.length && end > i && (bytes[end] & 0xC0) == 0x80) end--;
            out.add(new String(bytes, i, end - i, StandardCharsets.UTF_8));
            i = end;
        } while (i < bytes.length);
        return out;
    }

    private Tally tally(Webhook hook) {
        return tallies.computeIfAbsent(hook.id(), id -> new Tally());
    }

    /** Counts of this node not yet written, for a read that must be current. */
    Webhook.Counts pending(String id) {
        Tally t = tallies.get(id);
        if (t == null) return new Webhook.Counts(0, 0, 0, 0, null, null);
        return new Webhook.Counts(t.sent.get(), t.succeeded.get(), t.failed.get(), t.skipped.get(), t.lastError, t.lastErrorAt);
    }

    /** Adds this node's counts to the table. */
    synchronized void flush() {
        for (Map.Entry<String, Tally> en : tallies.entrySet()) {
            Tally t = en.getValue();
            long sent = t.sent.getAndSet(0);
            long ok = t.succeeded.getAndSet(0);
            long failed = t.failed.getAndSet(0);
            long skipped = t.skipped.getAndSet(0);
            String lastError = t.lastError;
            Long lastErrorAt = t.lastErrorAt;
            t.lastError = null;
            t.lastErrorAt = null;
            if (sent == 0 && ok == 0 && failed == 0 && skipped == 0 && lastError == null) continue;
            try {
                repo.add(en.getKey(), sent, ok, failed, skipped, lastError, lastErrorAt);
            } catch (RuntimeException ex) {
                t.sent.addAndGet(sent);
                t.succeeded.addAndGet(ok);
                t.failed.addAndGet(failed);
                t.skipped.addAndGet(skipped);
                throw ex;
            }
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("could not write webhook counts (kept for the next flush): {}", e.toString());
        }
    }

    /** Forgets a deleted webhook's limiter and circuit. */
    void forget(String id) {
        guards.remove(id);
    }

    /** Deliveries waiting for a worker, for tests and metrics. */
    int queued() {
        return workers.getQueue().size();
    }

    @Override
    public void close() {
        retries.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushQuietly();
    }

    private static final class Tally {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong succeeded = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        volatile String lastError;
        volatile Long lastErrorAt;
    }
}
