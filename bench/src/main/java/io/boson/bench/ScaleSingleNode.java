package io.boson.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Part one of the scale benchmark: N idle devices on one Boson node (its own JVM, embedded H2, fresh
 * data directory). Live heap (after a full GC) and RSS before and after connecting them, the classes
 * that grew, the connect rate beside a private Mosquitto's with the same load generators, and a
 * reconnect storm: every device dropped at once (TCP reset) and reconnecting at once, while closed-loop
 * function calls go through the HTTP API to a separate set of connected devices.
 */
final class ScaleSingleNode {

    static final int CALLERS = 4;
    static final int IN_FLIGHT = 256;

    private ScaleSingleNode() {
    }

    static String run(ScaleBenchmark.Options o, Path java, Path jcmd) throws Exception {
        int n = o.devices();
        int callN = o.callDevices();
        Path dir = Files.createTempDirectory("boson-bench-scale-node-");
        Path creds = dir.resolve("credentials.txt");
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "## One node: %,d idle devices, embedded H2%n%n", n));
        double bosonRate;
        Map<String, Double> connect;
        Map<String, Double> storm;
        double stormSeconds;
        ScaleBenchmark.Memory idle;
        ScaleBenchmark.Memory fresh;
        ScaleBenchmark.Memory full;
        ScaleBenchmark.Memory afterStorm;
        String growth;
        Samples before = new Samples();
        Samples during = new Samples();
        Samples after = new Samples();
        AtomicLong beforeErrors = new AtomicLong();
        AtomicLong duringErrors = new AtomicLong();
        AtomicLong afterErrors = new AtomicLong();
        String loadDuring;
        try (BosonServer server = BosonServer.start(java, o.serverJar(), List.of("-Xmx2g"), ScaleBenchmark.PASSWORD,
                dir.resolve("boson"))) {
            BosonApi api = new BosonApi(BosonApi.newClient(), URI.create("http://" + ScaleBenchmark.HOST + ":" + server.httpPort()));
            api.login("admin", ScaleBenchmark.PASSWORD);
            long product = ScaleBenchmark.setUp(api, callN + n, creds);
            String target = ScaleBenchmark.HOST + ":" + server.mqttPort();
            List<LightFleet.Credentials> callCreds = ScaleBenchmark.read(creds, 0, callN);
            try (LightFleet callFleet = new LightFleet(callCreds, List.of(new InetSocketAddress(ScaleBenchmark.HOST, server.mqttPort())),
                    1, 600, product)) {
                callFleet.connectAll(callN);
                if (callFleet.connected.get() != callN) throw new IllegalStateException("call devices connected: " + callFleet.connected);
                List<LoadProcess> generators = generators(java, creds, callN, n, List.of(target), product, dir, "boson");
                try {
                    // Settle the setup's garbage and caches, then measure the node with only the call devices on it.
                    Thread.sleep(2000);
                    ClassHistogram h0 = ClassHistogram.of(jcmd, server.pid());
                    idle = ScaleBenchmark.Memory.of(jcmd, server.pid());
                    ScaleBenchmark.log("node idle: heap %d KiB, RSS %d KiB; connecting %d devices", idle.heapUsedKiB(), idle.rssKiB(), n);
                    long t0 = System.nanoTime();
                    connect = LoadProcess.sum(LoadProcess.all(generators, "connect " + IN_FLIGHT));
                    bosonRate = connect.get("ok") / ((System.nanoTime() - t0) / 1e9);
                    ScaleBenchmark.log("connected %s: %.0f devices/s", connect, bosonRate);
                    Thread.sleep(5000);
                    fresh = ScaleBenchmark.Memory.of(jcmd, server.pid());
                    ScaleBenchmark.log("node full, +5 s: heap %d KiB, RSS %d KiB", fresh.heapUsedKiB(), fresh.rssKiB());
                    // Idle: past the gateway's connect-pacing window (60 s), whose per-attempt state is not the device's.
                    Thread.sleep(o.settleSeconds() * 1000L);
                    ClassHistogram h1 = ClassHistogram.of(jcmd, server.pid());
                    full = ScaleBenchmark.Memory.of(jcmd, server.pid());
                    growth = h1.growthSince(h0, n, 25);
                    ScaleBenchmark.log("node full, idle: heap %d KiB, RSS %d KiB", full.heapUsedKiB(), full.rssKiB());
                    if (o.part().equals("node-memory")) {
                        // Memory alone (no storm, no baseline): for comparing builds quickly.
                        md.append(String.format(Locale.ROOT, "Memory only (`--part node-memory`); connect rate %.0f devices/s.%n%n", bosonRate));
                        md.append("| memory | heap used after full GC | heap committed | RSS |\n|---|---|---|---|\n");
                        md.append(row("before (call devices only)", idle));
                        md.append(row(String.format(Locale.ROOT, "%,d devices connected, 5 s later", (long) (double) connect.get("ok")), fresh));
                        md.append(row(String.format(Locale.ROOT, "the same, idle %d s more", o.settleSeconds()), full));
                        md.append(perDevice(n, idle, fresh, full));
                        md.append(String.format(Locale.ROOT, "%nWhat grew on the heap, per connected device (`jcmd GC.class_histogram`, / %,d):%n%n", n));
                        return md.append(growth).append('\n').toString();
                    }
                    try (ScaleBenchmark.Callers callers = new ScaleBenchmark.Callers(api, product,
                            callCreds.stream().map(LightFleet.Credentials::id).toList(), CALLERS, new Samples(), new AtomicLong())) {
                        Thread.sleep(3000); // warm-up, discarded
                        callers.phase(before, beforeErrors);
                        Thread.sleep(o.callSeconds() * 1000L);
                        callers.phase(during, duringErrors);
                        ScaleBenchmark.log("storm: dropping %d devices", n);
                        long s0 = System.nanoTime();
                        LoadProcess.all(generators, "drop");
                        storm = LoadProcess.sum(LoadProcess.all(generators, "connect " + n));
                        stormSeconds = (System.nanoTime() - s0) / 1e9;
                        loadDuring = ScaleBenchmark.loadAverage();
                        callers.phase(after, afterErrors);
                        ScaleBenchmark.log("storm absorbed in %.1f s: %s; calls during: %d ok, %d errors (%s)", stormSeconds, storm,
                                during.count(), duringErrors.get(), callers.lastError);
                        Thread.sleep(o.callSeconds() * 1000L);
                    }
                    Map<String, Double> stats = LoadProcess.sum(LoadProcess.all(generators, "stats"));
                    storm.put("unexpected", stats.get("unexpected"));
                    storm.put("still", stats.get("connected"));
                    afterStorm = ScaleBenchmark.Memory.of(jcmd, server.pid());
                } finally {
                    for (LoadProcess g : generators) g.close();
                }
            }
        }
        // The baseline: the same generators, the same handshake (CONNECT, SUBSCRIBE, describe at QoS 1) to Mosquitto.
        double mosquittoRate;
        Map<String, Double> mConnect;
        long mRss0;
        long mRss1;
        try (MosquittoBroker broker = MosquittoBroker.start(o.mosquitto(), dir.resolve("mosquitto"))) {
            List<LoadProcess> generators = generators(java, creds, callN, n, List.of(ScaleBenchmark.HOST + ":" + broker.port()),
                    0, dir, "mosquitto");
            try {
                mRss0 = ProcessStats.rssKiB(broker.pid());
                long t0 = System.nanoTime();
                mConnect = LoadProcess.sum(LoadProcess.all(generators, "connect " + IN_FLIGHT));
                mosquittoRate = mConnect.get("ok") / ((System.nanoTime() - t0) / 1e9);
                Thread.sleep(2000);
                mRss1 = ProcessStats.rssKiB(broker.pid());
                ScaleBenchmark.log("mosquitto connected %s: %.0f devices/s", mConnect, mosquittoRate);
            } finally {
                for (LoadProcess g : generators) g.close();
            }
        }

        md.append(String.format(Locale.ROOT, "Boson: `java -Xmx2g -jar boson.jar serve`, fresh data directory; devices in %d load-generator "
                        + "processes (%d handshakes in flight each; MQTT 3.1.1 CONNECT, SUBSCRIBE to the SDK's 6 request filters, describe "
                        + "at QoS 1: a device counts as connected when the SUBACK and the describe's PUBACK arrived); %d more devices "
                        + "connected first for the function calls.%n%n",
                (n + ScaleBenchmark.PER_GENERATOR - 1) / ScaleBenchmark.PER_GENERATOR, IN_FLIGHT, callN));
        md.append("| memory | heap used after full GC | heap committed | RSS |\n|---|---|---|---|\n");
        md.append(row("before (call devices only)", idle));
        md.append(row(String.format(Locale.ROOT, "%,d devices connected, 5 s later", (long) (double) connect.get("ok")), fresh));
        md.append(row(String.format(Locale.ROOT, "the same, idle %d s more", o.settleSeconds()), full));
        md.append(row("after the reconnect storm", afterStorm));
        md.append(perDevice(n, idle, fresh, full));
        md.append(String.format(Locale.ROOT, "Mosquitto: RSS %.0f bytes per device.%n%n", (mRss1 - mRss0) * 1024.0 / n));
        md.append("Connect rate (same generators, same handshake):\n\n| broker | connected | refused | failed attempts | gave up | devices/s |\n|---|---|---|---|---|---|\n");
        md.append(rate("Boson", connect, bosonRate));
        md.append(rate("Mosquitto", mConnect, mosquittoRate));
        md.append(String.format(Locale.ROOT, "%nBoson / Mosquitto connect rate: %.2f.%n%n", bosonRate / mosquittoRate));
        md.append(String.format(Locale.ROOT, "Reconnect storm: all %,d dropped at once (TCP reset, no DISCONNECT), all reconnecting at once "
                        + "(every handshake in flight; a failed attempt is retried after 1–4 s, 6 attempts at most): back in %.1f s "
                        + "(%.0f devices/s); connected %,.0f, CONNACK refusals %.0f, failed attempts %.0f, gave up %.0f; "
                        + "after it, %,.0f still connected and %.0f unexpected disconnects. Load average right after: %s.%n%n",
                n, stormSeconds, storm.get("ok") / stormSeconds, storm.get("ok"), storm.get("refusals"), storm.get("failed"),
                storm.get("gaveup"), storm.get("still"), storm.get("unexpected"), loadDuring));
        md.append(String.format(Locale.ROOT, "Function calls on the %d other devices (%d closed-loop callers, HTTP API):%n%n", callN, CALLERS));
        md.append("| when | calls | p50 ms | p90 ms | p99 ms | max ms | errors |\n|---|---|---|---|---|---|---|\n");
        md.append("| before the storm | ").append(ScaleBenchmark.ms(before.summary())).append(" | ").append(beforeErrors).append(" |\n");
        md.append("| during the storm | ").append(ScaleBenchmark.ms(during.summary())).append(" | ").append(duringErrors).append(" |\n");
        md.append("| after the storm | ").append(ScaleBenchmark.ms(after.summary())).append(" | ").append(afterErrors).append(" |\n");
        md.append(String.format(Locale.ROOT, "%nWhat grew on the heap, per connected device (`jcmd GC.class_histogram` before and after, / %,d):%n%n", n));
        md.append(growth).append('\n');
        return md.toString();
    }

    /** Load generators for credentials lines [offset, offset + n), {@link ScaleBenchmark#PER_GENERATOR} devices each at most. */
    static List<LoadProcess> generators(Path java, Path creds, int offset, int n, List<String> targets,
                                        long product, Path dir, String name) throws Exception {
        int count = (n + ScaleBenchmark.PER_GENERATOR - 1) / ScaleBenchmark.PER_GENERATOR;
        List<LoadProcess> out = new ArrayList<>();
        for (int g = 0; g < count; g++) {
            int from = offset + (int) ((long) n * g / count);
            int to = offset + (int) ((long) n * (g + 1) / count);
            out.add(LoadProcess.start(java, "512m", creds, from, to, targets, product, dir.resolve(name + "-generator-" + g + ".log")));
        }
        return out;
    }

    private static String perDevice(int n, ScaleBenchmark.Memory idle, ScaleBenchmark.Memory fresh, ScaleBenchmark.Memory full) {
        double perHeap = (full.heapUsedKiB() - idle.heapUsedKiB()) * 1024.0 / n;
        double perRss = (full.rssKiB() - idle.rssKiB()) * 1024.0 / n;
        return String.format(Locale.ROOT, "%nPer device 5 s after connecting: live heap %.0f bytes, RSS %.0f bytes.%n"
                        + "**Per idle device: live heap %.0f bytes (%.2f KiB; target ≤ 4 KiB), RSS %.0f bytes (%.2f KiB).**%n",
                (fresh.heapUsedKiB() - idle.heapUsedKiB()) * 1024.0 / n, (fresh.rssKiB() - idle.rssKiB()) * 1024.0 / n,
                perHeap, perHeap / 1024, perRss, perRss / 1024);
    }

    private static String row(String what, ScaleBenchmark.Memory m) {
        return String.format(Locale.ROOT, "| %s | %.1f MiB | %.1f MiB | %.1f MiB |%n", what, m.heapUsedKiB() / 1024.0,
                m.heapCommittedKiB() / 1024.0, m.rssKiB() / 1024.0);
    }

    private static String rate(String who, Map<String, Double> r, double perSecond) {
        return String.format(Locale.ROOT, "| %s | %,.0f | %.0f | %.0f | %.0f | %.0f |%n", who, r.get("ok"), r.get("refusals"),
                r.get("failed"), r.get("gaveup"), perSecond);
    }
}
