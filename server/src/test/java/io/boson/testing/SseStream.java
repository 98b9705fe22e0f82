package io.boson.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real SSE reader, parsing Particle's format the way particle-api-js does: an {@code event:}
 * line, a JSON {@code data:} line, a blank line. Comments are counted as keep-alives.
 */
public final class SseStream implements AutoCloseable {

    /** @param id the SSE {@code id:} that came with the event, or null */
    public record Received(String name, JsonNode data, String id) {
    }

    private final BlockingQueue<Received> events = new LinkedBlockingQueue<>();
    private final CountDownLatch opened = new CountDownLatch(1);
    private final HttpClient client = HttpClient.newHttpClient();
    private volatile int status;
    private volatile String contentType;
    private volatile int comments;
    private volatile InputStream body;
    private volatile boolean ended;
    private final Thread reader;

    private volatile String lastEventId;
    private final String resumeFrom;

    private SseStream(URI uri, String token, String lastEventId) {
        this.resumeFrom = lastEventId;
        reader = Thread.ofVirtual().start(() -> read(uri, token));
    }

    /** Opens a stream and waits for the response headers (the server subscribes before it answers). */
    public static SseStream open(String base, String path, String token) {
        return open(base, path, token, null);
    }

    /** Opens a stream that resumes after {@code lastEventId} (sent as the Last-Event-ID header, as EventSource does). */
    public static SseStream open(String base, String path, String token, String lastEventId) {
        SseStream s = new SseStream(URI.create(base + path), token, lastEventId);
        try {
            if (!s.opened.await(10, TimeUnit.SECONDS)) throw new AssertionError("SSE stream did not open: " + path);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return s;
    }

    private void read(URI uri, String token) {
        // Like api-js: no Accept header, only Authorization.
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).GET();
        if (token != null) req.header("Authorization", "Bearer " + token);
        if (resumeFrom != null) req.header("Last-Event-ID", resumeFrom);
        try {
            HttpResponse<InputStream> r = client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            status = r.statusCode();
            contentType = r.headers().firstValue("Content-Type").orElse("");
            body = r.body();
            opened.countDown();
            if (status != 200) return;
            BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            String name = null;
            String id = null;
            StringBuilder data = new StringBuilder();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith(":")) {
                    comments++;
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) data.append('\n');
                    data.append(line.substring(5).trim());
                } else if (line.isEmpty()) {
                    // As EventSource: the last id seen is kept, whether or not this event had one.
                    if (id != null) lastEventId = id;
                    if (name != null && !data.isEmpty()) {
                        events.add(new Received(name, Api.JSON.readTree(data.toString()), id));
                    }
                    name = null;
                    id = null;
                    data.setLength(0);
                }
            }
        } catch (IOException | InterruptedException e) {
            opened.countDown();
        } finally {
            ended = true;
        }
    }

    /** The id of the last event read, as a browser's EventSource keeps it for its reconnect. */
    public String lastEventId() {
        return lastEventId;
    }

    /** Waits for the reader to stop (after {@link #close}), so that what it read is all in the queue. */
    public boolean awaitEnded(Duration timeout) {
        try {
            reader.join(timeout);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return ended;
    }

    /** True once the server has closed the stream (or it failed). */
    public boolean ended() {
        return ended;
    }

    public int status() {
        return status;
    }

    public String contentType() {
        return contentType;
    }

    public int comments() {
        return comments;
    }

    /** The next event, waiting at most {@code timeout}; fails the test when none comes. */
    public Received next(Duration timeout) {
        try {
            Received r = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (r == null) throw new AssertionError("no event within " + timeout);
            return r;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The next event whose name is {@code name}, skipping others (such as spark/status). */
    public Received next(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new AssertionError("no event named " + name + " within " + timeout);
            Received r = next(Duration.ofNanos(left));
            if (r.name().equals(name)) return r;
        }
    }

    /** All events up to and including the first named {@code name}: a barrier for "nothing else came". */
    public java.util.List<Received> upTo(String name, Duration timeout) {
        java.util.List<Received> seen = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new AssertionError("no event named " + name + " within " + timeout + "; saw " + seen);
            Received r = next(Duration.ofNanos(left));
            seen.add(r);
            if (r.name().equals(name)) return seen;
        }
    }

    /** Everything received so far, without waiting. */
    public java.util.List<Received> drain() {
        java.util.List<Received> out = new java.util.ArrayList<>();
        events.drainTo(out);
        return out;
    }

    @Override
    public void close() {
        try {
            if (body != null) body.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        reader.interrupt();
        client.shutdownNow();
    }
}
