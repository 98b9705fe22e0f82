package io.boson.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.boson.device.BosonDevice;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * What webhooks cost the event path (issue 14): the first benchmark's fan-in (N claimed devices,
 * 1 event/s each, into the account's SSE stream) on a server with no webhooks and on one with
 * {@code --hooks} webhooks of the account that all match the event, each calling an endpoint in
 * this process (the JDK's HTTP server on 127.0.0.1, answering 200 at once). Rounds alternate
 * without, with, without, with…, each on a fresh server process. Besides events/s and latency it
 * reports the webhook requests per second the endpoint received, and what the server skipped
 * (per-webhook rate limit) or dropped (queue full). Results: bench/target/webhooks-benchmark.md.
 */
public final class WebhooksBenchmark {

    private static final String HOST = "127.0.0.1";
    private static final String ADMIN_PASSWORD = FirstBenchmark.ADMIN_PASSWORD;

    record Settings(int devices, int hooks, Duration duration, Duration warmup, int rounds, List<String> serverFlags,
                    boolean prefixStream, Path serverJar, Path out) {
        static Settings parse(String[] args) {
            int devices = 200;
            int hooks = 100;
            int duration = 15;
            int warmup = 3;
            int rounds = 2;
            List<String> flags = new ArrayList<>();
            boolean prefixStream = false;
            Path jar = Path.of("server/target/boson.jar");
            Path out = Path.of("bench/target/webhooks-benchmark.md");
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--devices" -> devices = Integer.parseInt(args[++i]);
                    case "--hooks" -> hooks = Integer.parseInt(args[++i]);
                    case "--duration" -> duration = Integer.parseInt(args[++i]);
                    case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    case "--webhook-workers", "--webhook-rate" -> {
                        flags.add(args[i]);
                        flags.add(args[++i]);
                    }
                    case "--prefix-stream" -> prefixStream = true;
                    case "--server-jar" -> jar = Path.of(args[++i]);
                    case "--out" -> out = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("""
                            usage: bench/run webhooks [--devices N] [--hooks H] [--duration S] [--warmup S] [--rounds R]
                                                      [--webhook-workers W] [--webhook-rate PER_SECOND] [--prefix-stream]
                              no webhooks and H webhooks, R rounds each, alternating (defaults: 200 devices, 100 hooks, 15 s, 3 s, 2)""");
                }
            }
            return new Settings(devices, hooks, Duration.ofSeconds(duration), Duration.ofSeconds(warmup), rounds, List.copyOf(flags),
                    prefixStream, jar, out);
        }
    }

    record Run(int hooks, FanIn.Result events, double requestsPerSecond, long sent, long succeeded, long skipped, double dropped) {
    }

    private final Settings settings;
    private final Path java;

    private WebhooksBenchmark(Settings settings) {
        this.settings = settings;
        this.java = ProcessHandle.current().info().command().map(Path::of).orElse(Path.of("java"));
    }

    public static void main(String[] args) throws Exception {
        Launch.main(args, Settings::parse, Settings::serverJar, s -> new WebhooksBenchmark(s).run());
    }

    private void run() throws Exception {
        List<Run> runs = new ArrayList<>();
        once(0, true);
        for (int r = 0; r < settings.rounds(); r++) {
            for (int hooks : new int[] {0, settings.hooks()}) runs.add(once(hooks, false));
        }
        String md = markdown(runs);
        if (settings.out().getParent() != null) Files.createDirectories(settings.out().getParent());
        Files.writeString(settings.out(), md);
        System.out.println(md);
        System.out.println("Results written to " + settings.out().toAbsolutePath());
    }

    private Run once(int hooks, boolean warmupOnly) throws Exception {
        Path dir = Files.createTempDirectory("boson-bench-webhooks-");
        FirstBenchmark.step("%s: Boson with %d webhooks", warmupOnly ? "warm-up round" : "round", hooks);
        LongAdder received = new LongAdder();
        HttpServer endpoint = HttpServer.create(new InetSocketAddress(HOST, 0), 1024);
        ExecutorService endpointThreads = Executors.newFixedThreadPool(8);
        endpoint.setExecutor(endpointThreads);
        byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
        endpoint.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            received.increment();
            ex.sendResponseHeaders(200, ok.length);
            ex.getResponseBody().write(ok);
            ex.close();
        });
        endpoint.start();
        List<String> flags = new ArrayList<>(List.of("--webhook-allow", "127.0.0.0/8"));
        flags.addAll(settings.serverFlags());
        try (BosonServer server = BosonServer.start(java, settings.serverJar(), List.of(), ADMIN_PASSWORD, dir, flags)) {
            HttpClient http = BosonApi.newClient();
            BosonApi api = new BosonApi(http, URI.create("http://" + HOST + ":" + server.httpPort()));
            api.login("admin", ADMIN_PASSWORD);
            String url = "http://" + HOST + ":" + endpoint.getAddress().getPort() + "/hook/";
            for (int i = 0; i < hooks; i++) {
                api.expect(api.jsonRequest("POST", "/v1/webhooks", BosonApi.JSON.writeValueAsBytes(Map.of("event", BosonFleet.EVENT,
                        "url", url + i, "json", Map.of("v", "{{{PARTICLE_EVENT_VALUE}}}", "d", "{{PARTICLE_DEVICE_ID}}"))),
                        Duration.ofSeconds(30)), 201);
            }
            List<BosonApi.Credentials> credentials = api.register(settings.devices());
            try (BosonFleet fleet = BosonFleet.connect(credentials, HOST, server.mqttPort(), 200)) {
                List<BosonDevice> online = fleet.connected();
                api.claimAll(online);
                FanIn fanIn = new FanIn(settings.warmup(), warmupOnly ? Duration.ofSeconds(3) : settings.duration(), Duration.ofSeconds(2));
                FanIn.Result events;
                long before;
                long t0;
                // --prefix-stream: the stream asks for the benchmark's event only, so the server leaves the
                // webhooks' hook-sent and hook-response events out of it.
                String stream = settings.prefixStream() ? "/v1/devices/events/" + BosonFleet.EVENT : "/v1/devices/events";
                try (SseSubscriber sse = SseSubscriber.open(BosonApi.newClient(), api.base().resolve(stream),
                        api.token(), BosonFleet.EVENT, fanIn::arrived)) {
                    before = received.sum();
                    t0 = System.nanoTime();
                    events = fanIn.run(online.stream().map(BosonFleet::publisher).toList(), 1.0, server.pid());
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                double perSecond = (received.sum() - before) / seconds;
                long sent = 0;
                long succeeded = 0;
                long skipped = 0;
                if (hooks > 0) {
                    Thread.sleep(1500); // the server writes webhook counts once a second
                    for (JsonNode h : api.expect(api.get("/v1/webhooks"), 200)) {
                        sent += h.get("counters").get("sent").asLong();
                        succeeded += h.get("counters").get("succeeded").asLong();
                        skipped += h.get("counters").get("skipped").asLong();
                    }
                }
                double dropped = api.metric("boson_webhook_dropped_total");
                FirstBenchmark.step("events %.0f/s p50 %.2f ms p99 %.2f ms; webhook requests %.0f/s; sent %d, ok %d, skipped %d, dropped %.0f",
                        events.deliveredPerSecond(), events.latency().percentileMs(50), events.latency().percentileMs(99), perSecond,
                        sent, succeeded, skipped, dropped);
                return new Run(hooks, events, perSecond, sent, succeeded, skipped, dropped);
            }
        } finally {
            endpoint.stop(0);
            endpointThreads.shutdownNow();
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private String markdown(List<Run> runs) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "## Webhooks: none vs %d (%d devices × 1 event/s, %d s per phase, %d rounds each; server flags %s; stream %s)%n%n",
                settings.hooks(), settings.devices(), settings.duration().toSeconds(), settings.rounds(), settings.serverFlags(),
                settings.prefixStream() ? "of the benchmark's event only" : "of every event of the account"));
        md.append("| round | webhooks | events delivered/s | event p50 ms | event p99 ms | server cores | webhook requests/s received | deliveries sent | succeeded | skipped (rate limit) | dropped (queue full) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        int i = 0;
        for (Run r : runs) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %.0f | %.2f | %.2f | %.2f | %.0f | %d | %d | %d | %.0f |%n", i++ / 2 + 1, r.hooks(),
                    r.events().deliveredPerSecond(), r.events().latency().percentileMs(50), r.events().latency().percentileMs(99),
                    r.events().serverCores(), r.requestsPerSecond(), r.sent(), r.succeeded(), r.skipped(), r.dropped()));
        }
        double offEvents = mean(runs, false, r -> r.events().deliveredPerSecond());
        double onEvents = mean(runs, true, r -> r.events().deliveredPerSecond());
        double offP99 = mean(runs, false, r -> r.events().latency().percentileMs(99));
        double onP99 = mean(runs, true, r -> r.events().latency().percentileMs(99));
        double requests = mean(runs, true, Run::requestsPerSecond);
        md.append(String.format(Locale.ROOT, "%nMeans over the rounds: events %.0f/s without webhooks, %.0f/s with (%+.1f %%), event p99 %.2f → %.2f ms; "
                + "webhook requests received %.0f/s.%n", offEvents, onEvents, (onEvents / offEvents - 1) * 100, offP99, onP99, requests));
        return md.toString();
    }

    private static double mean(List<Run> runs, boolean withHooks, java.util.function.ToDoubleFunction<Run> f) {
        return runs.stream().filter(r -> (r.hooks() > 0) == withHooks).mapToDouble(f).average().orElse(Double.NaN);
    }
}
