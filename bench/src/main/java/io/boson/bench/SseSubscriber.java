package io.boson.bench;

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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjLongConsumer;

/**
 * One Particle-style SSE stream ({@code GET /v1/devices/events}) read by a real HTTP client and
 * parsed line by line: {@code event: NAME}, then {@code data: {"data":…,…}}, then a blank line. The
 * receipt time is taken when the {@code data:} line has been read, before any JSON parsing.
 */
final class SseSubscriber implements AutoCloseable {

    private final InputStream body;
    private final Thread reader;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private volatile Throwable failure;

    private SseSubscriber(InputStream body, String eventName, ObjLongConsumer<String> onEvent, CountDownLatch opened) {
        this.body = body;
        this.reader = Thread.ofPlatform().name("bench-sse").daemon(true).start(() -> read(eventName, onEvent, opened));
    }

    /** Opens the stream and returns once the server's {@code :ok} line has arrived, so nothing later is missed. */
    static SseSubscriber open(HttpClient http, URI uri, String token, String eventName, ObjLongConsumer<String> onEvent)
            throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream").GET().build();
        HttpResponse<InputStream> res = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        if (res.statusCode() != 200) {
            String text = new String(res.body().readAllBytes(), StandardCharsets.UTF_8);
            throw new IOException("GET " + uri + " -> " + res.statusCode() + ": " + text);
        }
        CountDownLatch opened = new CountDownLatch(1);
        SseSubscriber s = new SseSubscriber(res.body(), eventName, onEvent, opened);
        if (!opened.await(Duration.ofSeconds(15).toMillis(), TimeUnit.MILLISECONDS)) {
            s.close();
            throw new IOException("the event stream sent no :ok line");
        }
        return s;
    }

    private void read(String eventName, ObjLongConsumer<String> onEvent, CountDownLatch opened) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 64 * 1024)) {
            String event = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isEmpty()) {
                    event = null;
                } else if (line.startsWith(":")) {
                    opened.countDown();
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    long received = System.nanoTime();
                    frames.incrementAndGet();
                    if (eventName.equals(event)) {
                        JsonNode data = BosonApi.JSON.readTree(line.substring(5).trim()).get("data");
                        if (data == null) malformed.incrementAndGet();
                        else onEvent.accept(data.asText(), received);
                    }
                }
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            opened.countDown();
        }
    }

    /** Frames ({@code data:} lines) of any event name read so far. */
    long frames() {
        return frames.get();
    }

    long malformed() {
        return malformed.get();
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // closing a cancelled stream may complain; it is closed either way
        }
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
