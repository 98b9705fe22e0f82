package io.boson.bench;

import io.boson.device.BosonDevice;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What metering costs (issue 9): the first benchmark's event fan-in (N devices, 1 event/s each, into
 * one SSE stream) and function calls (C concurrent callers), against a server with usage metering on
 * and the same server with {@code --no-metering}, in the same run. Rounds alternate off, on, off, on…
 * so that drift of the shared machine falls on both sides; each round is a fresh server process.
 */
public final class UsageBenchmark {

    private static final String HOST = "127.0.0.1";
    private static final String ADMIN_PASSWORD = FirstBenchmark.ADMIN_PASSWORD;

    record Settings(int devices, Duration duration, Duration warmup, int concurrency, int rounds, boolean meterOnly, Path serverJar,
                    Path out) {
        static Settings parse(String[] args) {
            int devices = 500;
            int duration = 15;
            int warmup = 3;
            int concurrency = 16;
            int rounds = 2;
            boolean meterOnly = false;
            Path jar = Path.of("server/target/boson.jar");
            Path out = Path.of("bench/target/usage-benchmark.md");
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--devices" -> devices = Integer.parseInt(args[++i]);
                    case "--duration" -> duration = Integer.parseInt(args[++i]);
                    case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                    case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    case "--meter-only" -> meterOnly = true;
                    case "--server-jar" -> jar = Path.of(args[++i]);
                    case "--out" -> out = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("""
                            usage: bench/run usage [--devices N] [--duration S] [--warmup S] [--concurrency C] [--rounds R] [--meter-only]
                              metering off and on, R rounds each, alternating (defaults: 500 devices, 15 s, 3 s, 16, 2)""");
                }
            }
            return new Settings(devices, Duration.ofSeconds(duration), Duration.ofSeconds(warmup), concurrency, rounds, meterOnly, jar,
                    out);
        }
    }

    record Run(boolean metering, FanIn.Result events, RoundTrips.Result calls) {
    }

    private final Settings settings;
    private final Path java;

    private UsageBenchmark(Settings settings) {
        this.settings = settings;
        this.java = ProcessHandle.current().info().command().map(Path::of).orElse(Path.of("java"));
    }

    public static void main(String[] args) throws Exception {
        Launch.main(args, Settings::parse, Settings::serverJar, s -> new UsageBenchmark(s).run());
    }

    private void run() throws Exception {
        FirstBenchmark.step("the meter alone, in this JVM: on vs off");
        MeterCost.Result meter = MeterCost.run(2, 10_000, 2_000);
        System.out.print(meter.markdown());
        if (settings.meterOnly()) return;
        List<Run> runs = new ArrayList<>();
        // One unmeasured round first: it warms this JVM's clients, which would otherwise favour later rounds.
        once(false, true);
        for (int r = 0; r < settings.rounds(); r++) {
            for (boolean metering : new boolean[]{false, true}) runs.add(once(metering, false));
        }
        String md = markdown(runs) + "\n" + meter.markdown();
        if (settings.out().getParent() != null) Files.createDirectories(settings.out().getParent());
        Files.writeString(settings.out(), md);
        System.out.println(md);
        System.out.println("Results written to " + settings.out().toAbsolutePath());
    }

    private Run once(boolean metering, boolean warmupOnly) throws Exception {
        Path dir = Files.createTempDirectory("boson-bench-usage-");
        FirstBenchmark.step("%s: Boson with metering %s", warmupOnly ? "warm-up round" : "round", metering ? "ON" : "OFF");
        try (BosonServer server = BosonServer.start(java, settings.serverJar(), List.of(), ADMIN_PASSWORD, dir,
                metering ? List.of() : List.of("--no-metering"))) {
            HttpClient http = BosonApi.newClient();
            BosonApi api = new BosonApi(http, URI.create("http://" + HOST + ":" + server.httpPort()));
            api.login("admin", ADMIN_PASSWORD);
            List<BosonApi.Credentials> credentials = api.register(settings.devices());
            try (BosonFleet fleet = BosonFleet.connect(credentials, HOST, server.mqttPort(), 200)) {
                List<BosonDevice> online = fleet.connected();
                api.claimAll(online);
                FanIn fanIn = new FanIn(settings.warmup(), warmupOnly ? Duration.ofSeconds(3) : settings.duration(), Duration.ofSeconds(2));
                FanIn.Result events;
                try (SseSubscriber sse = SseSubscriber.open(BosonApi.newClient(), api.base().resolve("/v1/devices/events"),
                        api.token(), BosonFleet.EVENT, fanIn::arrived)) {
                    events = fanIn.run(online.stream().map(BosonFleet::publisher).toList(), 1.0, server.pid());
                }
                List<RoundTrips.Caller> callers = api.functionCallers(online, settings.concurrency());
                RoundTrips.Result calls = RoundTrips.run(callers, online.size(), settings.warmup(),
                        warmupOnly ? Duration.ofSeconds(5) : settings.duration(), server.pid());
                FirstBenchmark.step("events %.0f/s p99 %.2f ms; calls %.0f/s p50 %.2f ms p99 %.2f ms",
                        events.deliveredPerSecond(), events.latency().percentileMs(99), calls.callsPerSecond(),
                        calls.latency().percentileMs(50), calls.latency().percentileMs(99));
                return new Run(metering, events, calls);
            }
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private String markdown(List<Run> runs) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "## Usage metering: on vs off (%d devices, %d s per phase, %d callers, %d rounds each)%n%n",
                settings.devices(), settings.duration().toSeconds(), settings.concurrency(), settings.rounds()));
        md.append("| round | metering | events delivered/s | event p50 ms | event p99 ms | server cores (fan-in) | calls/s | call p50 ms | call p99 ms | server cores (calls) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        int i = 0;
        for (Run r : runs) {
            md.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %.2f | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f |%n", i++ / 2 + 1,
                    r.metering() ? "on" : "off", r.events().deliveredPerSecond(), r.events().latency().percentileMs(50),
                    r.events().latency().percentileMs(99), r.events().serverCores(), r.calls().callsPerSecond(),
                    r.calls().latency().percentileMs(50), r.calls().latency().percentileMs(99), r.calls().serverCores()));
        }
        double offCalls = mean(runs, false, r -> r.calls().callsPerSecond());
        double onCalls = mean(runs, true, r -> r.calls().callsPerSecond());
        double offCallP99 = mean(runs, false, r -> r.calls().latency().percentileMs(99));
        double onCallP99 = mean(runs, true, r -> r.calls().latency().percentileMs(99));
        double offEvents = mean(runs, false, r -> r.events().deliveredPerSecond());
        double onEvents = mean(runs, true, r -> r.events().deliveredPerSecond());
        double offEventP99 = mean(runs, false, r -> r.events().latency().percentileMs(99));
        double onEventP99 = mean(runs, true, r -> r.events().latency().percentileMs(99));
        md.append(String.format(Locale.ROOT, "%nMeans over the rounds: calls %.0f/s off, %.0f/s on (%+.1f %%), call p99 %.2f → %.2f ms (%+.2f ms); "
                        + "events %.0f/s off, %.0f/s on (%+.1f %%), event p99 %.2f → %.2f ms (%+.2f ms).%n",
                offCalls, onCalls, (onCalls / offCalls - 1) * 100, offCallP99, onCallP99, onCallP99 - offCallP99,
                offEvents, onEvents, (onEvents / offEvents - 1) * 100, offEventP99, onEventP99, onEventP99 - offEventP99));
        return md.toString();
    }

    private static double mean(List<Run> runs, boolean metering, java.util.function.ToDoubleFunction<Run> f) {
        return runs.stream().filter(r -> r.metering() == metering).mapToDouble(f).average().orElse(Double.NaN);
    }
}
