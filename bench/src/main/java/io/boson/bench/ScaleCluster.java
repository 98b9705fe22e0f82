package io.boson.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Part two of the scale benchmark: a cluster on one machine. K Boson nodes (separate JVMs) on one
 * PostgreSQL schema and one NATS prefix, N devices spread evenly over them from one load-generator
 * process per node; then events from devices on every node to one SSE stream on node 1 (loss
 * counted), and function calls through node 1 to devices on every node. Heap after a full GC and
 * RSS per node, before and after the devices connect.
 */
final class ScaleCluster {

    static final int CALLERS = 8;
    static final int IN_FLIGHT = 64;

    private ScaleCluster() {
    }

    record NodeMemory(ScaleBenchmark.Memory before, ScaleBenchmark.Memory after, int devices) {
    }

    static String run(ScaleBenchmark.Options o, Path java, Path jcmd) throws Exception {
        int n = o.clusterDevices();
        int k = o.nodes();
        int callN = Math.max(k, o.callDevices() / k * k);
        String schema = "boson_scale_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String prefix = "boson-scale." + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(o.pgUrl(), "postgres", null); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        Path dir = Files.createTempDirectory("boson-bench-scale-cluster-");
        Path creds = dir.resolve("credentials.txt");
        String url = o.pgUrl() + (o.pgUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        List<BosonServer> nodes = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        try {
            // One after the other: started together on a loaded 2-core machine, a node missed the 90 s start deadline.
            for (int i = 1; i <= k; i++) nodes.add(startNode(o, java, dir, url, prefix, i));
            md.append(measure(o, java, jcmd, nodes, n, callN, creds, dir));
        } finally {
            for (BosonServer s : nodes) s.close();
            try (Connection c = DriverManager.getConnection(o.pgUrl(), "postgres", null); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
        return md.toString();
    }

    private static BosonServer startNode(ScaleBenchmark.Options o, Path java, Path dir, String url, String prefix, int id)
            throws Exception {
        BosonServer s = BosonServer.start(java, o.serverJar(), List.of("-Xmx" + o.nodeHeap(), "-XX:+UseG1GC"), ScaleBenchmark.PASSWORD,
                dir.resolve("node-" + id), List.of("--db-url", url, "--db-user", "postgres", "--nats-url", o.natsUrl(),
                        "--nats-prefix", prefix, "--node-id", "scale-" + id));
        ScaleBenchmark.log("node %d up (pid %d)", id, s.pid());
        return s;
    }

    private static String measure(ScaleBenchmark.Options o, Path java, Path jcmd, List<BosonServer> nodes, int n, int callN, Path creds,
                                  Path dir) throws Exception {
        int k = nodes.size();
        BosonServer first = nodes.get(0);
        BosonApi api = new BosonApi(BosonApi.newClient(), URI.create("http://" + ScaleBenchmark.HOST + ":" + first.httpPort()));
        api.login("admin", ScaleBenchmark.PASSWORD);
        long product = ScaleBenchmark.setUp(api, callN + n, creds);
        List<LightFleet.Credentials> callCreds = ScaleBenchmark.read(creds, 0, callN);
        List<InetSocketAddress> mqtt = nodes.stream().map(s -> new InetSocketAddress(ScaleBenchmark.HOST, s.mqttPort())).toList();
        StringBuilder md = new StringBuilder();
        try (LightFleet callFleet = new LightFleet(callCreds, mqtt, 1, 600, product)) {
            callFleet.connectAll(callN);
            if (callFleet.connected.get() != callN) throw new IllegalStateException("call devices connected: " + callFleet.connected);
            List<LoadProcess> generators = new ArrayList<>();
            try {
                for (int g = 0; g < k; g++) {
                    int from = callN + (int) ((long) n * g / k);
                    int to = callN + (int) ((long) n * (g + 1) / k);
                    generators.add(LoadProcess.start(java, "640m", creds, from, to,
                            List.of(ScaleBenchmark.HOST + ":" + nodes.get(g).mqttPort()), product, dir.resolve("generator-" + g + ".log")));
                }
                Thread.sleep(2000);
                List<ScaleBenchmark.Memory> before = new ArrayList<>();
                for (BosonServer s : nodes) before.add(ScaleBenchmark.Memory.of(jcmd, s.pid()));
                ScaleBenchmark.log("connecting %d devices over %d nodes", n, k);
                long t0 = System.nanoTime();
                List<String> answers = LoadProcess.all(generators, "connect " + IN_FLIGHT);
                double connectSeconds = (System.nanoTime() - t0) / 1e9;
                Map<String, Double> connect = LoadProcess.sum(answers);
                ScaleBenchmark.log("connected %s in %.1f s (%.0f/s); load %s", connect, connectSeconds, connect.get("ok") / connectSeconds,
                        ScaleBenchmark.loadAverage());
                String loadAfterConnect = ScaleBenchmark.loadAverage();
                Thread.sleep(5000);
                List<ScaleBenchmark.Memory> after = new ArrayList<>();
                for (BosonServer s : nodes) after.add(ScaleBenchmark.Memory.of(jcmd, s.pid()));

                // Events: every generator publishes at rate/k, one SSE stream on node 1 reads them all.
                Set<String> received = ConcurrentHashMap.newKeySet();
                Samples eventLatency = new Samples();
                AtomicLong duplicates = new AtomicLong();
                Map<String, Double> published;
                try (SseSubscriber sse = SseSubscriber.open(BosonApi.newClient(), api.base().resolve("/v1/products/" + product + "/events/"
                        + LightFleet.EVENT), api.token(), LightFleet.EVENT, (data, at) -> {
                    String[] f = data.split(":");
                    if (f.length == 3 && received.add(f[0] + ":" + f[1])) eventLatency.add(at - Long.parseLong(f[2]));
                    else duplicates.incrementAndGet();
                })) {
                    ScaleBenchmark.log("events: %d/s for %d s", o.eventRate(), o.eventSeconds());
                    List<String> cmds = new ArrayList<>();
                    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                        List<Future<String>> fs = new ArrayList<>();
                        for (int g = 0; g < k; g++) {
                            LoadProcess gen = generators.get(g);
                            String cmd = String.format(Locale.ROOT, "publish %.3f %d n%d", o.eventRate() / (double) k, o.eventSeconds(), g + 1);
                            fs.add(pool.submit(() -> gen.command(cmd)));
                        }
                        for (var f : fs) cmds.add(f.get());
                    }
                    published = LoadProcess.sum(cmds);
                    Thread.sleep(2000);
                }
                Map<String, Long> perNode = new java.util.TreeMap<>();
                for (String r : received) perNode.merge(r.substring(0, r.indexOf(':')), 1L, Long::sum);
                ScaleBenchmark.log("events published %s, received %d %s", published, received.size(), perNode);

                // Calls through node 1 to the call devices, which are spread over all nodes (device i on node i % k).
                Samples local = new Samples();
                Samples remote = new Samples();
                AtomicLong localErrors = new AtomicLong();
                AtomicLong remoteErrors = new AtomicLong();
                List<String> onFirst = new ArrayList<>();
                List<String> elsewhere = new ArrayList<>();
                for (int i = 0; i < callN; i++) (i % k == 0 ? onFirst : elsewhere).add(callCreds.get(i).id());
                try (ScaleBenchmark.Callers c = new ScaleBenchmark.Callers(api, product, onFirst, CALLERS, new Samples(), new AtomicLong())) {
                    Thread.sleep(3000);
                    c.phase(local, localErrors);
                    Thread.sleep(o.callSeconds() * 1000L);
                }
                try (ScaleBenchmark.Callers c = new ScaleBenchmark.Callers(api, product, elsewhere, CALLERS, new Samples(), new AtomicLong())) {
                    Thread.sleep(3000);
                    c.phase(remote, remoteErrors);
                    Thread.sleep(o.callSeconds() * 1000L);
                }
                Map<String, Double> stats = LoadProcess.sum(LoadProcess.all(generators, "stats"));
                ScaleBenchmark.log("calls: local %d (%d errors), remote %d (%d errors); generators %s", local.count(), localErrors.get(),
                        remote.count(), remoteErrors.get(), stats);
                md.append(report(o, nodes, n, callN, connect, connectSeconds, loadAfterConnect, before, after, generators, published,
                        received.size(), perNode, duplicates.get(), eventLatency, local, localErrors, remote, remoteErrors, stats));
            } finally {
                for (LoadProcess g : generators) g.close();
            }
        }
        return md.toString();
    }

    private static String report(ScaleBenchmark.Options o, List<BosonServer> nodes, int n, int callN, Map<String, Double> connect,
                                 double connectSeconds, String loadAfterConnect, List<ScaleBenchmark.Memory> before,
                                 List<ScaleBenchmark.Memory> after, List<LoadProcess> generators, Map<String, Double> published,
                                 int received, Map<String, Long> perNode, long duplicates, Samples eventLatency, Samples local,
                                 AtomicLong localErrors, Samples remote, AtomicLong remoteErrors, Map<String, Double> stats) {
        int k = nodes.size();
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "## A cluster on one machine: %,d devices on %d nodes (PostgreSQL + NATS)%n%n", n, k));
        md.append(String.format(Locale.ROOT, "Nodes: `java -Xmx%s -jar boson.jar serve --db-url … --nats-url …`, one schema and one "
                + "subject prefix made for the run; one load-generator process per node (%,d devices each, %d handshakes in flight), "
                + "plus %d call devices (%d per node) in the benchmark process.%n%n", o.nodeHeap(), n / k, IN_FLIGHT, callN, callN / k));
        md.append(String.format(Locale.ROOT, "Connect: %,.0f connected in %.1f s = **%.0f devices/s** over the cluster; CONNACK refusals "
                        + "%.0f, failed attempts %.0f, gave up %.0f. Load average right after: %s.%n%n",
                connect.get("ok"), connectSeconds, connect.get("ok") / connectSeconds, connect.get("refusals"), connect.get("failed"),
                connect.get("gaveup"), loadAfterConnect));
        md.append("| node | devices | heap after GC before → after (MiB) | RSS before → after (MiB) | heap per device (bytes) | RSS per device (bytes) |\n");
        md.append("|---|---|---|---|---|---|\n");
        long heapSum = 0;
        long rssSum = 0;
        long rssTotal = 0;
        for (int i = 0; i < k; i++) {
            ScaleBenchmark.Memory b = before.get(i);
            ScaleBenchmark.Memory a = after.get(i);
            int d = generators.get(i).devices();
            heapSum += a.heapUsedKiB() - b.heapUsedKiB();
            rssSum += a.rssKiB() - b.rssKiB();
            rssTotal += a.rssKiB();
            md.append(String.format(Locale.ROOT, "| %d | %,d | %.1f → %.1f | %.1f → %.1f | %.0f | %.0f |%n", i + 1, d, b.heapUsedKiB() / 1024.0,
                    a.heapUsedKiB() / 1024.0, b.rssKiB() / 1024.0, a.rssKiB() / 1024.0, (a.heapUsedKiB() - b.heapUsedKiB()) * 1024.0 / d,
                    (a.rssKiB() - b.rssKiB()) * 1024.0 / d));
        }
        md.append(String.format(Locale.ROOT, "| all | %,d | +%.1f MiB | +%.1f MiB (%.1f GiB in all) | %.0f | %.0f |%n%n", n, heapSum / 1024.0,
                rssSum / 1024.0, rssTotal / 1048576.0, heapSum * 1024.0 / n, rssSum * 1024.0 / n));
        double sent = published.getOrDefault("sent", 0.0);
        double acked = published.getOrDefault("acked", 0.0);
        Samples.Summary ev = eventLatency.summary();
        md.append(String.format(Locale.ROOT, "Events: %d/s offered in all for %d s from devices on all %d nodes (QoS 1), one SSE stream on node 1 "
                        + "(`/v1/products/:p/events/bench`): sent %,.0f, acknowledged %,.0f, received %,d (%s by generator node), "
                        + "duplicates %d, **lost %,.0f (%.3f %% of acknowledged)**; latency device → stream p50 %.1f ms, p99 %.1f ms, max %.1f ms.%n%n",
                o.eventRate(), o.eventSeconds(), k, sent, acked, received, perNode, duplicates, acked - received,
                acked == 0 ? 0 : (acked - received) * 100 / acked, ev.percentileMs(50), ev.percentileMs(99), ev.maxMs()));
        md.append(String.format(Locale.ROOT, "Function calls through node 1's HTTP API, %d closed-loop callers, %d s each:%n%n", CALLERS, o.callSeconds()));
        md.append("| devices called | calls | p50 ms | p90 ms | p99 ms | max ms | errors |\n|---|---|---|---|---|---|---|\n");
        md.append(String.format(Locale.ROOT, "| %d on node 1 | %s | %d |%n", callN / k, ScaleBenchmark.ms(local.summary()), localErrors.get()));
        md.append(String.format(Locale.ROOT, "| %d on nodes 2–%d (across NATS) | %s | %d |%n", callN - callN / k, k,
                ScaleBenchmark.ms(remote.summary()), remoteErrors.get()));
        md.append(String.format(Locale.ROOT, "%nThroughout: %,.0f devices still connected at the end, %.0f unexpected disconnects.%n%n",
                stats.get("connected"), stats.get("unexpected")));
        return md.toString();
    }
}
