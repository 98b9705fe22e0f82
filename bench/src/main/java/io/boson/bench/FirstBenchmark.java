package io.boson.bench;

import io.boson.device.BosonDevice;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The first Boson benchmark (docs/benchmarks.md): for each fleet size N,
 * <ol>
 *   <li><b>event fan-in</b>: N devices each publish one QoS 1 event per second into one SSE stream
 *       ({@code GET /v1/devices/events}); delivered events/s and publish-to-receipt latency;</li>
 *   <li><b>function calls</b>: C concurrent callers {@code POST /v1/devices/:id/led}, each waiting for
 *       the device's answer; calls/s and latency;</li>
 *   <li><b>memory per connected device</b>: the server's heap after a full GC and its RSS with 0 and
 *       with N devices connected;</li>
 * </ol>
 * and the same message patterns through Mosquitto, in the same run, as the baseline.
 *
 * <p>Boson runs as its own JVM from the shipped jar (a fresh H2 data directory per N), so its memory
 * numbers hold the server alone; the devices, the SSE reader and the callers all run here, in the
 * driver JVM, which therefore shares the machine's cores with the server under test.
 */
public final class FirstBenchmark {

    static final String ADMIN_PASSWORD = "bench-password-1";
    private static final int WARMUP_DEVICES = 10;
    private static final Duration WARMUP_CALLS = Duration.ofSeconds(5);
    /** The first server of a run also warms up this JVM's HTTP client and MQTT clients: before it did,
     *  the first N measured ~40 % fewer calls/s than the same N measured again (2 cores, shared). */
    private static final Duration FIRST_WARMUP_CALLS = Duration.ofSeconds(15);
    private static final String HOST = "127.0.0.1";

    private final Options options;
    private final Path java;
    private final Path jcmd;
    private boolean driverWarm;

    private FirstBenchmark(Options options) {
        this.options = options;
        this.java = ProcessHandle.current().info().command().map(Path::of).orElse(Path.of("java"));
        Path j = java.resolveSibling("jcmd");
        this.jcmd = Files.isExecutable(j) ? j : null;
    }

    public static void main(String[] args) throws Exception {
        Launch.main(args, Options::parse, Options::serverJar, options -> new FirstBenchmark(options).run());
    }

    private void run() throws Exception {
        Report report = new Report(options, Report.Environment.probe(java, options));
        System.out.println(report.header());
        for (int n : options.devices()) {
            System.out.printf("== N = %d devices ==%n", n);
            Report.BosonRun boson = runBoson(n);
            Report.MosquittoRun mosquitto = options.skipMosquitto() ? null : runMosquitto(n);
            report.add(n, boson, mosquitto);
            System.out.println();
            System.out.println(report.section(n, boson, mosquitto));
        }
        String markdown = report.markdown();
        Path out = options.out();
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        Files.writeString(out, markdown);
        System.out.println(report.summary());
        System.out.println("Results written to " + out.toAbsolutePath());
    }

    // --- Boson -------------------------------------------------------------------------------

    private Report.BosonRun runBoson(int n) throws Exception {
        Path dir = Files.createTempDirectory("boson-bench-");
        boolean ok = false;
        step("starting Boson (java -jar %s serve) in %s", options.serverJar(), dir);
        try (BosonServer server = BosonServer.start(java, options.serverJar(), options.serverJvmOptions(), ADMIN_PASSWORD, dir)) {
            HttpClient http = BosonApi.newClient();
            BosonApi api = new BosonApi(http, URI.create("http://" + HOST + ":" + server.httpPort()));
            api.login("admin", ADMIN_PASSWORD);
            List<BosonApi.Credentials> warm = api.register(WARMUP_DEVICES);
            List<BosonApi.Credentials> credentials = api.register(n);
            step("registered %d devices; warming up the server with %d others", n, WARMUP_DEVICES);
            warmUp(server, api, warm);

            Report.Memory idle = serverMemory(server, true, 2);
            step("server with 0 devices connected: %s", idle);
            step("connecting %d devices at %d/s", n, options.connectRate());
            try (BosonFleet fleet = BosonFleet.connect(credentials, HOST, server.mqttPort(), options.connectRate())) {
                List<BosonDevice> online = fleet.connected();
                step("%d connected in %.1f s (%d failed%s)", online.size(), fleet.connectSeconds(),
                        fleet.connectFailures().size(), firstFailure(fleet.connectFailures()));
                if (online.isEmpty()) throw new IllegalStateException("no device connected; see " + server.log());
                claimAll(api, online);
                Report.Memory loaded = serverMemory(server, false, 2);
                step("server with %d devices connected: %s", online.size(), loaded);

                FanIn fanIn = new FanIn(options.warmup(), options.duration(), options.drain(), options.streams());
                FanIn.Result events;
                RoundTrips.Result calls;
                long frames = 0;
                List<SseSubscriber> streams = new ArrayList<>();
                try {
                    HttpClient sseClient = BosonApi.newClient();
                    for (int s = 0; s < options.streams(); s++) {
                        streams.add(SseSubscriber.open(sseClient, api.base().resolve("/v1/devices/events"), api.token(),
                                BosonFleet.EVENT, fanIn::arrived));
                    }
                    step("fan-in: %d devices x %.1f event/s -> %d SSE stream(s), %ds (+%ds warm-up)", online.size(),
                            options.rate(), options.streams(), options.duration().toSeconds(), options.warmup().toSeconds());
                    profileStart(server, "fanin");
                    events = fanIn.run(online.stream().map(BosonFleet::publisher).toList(), options.rate(), server.pid());
                    profileStop(server, "fanin", n);
                    for (SseSubscriber sse : streams) {
                        frames += sse.frames();
                        if (sse.failure() != null) step("an SSE stream failed: %s", sse.failure());
                    }
                } finally {
                    for (SseSubscriber sse : streams) sse.close();
                }
                step("function calls: %d concurrent callers, %ds (+%ds warm-up)", options.concurrency(),
                        options.duration().toSeconds(), options.warmup().toSeconds());
                List<RoundTrips.Caller> callers = callers(api, online);
                profileStart(server, "calls");
                calls = RoundTrips.run(callers, online.size(), options.warmup(), options.duration(), server.pid());
                profileStop(server, "calls", n);
                histogram(server, n);
                Report.Memory after = serverMemory(server, false, 1);
                ok = true;
                return new Report.BosonRun(n, online.size(), fleet.connectSeconds(), fleet.connectFailures().size(),
                        idle, loaded, after, events, calls, frames, warnings(server.log()));
            }
        } finally {
            if (ok) deleteRecursively(dir);
            else System.out.println("   (server data and log kept in " + dir + ")");
        }
    }

    /** Exercises every path (connect, claim, events to SSE, a few seconds of calls) before the memory
     *  baseline, so that class loading and the first JIT work are neither counted as the cost of the
     *  devices connected later nor slow down the first measured seconds. */
    private void warmUp(BosonServer server, BosonApi api, List<BosonApi.Credentials> warm) throws Exception {
        try (BosonFleet fleet = BosonFleet.connect(warm, HOST, server.mqttPort(), options.connectRate())) {
            List<BosonDevice> online = fleet.connected();
            claimAll(api, online);
            try (SseSubscriber ignored = SseSubscriber.open(BosonApi.newClient(), api.base().resolve("/v1/devices/events"),
                    api.token(), BosonFleet.EVENT, (data, at) -> { })) {
                for (int round = 0; round < 3; round++) {
                    for (BosonDevice d : online) d.publish(BosonFleet.EVENT, "0").get();
                }
            }
            Duration calls = driverWarm ? WARMUP_CALLS : FIRST_WARMUP_CALLS;
            step("warm-up: %d s of calls", calls.toSeconds());
            RoundTrips.run(callers(api, online), online.size(), Duration.ZERO, calls, server.pid());
            driverWarm = true;
        }
    }

    private List<RoundTrips.Caller> callers(BosonApi api, List<BosonDevice> devices) throws IOException {
        return api.functionCallers(devices, options.concurrency());
    }

    private void claimAll(BosonApi api, List<BosonDevice> devices) throws Exception {
        api.claimAll(devices);
    }

    /** RSS and heap after a full GC of the server: the lower of {@code readings} readings a second apart,
     *  because the odd reading catches a transient (an H2 page-cache fill, a batch in flight) of a few MiB.
     *  The first call also starts the JVM's attach listener, whose thread would otherwise be counted as
     *  the devices' cost. */
    private Report.Memory serverMemory(BosonServer server, boolean first, int readings) throws Exception {
        if (jcmd == null) return new Report.Memory(ProcessStats.rssKiB(server.pid()), -1, -1);
        if (first) ProcessStats.heapAfterGcKiB(jcmd, server.pid());
        Report.Memory best = null;
        for (int i = 0; i < readings; i++) {
            Thread.sleep(i == 0 ? 500 : 1000);
            long[] heap = ProcessStats.heapAfterGcKiB(jcmd, server.pid());
            Thread.sleep(300);
            Report.Memory m = new Report.Memory(ProcessStats.rssKiB(server.pid()), heap[0], heap[1]);
            if (best == null || m.heapUsedKiB() < best.heapUsedKiB()) best = m;
        }
        return best;
    }

    private void profileStart(BosonServer server, String phase) throws Exception {
        if (options.profile() == null || jcmd == null) return;
        ProcessStats.run(jcmd.toString(), Long.toString(server.pid()), "JFR.start", "name=bench-" + phase, "settings=profile");
    }

    private void profileStop(BosonServer server, String phase, int n) throws Exception {
        if (options.profile() == null || jcmd == null) return;
        Files.createDirectories(options.profile());
        Path file = options.profile().toAbsolutePath().resolve("boson-n" + n + "-" + phase + ".jfr");
        ProcessStats.run(jcmd.toString(), Long.toString(server.pid()), "JFR.stop", "name=bench-" + phase,
                "filename=" + file);
        step("JFR profile of the server: %s", file);
    }

    /** With --profile: the server's class histogram right after the call phase (what the calls left behind). */
    private void histogram(BosonServer server, int n) throws Exception {
        if (options.profile() == null || jcmd == null) return;
        Path file = options.profile().toAbsolutePath().resolve("boson-n" + n + "-after-calls.histo.txt");
        Files.writeString(file, ProcessStats.run(jcmd.toString(), Long.toString(server.pid()), "GC.class_histogram"));
        step("class histogram after the calls: %s", file);
    }

    private static int warnings(Path log) {
        try (Stream<String> lines = Files.lines(log)) {
            return (int) lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    // --- Mosquitto ---------------------------------------------------------------------------

    private Report.MosquittoRun runMosquitto(int n) throws Exception {
        if (!options.privateMosquitto()) {
            return runMosquitto(n, options.mosquittoHost(), options.mosquittoPort(), options.mosquittoPid());
        }
        Path dir = Files.createTempDirectory("boson-bench-mosquitto-");
        boolean ok = false;
        try (MosquittoBroker broker = MosquittoBroker.start(options.mosquittoBinary(), dir)) {
            step("started a private Mosquitto (set_tcp_nodelay true) on port %d", broker.port());
            Report.MosquittoRun run = runMosquitto(n, HOST, broker.port(), broker.pid());
            ok = true;
            return run;
        } finally {
            if (ok) deleteRecursively(dir);
            else System.out.println("   (Mosquitto config and log kept in " + dir + ")");
        }
    }

    private Report.MosquittoRun runMosquitto(int n, String host, int port, long pid) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Thread.sleep(500);
        long rssIdle = pid > 0 ? ProcessStats.rssKiB(pid) : -1;
        step("Mosquitto %s:%d: connecting %d clients at %d/s", host, port, n, options.connectRate());
        try (MosquittoFleet fleet = MosquittoFleet.connect(host, port, run, n, options.connectRate())) {
            int connected = fleet.connectedCount();
            step("%d connected in %.1f s (%d failed%s)", connected, fleet.connectSeconds(),
                    fleet.connectFailures().size(), firstFailure(fleet.connectFailures()));
            Thread.sleep(1000);
            long rssLoaded = pid > 0 ? ProcessStats.rssKiB(pid) : -1;
            step("broker RSS: %d KiB with 0 clients, %d KiB with %d", rssIdle, rssLoaded, connected);
            FanIn fanIn = new FanIn(options.warmup(), options.duration(), options.drain(), options.streams());
            for (int s = 0; s < options.streams(); s++) fleet.subscribeAll(fanIn::arrived, s);
            step("fan-in: %d clients x %.1f msg/s -> %d MQTT subscriber(s), %ds (+%ds warm-up)", n, options.rate(),
                    options.streams(), options.duration().toSeconds(), options.warmup().toSeconds());
            List<FanIn.Publisher> publishers = new ArrayList<>();
            for (int i = 0; i < n; i++) publishers.add(fleet.publisher(i));
            FanIn.Result events = fanIn.run(publishers, options.rate(), pid);
            step("request/response: %d concurrent callers, %ds (+%ds warm-up)", options.concurrency(),
                    options.duration().toSeconds(), options.warmup().toSeconds());
            List<RoundTrips.Caller> callers = new ArrayList<>();
            for (int c = 0; c < options.concurrency(); c++) callers.add(fleet.caller(c));
            RoundTrips.Result calls = RoundTrips.run(callers, n, options.warmup(), options.duration(), pid);
            return new Report.MosquittoRun(n, connected, fleet.connectSeconds(), fleet.connectFailures().size(),
                    rssIdle, rssLoaded, events, calls);
        }
    }

    // --- helpers -----------------------------------------------------------------------------

    private static String firstFailure(List<Throwable> failures) {
        return failures.isEmpty() ? "" : "; first: " + failures.get(0);
    }

    static void step(String format, Object... args) {
        System.out.printf("   " + format + "%n", args);
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
