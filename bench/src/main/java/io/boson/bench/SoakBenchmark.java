package io.boson.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The soak (issue 13, point 8): one Boson node (its own JVM, embedded H2) holding N connected devices
 * that publish events at a steady aggregate rate (each device in turn, so each publishes rate / N per
 * second: Particle's limit is 1 per second on average), while the benchmark sends API requests at a
 * fixed rate (open loop) and an SSE stream of the product's events counts what reaches it. Every
 * minute: live heap after a full GC, RSS, the server's CPU, events sent and acknowledged, events
 * streamed, API requests and errors with their latencies. Results: bench/target/soak-benchmark.md.
 *
 * <p>The API mix, per request: 40% function calls (product route) on the call devices, 40% one product
 * device's details, 10% a page of the product's device list, 10% an event published through the API.
 */
public final class SoakBenchmark {

    record Options(int devices, double eventRate, int apiRate, int minutes, int warmup, int callDevices, String heap, boolean sse,
                   Path serverJar) {
        static Options parse(String[] args) {
            int devices = 19_000;
            double eventRate = -1;
            int apiRate = 1_000;
            int minutes = 10;
            int warmup = 60;
            int callDevices = 50;
            String heap = "2g";
            boolean sse = true;
            Path jar = Path.of("server/target/boson.jar");
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--devices" -> devices = Integer.parseInt(args[++i]);
                    case "--event-rate" -> eventRate = Double.parseDouble(args[++i]);
                    case "--api-rate" -> apiRate = Integer.parseInt(args[++i]);
                    case "--minutes" -> minutes = Integer.parseInt(args[++i]);
                    case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                    case "--call-devices" -> callDevices = Integer.parseInt(args[++i]);
                    case "--heap" -> heap = args[++i];
                    case "--no-sse" -> sse = false;
                    case "--server-jar" -> jar = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("usage: soak [--devices 19000] [--event-rate R (default: one "
                            + "per device per second)] [--api-rate 1000] [--minutes 10] [--warmup 60] [--call-devices 50] [--heap 2g] [--no-sse] "
                            + "[--server-jar P]");
                }
            }
            return new Options(devices, eventRate < 0 ? devices : eventRate, apiRate, minutes, warmup, callDevices, heap, sse, jar);
        }
    }

    public static void main(String[] args) throws Exception {
        Launch.main(args, Options::parse, Options::serverJar, SoakBenchmark::run);
    }

    /** What the API load saw in one minute. */
    private static final class ApiWindow {
        final Samples latency = new Samples();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong late = new AtomicLong();
        /** Requests not sent because IN_FLIGHT were already waiting (counted as errors too). */
        final AtomicLong overflow = new AtomicLong();
    }

    /** API requests open at once, at most. */
    static final int IN_FLIGHT = 256;

    static void run(Options o) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Path dir = Files.createTempDirectory("boson-bench-soak-");
        Path creds = dir.resolve("credentials.txt");
        int n = o.devices();
        int callN = o.callDevices();
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "# Soak benchmark%n%nMachine: %d cores, load average at start %s. "
                        + "%,d devices publishing %,.0f events/s in all (each device %.2f/s), %,d API requests/s, an SSE stream "
                        + "%s, %d minutes after a %d s warm-up at the same load; server `java -Xmx%s -jar boson.jar serve` (embedded H2, fresh "
                        + "data directory); at most %d API requests open at once.%n%n",
                Runtime.getRuntime().availableProcessors(), ScaleBenchmark.loadAverage(), n, o.eventRate(), o.eventRate() / n,
                o.apiRate(), o.sse() ? "of the product's events" : "(none: --no-sse)", o.minutes(), o.warmup(), o.heap(), IN_FLIGHT));
        List<String> rows = new ArrayList<>();
        long totalApi = 0, totalApiErrors = 0, totalLate = 0, totalOverflow = 0;
        Map<String, Double> end;
        long streamed;
        Map<String, Double> serverCounts = new java.util.LinkedHashMap<>();
        String sseFailure = null;
        Path gcLog = dir.resolve("gc.log");
        try (BosonServer server = BosonServer.start(java, o.serverJar(), List.of("-Xmx" + o.heap(), "-Xlog:gc:file=" + gcLog),
                ScaleBenchmark.PASSWORD,
                dir.resolve("boson"))) {
            HttpClient http = BosonApi.newClient();
            BosonApi api = new BosonApi(http, URI.create("http://" + ScaleBenchmark.HOST + ":" + server.httpPort()));
            api.login("admin", ScaleBenchmark.PASSWORD);
            long product = ScaleBenchmark.setUp(api, callN + n, creds);
            List<LightFleet.Credentials> callCreds = ScaleBenchmark.read(creds, 0, callN);
            List<String> allIds = ScaleBenchmark.read(creds, 0, callN + n).stream().map(LightFleet.Credentials::id).toList();
            try (LightFleet callFleet = new LightFleet(callCreds, List.of(new InetSocketAddress(ScaleBenchmark.HOST, server.mqttPort())),
                    1, 600, product)) {
                callFleet.connectAll(callN);
                if (callFleet.connected.get() != callN) throw new IllegalStateException("call devices connected: " + callFleet.connected);
                List<LoadProcess> generators = ScaleSingleNode.generators(java, creds, callN, n, List.of(ScaleBenchmark.HOST + ":" + server.mqttPort()), product, dir, "soak");
                AtomicLong received = new AtomicLong();
                SseSubscriber sse = null;
                try {
                    Map<String, Double> c = LoadProcess.sum(LoadProcess.all(generators, "connect " + ScaleSingleNode.IN_FLIGHT));
                    ScaleBenchmark.log("soak: connected %s", c);
                    if (c.get("ok") < n) throw new IllegalStateException("devices connected: " + c);
                    if (o.sse()) {
                        sse = SseSubscriber.open(http, URI.create(api.base() + "/v1/products/" + product + "/events/" + LightFleet.EVENT),
                                api.token(), LightFleet.EVENT, (data, at) -> received.incrementAndGet());
                    }
                    ClassHistogram h0 = ClassHistogram.of(jcmd, server.pid());
                    ScaleBenchmark.Memory start = ScaleBenchmark.Memory.of(jcmd, server.pid());
                    rows.add(row("0 (connected, before load)", start, 0, 0, 0, 0, 0, 0, null, 0, 0) + " " + ProcessStats.openFiles(server.pid()) + " |");
                    // Each generator publishes its share of the rate for the whole soak, in the background.
                    // A warm-up at the full load first (not recorded): the JIT and the caches settle.
                    int seconds = o.warmup() + o.minutes() * 60;
                    for (LoadProcess g : generators) {
                        g.command(String.format(Locale.ROOT, "start-publish %.3f %d soak", o.eventRate() * g.devices() / n, seconds));
                    }
                    AtomicReference<ApiWindow> window = new AtomicReference<>(new ApiWindow());
                    List<HttpRequest> calls = new ArrayList<>();
                    for (LightFleet.Credentials cc : callCreds) {
                        calls.add(api.jsonRequest("POST", "/v1/products/" + product + "/devices/" + cc.id() + "/led",
                                "{\"args\":\"on\"}".getBytes(), Duration.ofSeconds(30)));
                    }
                    HttpRequest publish = api.jsonRequest("POST", "/v1/products/" + product + "/events",
                            "{\"name\":\"soak-api\",\"data\":\"x\"}".getBytes(), Duration.ofSeconds(30));
                    Thread load = Thread.ofPlatform().name("api-load").start(() -> apiLoad(http, api, product, calls, publish, allIds,
                            o.apiRate(), seconds, window));
                    Thread.sleep(o.warmup() * 1000L);
                    ApiWindow warm = window.getAndSet(new ApiWindow());
                    ScaleBenchmark.log("soak: warm-up done: %d API answers, %d errors, %d not sent", warm.latency.summary().count(),
                            warm.errors.get(), warm.overflow.get());
                    Map<String, Double> s0 = LoadProcess.sum(LoadProcess.all(generators, "stats"));
                    long cpu0 = ProcessStats.cpuNanos(server.pid());
                    long load0 = loadCpu(generators);
                    long wall0 = System.nanoTime();
                    final long soakStart = wall0;
                    long sent0 = s0.get("sent").longValue(), acked0 = s0.get("acked").longValue(), streamed0 = received.get();
                    long sentAtStart = sent0, ackedAtStart = acked0, streamedAtStart = streamed0;
                    int gcLines = GcLog.lines(gcLog);
                    for (int minute = 1; minute <= o.minutes(); minute++) {
                        FanIn.sleepUntil(soakStart + minute * 60_000_000_000L);
                        ApiWindow w = window.getAndSet(new ApiWindow());
                        long cpu1 = ProcessStats.cpuNanos(server.pid());
                        long load1 = loadCpu(generators);
                        long wall1 = System.nanoTime();
                        Map<String, Double> s = LoadProcess.sum(LoadProcess.all(generators, "stats"));
                        long sent = s.get("sent").longValue(), acked = s.get("acked").longValue(), str = received.get();
                        // Not a forced full GC (its pause, every minute, would be the soak's worst latency): the
                        // lowest heap the server's own collections left this minute, from its GC log.
                        long[] gc = GcLog.lowestAfter(gcLog, gcLines);
                        gcLines = (int) gc[2];
                        ScaleBenchmark.Memory m = new ScaleBenchmark.Memory(gc[0], gc[1], ProcessStats.rssKiB(server.pid()));
                        Samples.Summary sum = w.latency.summary();
                        double secs = (wall1 - wall0) / 1e9;
                        rows.add(row(Integer.toString(minute), m, (cpu1 - cpu0) / 1e9 / secs, (load1 - load0) / 1e9 / secs,
                                (sent - sent0) / secs, (acked - acked0) / secs, (str - streamed0) / secs, sum.count() / secs, sum,
                                w.errors.get() + w.overflow.get(), s.get("connected").longValue()) + " " + ProcessStats.openFiles(server.pid()) + " |");
                        totalApi += sum.count();
                        totalApiErrors += w.errors.get() + w.overflow.get();
                        totalOverflow += w.overflow.get();
                        totalLate += w.late.get();
                        ScaleBenchmark.log("soak minute %d: %s | load %s", minute, rows.get(rows.size() - 1), ScaleBenchmark.loadAverage());
                        if (minute == o.minutes()) {
                            ScaleBenchmark.log("soak: heap growth since the start (bytes, instances):%n%s",
                                    ClassHistogram.of(jcmd, server.pid()).growthSince(h0, 1, 10));
                        }
                        cpu0 = cpu1;
                        load0 = load1;
                        wall0 = wall1;
                        sent0 = sent;
                        acked0 = acked;
                        streamed0 = str;
                    }
                    load.join(60_000);
                    Thread.sleep(5_000); // the last acknowledgements and stream frames
                    rows.add(row("after (load stopped, full GC)", ScaleBenchmark.Memory.of(jcmd, server.pid()), 0, 0, 0, 0, 0, 0, null, 0, 0)
                            + " " + ProcessStats.openFiles(server.pid()) + " |");
                    end = LoadProcess.sum(LoadProcess.all(generators, "stats"));
                    for (String metric : List.of("boson_events_in_total", "boson_events_rate_limited_total",
                            "boson_events_history_dropped_total", "boson_events_history_queued")) {
                        serverCounts.put(metric, api.metric(metric));
                    }
                    end.put("sent", end.get("sent") - sentAtStart);
                    end.put("acked", end.get("acked") - ackedAtStart);
                    streamed = received.get() - streamedAtStart;
                    if (sse != null && sse.failure() != null) sseFailure = sse.failure().toString();
                } finally {
                    if (sse != null) sse.close();
                    for (LoadProcess g : generators) g.close();
                }
            }
        }
        md.append("Heap: the first and last rows after a forced full GC (`jcmd GC.run`); each minute's row is the lowest heap "
                + "the server's own collections left in that minute (its GC log), so that the measurement adds no pause.\n\n");
        md.append("| minute | heap after GC | heap committed | RSS | server CPU (cores) | load generation CPU (cores) "
                + "| events sent/s | acked/s | streamed/s | API answers/s | API p50 ms | p99 ms | max ms | API errors | devices connected "
                + "| server open files |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String r : rows) md.append(r).append('\n');
        long sent = end.get("sent").longValue(), acked = end.get("acked").longValue();
        md.append(String.format(Locale.ROOT, "%nEvents: %,d sent, %,d acknowledged (%,d unacknowledged), %,d streamed to SSE%s; "
                        + "publishes that found their device unwritable: %,.0f. Devices: %,.0f connected at the end, %,.0f unexpected "
                        + "disconnects, %,.0f refused, %,.0f failed connects. API: %,d answered, %,d errors (of which %,d not sent because "
                        + "%d requests were already waiting), %,d started over 100 ms late (the load generator fell behind). "
                        + "Load average at the end: %s.%n",
                sent, acked, sent - acked, streamed, sseFailure == null ? "" : " (the stream failed: " + sseFailure + ")",
                end.get("skipped"), end.get("connected"), end.get("unexpected"), end.get("refusals"), end.get("failed"),
                totalApi, totalApiErrors, totalOverflow, IN_FLIGHT, totalLate, ScaleBenchmark.loadAverage()));
        md.append(String.format(Locale.ROOT, "Server counts at the end (since it started, warm-up included; `/metrics`): %s.%n", serverCounts));
        Path out = Path.of("bench/target/soak-benchmark.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md);
        System.out.println(md);
    }

    /** CPU time of the load: the generator processes and this one (API requests, SSE parsing). */
    private static long loadCpu(List<LoadProcess> generators) {
        long sum = ProcessStats.cpuNanos(ProcessHandle.current().pid());
        for (LoadProcess g : generators) sum += ProcessStats.cpuNanos(g.pid());
        return sum;
    }

    private static String row(String minute, ScaleBenchmark.Memory m, double cores, double loadCores, double sent, double acked, double streamed,
                              double api, Samples.Summary s, long errors, long connected) {
        String lat = s == null || s.count() == 0 ? "– | – | –" : String.format(Locale.ROOT, "%.1f | %.1f | %.1f",
                s.percentileMs(50), s.percentileMs(99), s.maxMs());
        return String.format(Locale.ROOT, "| %s | %.1f MiB | %.1f MiB | %.1f MiB | %.2f | %.2f | %,.0f | %,.0f | %,.0f | %,.0f | %s | %d | %s |",
                minute, m.heapUsedKiB() / 1024.0, m.heapCommittedKiB() / 1024.0, m.rssKiB() / 1024.0, cores, loadCores, sent, acked, streamed,
                api, lat, errors, connected == 0 ? "–" : String.format(Locale.ROOT, "%,d", connected));
    }

    /** Open loop: one request every 1/rate s whatever the answers do; each answer lands in the window current when it arrives. */
    private static void apiLoad(HttpClient http, BosonApi api, long product, List<HttpRequest> calls, HttpRequest publish,
                                List<String> ids, int rate, int seconds, AtomicReference<ApiWindow> window) {
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(IN_FLIGHT);
        long interval = 1_000_000_000L / rate;
        long count = (long) rate * seconds;
        long begin = System.nanoTime();
        for (long i = 0; i < count; i++) {
            long due = begin + i * interval;
            try {
                FanIn.sleepUntil(due);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (System.nanoTime() - due > 100_000_000L) window.get().late.incrementAndGet();
            int pick = (int) (i % 10);
            HttpRequest req;
            int expected = 200;
            if (pick < 4) {
                req = calls.get((int) (i % calls.size()));
            } else if (pick < 8) {
                req = api.get("/v1/products/" + product + "/devices/" + ids.get(ThreadLocalRandom.current().nextInt(ids.size())));
            } else if (pick == 8) {
                req = api.get("/v1/products/" + product + "/devices?perPage=25&page=" + (1 + ThreadLocalRandom.current().nextInt(ids.size() / 25)));
            } else {
                req = publish;
            }
            // At most IN_FLIGHT requests open at once: the server holds one file per device already, and a
            // client that opened a connection per waiting request would run it out of files (20,000 here).
            if (!inFlight.tryAcquire()) {
                window.get().overflow.incrementAndGet();
                continue;
            }
            long t0 = System.nanoTime();
            http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((res, err) -> {
                inFlight.release();
                ApiWindow w = window.get();
                if (err != null || res.statusCode() != expected) {
                    long e = w.errors.incrementAndGet();
                    if (e <= 5) System.err.printf("soak: API error %s %s: %s%n", req.method(), req.uri().getPath(),
                            err != null ? err.toString() : res.statusCode() + " " + new String(res.body()));
                } else {
                    w.latency.add(System.nanoTime() - t0);
                }
            });
        }
    }

    private SoakBenchmark() {
    }
}
