package io.boson.bench;

import io.boson.device.BosonDevice;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * What the hop between nodes costs: two Boson nodes (separate JVMs) on one PostgreSQL schema and
 * one NATS prefix, all devices connected to node A. The same fan-in (N devices × 1 event/s → one
 * SSE stream) and the same function calls (16 closed-loop callers) are measured twice in one run:
 * through node A, which holds the devices (the baseline), and through node B, where every event and
 * every call crosses NATS. Results: bench/target/cluster-benchmark.md.
 */
public final class ClusterBenchmark {

    record Options(int devices, Duration duration, int concurrency, String pgUrl, String natsUrl, Path serverJar) {
        static Options parse(String[] args) {
            int devices = 500;
            int seconds = 20;
            int concurrency = 16;
            String pg = "jdbc:postgresql://127.0.0.1:5432/test";
            String nats = "nats://127.0.0.1:4222";
            Path jar = Path.of("server/target/boson.jar");
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--devices" -> devices = Integer.parseInt(args[++i]);
                    case "--duration" -> seconds = Integer.parseInt(args[++i]);
                    case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                    case "--pg-url" -> pg = args[++i];
                    case "--nats-url" -> nats = args[++i];
                    case "--server-jar" -> jar = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException(
                            "usage: cluster [--devices N] [--duration S] [--concurrency C] [--pg-url U] [--nats-url U] [--server-jar P]");
                }
            }
            return new Options(devices, Duration.ofSeconds(seconds), concurrency, pg, nats, jar);
        }
    }

    private static final String HOST = "127.0.0.1";
    private static final String PASSWORD = "bench-admin-password";
    private static final Duration WARMUP = Duration.ofSeconds(5);

    record Phase(String through, FanIn.Result events, RoundTrips.Result calls, double cpuA, double cpuB) {
    }

    public static void main(String[] args) throws Exception {
        Launch.main(args, Options::parse, Options::serverJar, ClusterBenchmark::run);
    }

    static void run(Options o) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String schema = "boson_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String prefix = "boson-bench." + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(o.pgUrl(), "postgres", null); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        Path dirA = Files.createTempDirectory("boson-bench-cluster-a-");
        Path dirB = Files.createTempDirectory("boson-bench-cluster-b-");
        String url = o.pgUrl() + (o.pgUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        List<String> common = List.of("--db-url", url, "--db-user", "postgres", "--nats-url", o.natsUrl(), "--nats-prefix", prefix);
        List<Phase> phases = new ArrayList<>();
        try (BosonServer a = BosonServer.start(java, o.serverJar(), List.of("-Xmx1g"), PASSWORD, dirA,
                concat(common, List.of("--node-id", "bench-a")));
             BosonServer b = BosonServer.start(java, o.serverJar(), List.of("-Xmx1g"), PASSWORD, dirB,
                     concat(common, List.of("--node-id", "bench-b")))) {
            BosonApi apiA = new BosonApi(BosonApi.newClient(), URI.create("http://" + HOST + ":" + a.httpPort()));
            apiA.login("admin", PASSWORD);
            BosonApi apiB = apiA.on(URI.create("http://" + HOST + ":" + b.httpPort()));
            List<BosonApi.Credentials> credentials = apiA.register(o.devices());
            try (BosonFleet fleet = BosonFleet.connect(credentials, HOST, a.mqttPort(), 200)) {
                List<BosonDevice> online = fleet.connected();
                System.out.printf("cluster benchmark: %d devices connected to node A%n", online.size());
                apiA.claimAll(online);
                // Warm both nodes on both paths before measuring either.
                measure("warm-up B", apiB, online, o, a, b, WARMUP);
                measure("warm-up A", apiA, online, o, a, b, WARMUP);
                phases.add(measure("node A (holds the devices)", apiA, online, o, a, b, o.duration()));
                phases.add(measure("node B (across NATS)", apiB, online, o, a, b, o.duration()));
            }
        } finally {
            try (Connection c = DriverManager.getConnection(o.pgUrl(), "postgres", null); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
        String report = report(o, phases);
        Path out = Path.of("bench/target/cluster-benchmark.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
    }

    private static Phase measure(String through, BosonApi api, List<BosonDevice> online, Options o, BosonServer a,
                                 BosonServer b, Duration duration) throws Exception {
        System.out.printf("cluster benchmark: %s, %d s%n", through, duration.toSeconds());
        long cpuA0 = ProcessStats.cpuNanos(a.pid());
        long cpuB0 = ProcessStats.cpuNanos(b.pid());
        long t0 = System.nanoTime();
        FanIn fanIn = new FanIn(Duration.ofSeconds(2), duration, Duration.ofSeconds(3));
        FanIn.Result events;
        try (SseSubscriber sse = SseSubscriber.open(BosonApi.newClient(), api.base().resolve("/v1/devices/events"),
                api.token(), BosonFleet.EVENT, fanIn::arrived)) {
            events = fanIn.run(online.stream().map(BosonFleet::publisher).toList(), 1.0, a.pid());
        }
        List<RoundTrips.Caller> callers = api.functionCallers(online, o.concurrency());
        RoundTrips.Result calls = RoundTrips.run(callers, online.size(), Duration.ofSeconds(2), duration, a.pid());
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Phase(through, events, calls, (ProcessStats.cpuNanos(a.pid()) - cpuA0) / 1e9 / seconds,
                (ProcessStats.cpuNanos(b.pid()) - cpuB0) / 1e9 / seconds);
    }

    private static String report(Options o, List<Phase> phases) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "## Two nodes, %d devices on node A, %d s per measure%n%n", o.devices(),
                o.duration().toSeconds()));
        md.append("| through | events delivered/s (offered) | event p50 / p99 ms | calls/s | call p50 / p99 ms | call errors | CPU node A / B (cores, whole phase) |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (Phase p : phases) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f (%.0f) | %.2f / %.2f | %.0f | %.2f / %.2f | %d | %.2f / %.2f |%n",
                    p.through(), p.events().deliveredPerSecond(), p.events().offeredPerSecond(),
                    p.events().latency().percentileMs(50), p.events().latency().percentileMs(99),
                    p.calls().callsPerSecond(), p.calls().latency().percentileMs(50), p.calls().latency().percentileMs(99),
                    p.calls().errors(), p.cpuA(), p.cpuB()));
        }
        if (phases.size() == 2) {
            Phase local = phases.get(0);
            Phase remote = phases.get(1);
            md.append(String.format(Locale.ROOT, "%nAcross NATS vs on the node holding the devices: calls/s ratio %.2f, "
                            + "event p50 +%.2f ms, call p50 +%.2f ms.%n",
                    remote.calls().callsPerSecond() / local.calls().callsPerSecond(),
                    remote.events().latency().percentileMs(50) - local.events().latency().percentileMs(50),
                    remote.calls().latency().percentileMs(50) - local.calls().latency().percentileMs(50)));
        }
        return md.toString();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
