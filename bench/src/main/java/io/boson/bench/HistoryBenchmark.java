package io.boson.bench;

import io.boson.device.BosonDevice;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What event history costs (docs/benchmarks.md): N product devices × 1 event/s into one SSE stream
 * of the product, on a fresh embedded server with {@code --event-retention 0} (no history, no ids),
 * then {@code 24h} (every event given an id, queued and written in batches), alternating for
 * {@code --rounds}; events/s, latency and the server's CPU per 1,000 events. Results:
 * bench/target/history-benchmark.md.
 */
public final class HistoryBenchmark {

    record Options(int devices, Duration duration, int rounds, Path serverJar) {
        static Options parse(String[] args) {
            int devices = 1000;
            int seconds = 20;
            int rounds = 2;
            Path jar = Path.of("server/target/boson.jar");
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--devices" -> devices = Integer.parseInt(args[++i]);
                    case "--duration" -> seconds = Integer.parseInt(args[++i]);
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    case "--server-jar" -> jar = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException(
                            "usage: history [--devices N] [--duration S] [--rounds R] [--server-jar P]");
                }
            }
            return new Options(devices, Duration.ofSeconds(seconds), rounds, jar);
        }
    }

    private static final String HOST = "127.0.0.1";
    private static final String PASSWORD = "bench-admin-password";

    record Phase(boolean history, FanIn.Result result) {
        double cpuPerThousand() {
            return result.serverCores() / (result.deliveredPerSecond() / 1000.0);
        }
    }

    public static void main(String[] args) throws Exception {
        Launch.main(args, Options::parse, Options::serverJar, HistoryBenchmark::run);
    }

    static void run(Options o) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<Phase> phases = new ArrayList<>();
        for (int r = 0; r < o.rounds(); r++) {
            for (boolean history : new boolean[] {false, true}) phases.add(fanIn(java, o, history));
        }
        String report = report(o, phases);
        Path out = Path.of("bench/target/history-benchmark.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
    }

    private static Phase fanIn(Path java, Options o, boolean history) throws Exception {
        Path dir = Files.createTempDirectory("boson-bench-history-");
        try (BosonServer server = BosonServer.start(java, o.serverJar(), List.of("-Xmx1g"), PASSWORD, dir,
                List.of("--event-retention", history ? "24h" : "0"))) {
            BosonApi api = new BosonApi(BosonApi.newClient(), URI.create("http://" + HOST + ":" + server.httpPort()));
            api.login("admin", PASSWORD);
            List<BosonApi.Credentials> creds = api.register(o.devices());
            long product = api.expect(api.jsonRequest("POST", "/v1/user/products", BosonApi.JSON.writeValueAsBytes(
                    Map.of("product", Map.of("name", "History bench", "platform_id", 13))), Duration.ofSeconds(30)), 200)
                    .get("product").get("id").asLong();
            api.expect(api.jsonRequest("POST", "/v1/products/" + product + "/devices", BosonApi.JSON.writeValueAsBytes(
                    Map.of("ids", creds.stream().map(BosonApi.Credentials::id).toList())), Duration.ofSeconds(60)), 200);
            List<BosonDevice> fleet = new ArrayList<>();
            for (BosonApi.Credentials c : creds) {
                fleet.add(BosonDevice.builder().deviceId(c.id()).secret(c.secret()).host(HOST).port(server.mqttPort())
                        .platformId(13).productId((int) product).productVersion(1).build());
            }
            List<Throwable> failures = Paced.run(fleet.size(), 200, 120, i -> fleet.get(i).connect());
            List<BosonDevice> online = fleet.stream().filter(BosonDevice::isConnected).toList();
            System.out.printf("history benchmark: event history %s, %d devices connected (%d failed)%n", history ? "on" : "off",
                    online.size(), failures.size());
            FanIn fan = new FanIn(Duration.ofSeconds(5), o.duration(), Duration.ofSeconds(3));
            FanIn.Result result;
            try (SseSubscriber sse = SseSubscriber.open(BosonApi.newClient(),
                    api.base().resolve("/v1/products/" + product + "/events"), api.token(), BosonFleet.EVENT, fan::arrived)) {
                result = fan.run(online.stream().map(BosonFleet::publisher).toList(), 1.0, server.pid());
            } finally {
                for (BosonDevice d : fleet) d.disconnect();
            }
            return new Phase(history, result);
        }
    }

    private static String report(Options o, List<Phase> phases) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "## Fan-in with event history on and off: %d product devices × 1 event/s, "
                + "%d s per phase, %d rounds (embedded H2)%n%n", o.devices(), o.duration().toSeconds(), o.rounds()));
        md.append("| event history | events delivered/s (offered) | lost | p50 / p99 ms | server CPU (cores) | server CPU per 1,000 events/s |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (Phase p : phases) {
            FanIn.Result r = p.result();
            md.append(String.format(Locale.ROOT, "| %s | %.0f (%.0f) | %d | %.2f / %.2f | %.3f | %.3f |%n", p.history() ? "on" : "off",
                    r.deliveredPerSecond(), r.offeredPerSecond(), r.lost(), r.latency().percentileMs(50),
                    r.latency().percentileMs(99), r.serverCores(), p.cpuPerThousand()));
        }
        double on = phases.stream().filter(Phase::history).mapToDouble(Phase::cpuPerThousand).average().orElse(0);
        double off = phases.stream().filter(p -> !p.history()).mapToDouble(Phase::cpuPerThousand).average().orElse(0);
        double tOn = phases.stream().filter(Phase::history).mapToDouble(p -> p.result().deliveredPerSecond()).average().orElse(0);
        double tOff = phases.stream().filter(p -> !p.history()).mapToDouble(p -> p.result().deliveredPerSecond()).average().orElse(0);
        md.append(String.format(Locale.ROOT, "%nOn vs off (means over the rounds): throughput ratio %.3f, server CPU per event %+.1f %%.%n",
                tOn / tOff, (on / off - 1) * 100));
        return md.toString();
    }
}
