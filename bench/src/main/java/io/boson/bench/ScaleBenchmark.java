package io.boson.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scale benchmark (docs/benchmarks.md, "The scale benchmark"):
 * <ol>
 *   <li><b>one node</b> ({@link ScaleSingleNode}): 19,000 idle devices on one Boson process (embedded H2):
 *       live heap and RSS per device, connect rate against a private Mosquitto, and a reconnect storm
 *       (all dropped at once, all reconnecting at once) while function calls go to 50 other devices;</li>
 *   <li><b>a cluster on one machine</b> ({@link ScaleCluster}): 100,000 devices over 6 nodes on
 *       PostgreSQL + NATS, events from all of them to one SSE stream on node 1 (loss counted) and
 *       function calls through node 1 to devices on every node; memory per node and per device.</li>
 * </ol>
 * Devices are {@link LightFleet}s in separate {@link LoadGenerator} processes (20,000 open files per
 * process here). Results: bench/target/scale-benchmark.md.
 */
public final class ScaleBenchmark {

    record Options(String part, int devices, int clusterDevices, int nodes, int callDevices, int eventRate, int eventSeconds,
                   int callSeconds, int settleSeconds, String nodeHeap, String pgUrl, String natsUrl, String mosquitto, Path serverJar) {
        static Options parse(String[] args) {
            String part = "all";
            int devices = 19_000;
            int cluster = 100_000;
            int nodes = 6;
            int callDevices = 50;
            int eventRate = 300;
            int eventSeconds = 30;
            int callSeconds = 15;
            int settle = 65;
            String nodeHeap = "1536m";
            String pg = "jdbc:postgresql://127.0.0.1:5432/test";
            String nats = "nats://127.0.0.1:4222";
            String mosquitto = "/usr/sbin/mosquitto";
            Path jar = Path.of("server/target/boson.jar");
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--part" -> part = args[++i];
                    case "--devices" -> devices = Integer.parseInt(args[++i]);
                    case "--cluster-devices" -> cluster = Integer.parseInt(args[++i]);
                    case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                    case "--call-devices" -> callDevices = Integer.parseInt(args[++i]);
                    case "--event-rate" -> eventRate = Integer.parseInt(args[++i]);
                    case "--event-seconds" -> eventSeconds = Integer.parseInt(args[++i]);
                    case "--call-seconds" -> callSeconds = Integer.parseInt(args[++i]);
                    case "--settle" -> settle = Integer.parseInt(args[++i]);
                    case "--node-heap" -> nodeHeap = args[++i];
                    case "--pg-url" -> pg = args[++i];
                    case "--nats-url" -> nats = args[++i];
                    case "--mosquitto-binary" -> mosquitto = args[++i];
                    case "--server-jar" -> jar = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("usage: scale [--part node|node-memory|cluster|all] [--devices N] "
                            + "[--cluster-devices N] [--nodes K] [--call-devices N] [--event-rate R] [--event-seconds S] "
                            + "[--call-seconds S] [--settle S] [--node-heap 1536m] [--pg-url U] [--nats-url U] [--mosquitto-binary P] [--server-jar P]");
                }
            }
            return new Options(part, devices, cluster, nodes, callDevices, eventRate, eventSeconds, callSeconds, settle, nodeHeap, pg,
                    nats, mosquitto, jar);
        }
    }

    static final String HOST = "127.0.0.1";
    static final String PASSWORD = "bench-admin-password";
    /** Devices per load-generator process: well under the 20,000 open files a process may have here. */
    static final int PER_GENERATOR = 9_500;

    public static void main(String[] args) throws Exception {
        Launch.main(args, Options::parse, Options::serverJar, ScaleBenchmark::run);
    }

    static void run(Options o) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "# Scale benchmark%n%nMachine: %d cores, load average at start %s%n%n",
                Runtime.getRuntime().availableProcessors(), loadAverage()));
        Path out = Path.of("bench/target/scale-benchmark.md");
        Files.createDirectories(out.getParent());
        if (o.part().startsWith("node") || o.part().equals("all")) {
            md.append(ScaleSingleNode.run(o, java, jcmd));
            Files.writeString(out, md);
        }
        if (o.part().equals("cluster") || o.part().equals("all")) {
            md.append(ScaleCluster.run(o, java, jcmd));
        }
        md.append(String.format(Locale.ROOT, "%nLoad average at the end: %s%n", loadAverage()));
        Files.writeString(out, md);
        System.out.println(md);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "%tT scale: %s%n", System.currentTimeMillis(), String.format(Locale.ROOT, format, args));
    }

    /** Registers {@code count} devices, creates a product and imports them all; returns the product ID and writes
     *  "id secret" lines to {@code file}. */
    static long setUp(BosonApi api, int count, Path file) throws Exception {
        long t0 = System.nanoTime();
        // Registration in requests of 2,000 with a generous timeout: on a loaded machine one of 10,000 took over 30 s.
        List<BosonApi.Credentials> creds = new ArrayList<>(count);
        for (int done = 0; done < count; ) {
            int batch = Math.min(2_000, count - done);
            byte[] body = BosonApi.JSON.writeValueAsBytes(Map.of("platform_id", 13, "count", batch));
            JsonNode r = api.expect(api.jsonRequest("POST", "/v1/admin/devices", body, Duration.ofMinutes(5)), 201);
            for (JsonNode d : r.get("devices")) creds.add(new BosonApi.Credentials(d.get("id").asText(), d.get("secret").asText()));
            done += batch;
        }
        List<String> lines = new ArrayList<>(count);
        List<String> ids = new ArrayList<>(count);
        for (BosonApi.Credentials c : creds) {
            lines.add(c.id() + " " + c.secret());
            ids.add(c.id());
        }
        Files.write(file, lines);
        byte[] product = BosonApi.JSON.writeValueAsBytes(Map.of("product",
                Map.of("name", "scale-" + System.nanoTime(), "description", "scale benchmark", "platform_id", 13)));
        long productId = api.expect(api.jsonRequest("POST", "/v1/user/products", product, Duration.ofMinutes(1)), 200)
                .get("product").get("id").asLong();
        for (int i = 0; i < ids.size(); i += 20_000) {
            byte[] body = BosonApi.JSON.writeValueAsBytes(Map.of("ids", ids.subList(i, Math.min(ids.size(), i + 20_000))));
            JsonNode r = api.expect(api.jsonRequest("POST", "/v1/products/" + productId + "/devices", body, Duration.ofMinutes(5)), 200);
            if (r.get("invalidDeviceIds").size() + r.get("nonmemberDeviceIds").size() > 0) throw new IOException("import: " + r);
        }
        log("%d devices registered and imported into product %d in %.1f s", count, productId, (System.nanoTime() - t0) / 1e9);
        return productId;
    }

    static List<LightFleet.Credentials> read(Path file, int from, int to) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<LightFleet.Credentials> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            String[] f = lines.get(i).split(" ");
            out.add(new LightFleet.Credentials(f[0], f[1]));
        }
        return out;
    }

    /**
     * Closed-loop callers of function {@code led} on a set of devices through the HTTP API, recording each call's
     * latency in whatever {@link Samples} is current (switch with {@link #phase}).
     */
    static final class Callers implements AutoCloseable {
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean running = true;
        private volatile Samples current;
        private volatile AtomicLong errors;
        volatile String lastError;

        Callers(BosonApi api, long product, List<String> deviceIds, int concurrency, Samples first, AtomicLong firstErrors)
                throws IOException {
            this.current = first;
            this.errors = firstErrors;
            List<HttpRequest> requests = new ArrayList<>();
            for (String id : deviceIds) {
                requests.add(api.jsonRequest("POST", "/v1/products/" + product + "/devices/" + id + "/led",
                        "{\"args\":\"on\"}".getBytes(), Duration.ofSeconds(30)));
            }
            AtomicLong next = new AtomicLong();
            for (int c = 0; c < concurrency; c++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    while (running) {
                        HttpRequest r = requests.get((int) (next.getAndIncrement() % requests.size()));
                        Samples s = current;
                        AtomicLong e = errors;
                        long t0 = System.nanoTime();
                        try {
                            if (api.call(r) != 1) throw new IOException("return_value not 1");
                            s.add(System.nanoTime() - t0);
                        } catch (Exception ex) {
                            e.incrementAndGet();
                            lastError = ex.getMessage();
                        }
                    }
                }));
            }
        }

        /** Records from now on into {@code samples} and {@code errorCount}. */
        void phase(Samples samples, AtomicLong errorCount) {
            this.current = samples;
            this.errors = errorCount;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            for (Thread t : threads) t.join(35_000);
        }
    }

    /** Memory of one server process: heap after a full GC and RSS, in KiB. */
    record Memory(long heapUsedKiB, long heapCommittedKiB, long rssKiB) {
        static Memory of(Path jcmd, long pid) throws IOException, InterruptedException {
            long[] heap = ProcessStats.heapAfterGcKiB(jcmd, pid);
            return new Memory(heap[0], heap[1], ProcessStats.rssKiB(pid));
        }
    }

    static String ms(Samples.Summary s) {
        return String.format(Locale.ROOT, "%d | %.1f | %.1f | %.1f | %.1f", s.count(), s.percentileMs(50), s.percentileMs(90),
                s.percentileMs(99), s.maxMs());
    }

    private ScaleBenchmark() {
    }
}
