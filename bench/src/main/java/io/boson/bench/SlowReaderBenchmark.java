package io.boson.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Devices that do not read (docs/benchmarks.md, "Devices that stop reading"): N devices of one
 * owner, each subscribed to {@code c/#} and each publishing one event a second, so the cloud owes
 * them N × N deliveries a second, and none of them reads. Reports the server's RSS over the run and
 * what the owner's SSE stream received and how late. Run against the current jar and, when given, a
 * baseline jar (an earlier build) in the same run.
 *
 * <pre>bench/run slow-readers [--devices 1000] [--duration 20] [--baseline-jar old-boson.jar]</pre>
 */
public final class SlowReaderBenchmark {

    record Options(int devices, int seconds, Path serverJar, Path baselineJar) {
        static Options parse(String[] args) {
            int devices = 1000;
            int seconds = 20;
            Path jar = Path.of("server/target/boson.jar");
            Path baseline = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--devices" -> devices = Integer.parseInt(args[++i]);
                    case "--duration" -> seconds = Integer.parseInt(args[++i]);
                    case "--server-jar" -> jar = Path.of(args[++i]);
                    case "--baseline-jar" -> baseline = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException(
                            "usage: slow-readers [--devices N] [--duration S] [--server-jar P] [--baseline-jar P]");
                }
            }
            return new Options(devices, seconds, jar, baseline);
        }
    }

    record Result(String label, long publishedEvents, long sseReceived, long sseLagP50, long sseLagP99, long maxRssMiB,
                  long lastRssMiB, long heapAfterGcMiB, double serverCores) {
    }

    private SlowReaderBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Launch.main(args, Options::parse, Options::serverJar, SlowReaderBenchmark::run);
    }

    static void run(Options o) throws Exception {
        List<Result> results = new ArrayList<>();
        if (o.baselineJar() != null) results.add(measure("baseline (" + o.baselineJar().getFileName() + ")", o.baselineJar(), o));
        results.add(measure("this build", o.serverJar(), o));
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "# Devices that stop reading: %d devices, %d s%n%n", o.devices(), o.seconds()));
        md.append("| server | events published | owner's SSE received | SSE lag p50 / p99 (ms) | RSS max / at end (MiB) "
                + "| heap after GC, devices still stuck (MiB) | server cores |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d / %,d | %,d / %,d | %s | %.2f |%n", r.label(),
                    r.publishedEvents(), r.sseReceived(), r.sseLagP50(), r.sseLagP99(), r.maxRssMiB(), r.lastRssMiB(),
                    r.heapAfterGcMiB() < 0 ? "no answer to jcmd" : String.format(Locale.ROOT, "%,d", r.heapAfterGcMiB()),
                    r.serverCores()));
        }
        Path out = Path.of("bench/target/slow-readers-benchmark.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.print(md);
    }

    static Result measure(String label, Path jar, Options o) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path data = Files.createTempDirectory("boson-slow-bench");
        String password = "bench-" + UUID.randomUUID();
        // A heap of 512 MiB (and so, by the JVM's default, at most 512 MiB of direct buffers): what the
        // server holds for devices that do not read shows in RSS instead of hiding in a large heap.
        try (BosonServer server = BosonServer.start(java, jar, List.of("-Xmx512m"), password, data)) {
            BosonApi api = new BosonApi(BosonApi.newClient(), URI.create("http://127.0.0.1:" + server.httpPort()));
            api.login("admin", password);
            List<BosonApi.Credentials> creds = api.register(o.devices());
            List<Socket> sockets = new ArrayList<>();
            try {
                for (BosonApi.Credentials c : creds) sockets.add(connect(server.mqttPort(), c));
                for (BosonApi.Credentials c : creds) api.claim(c.id());
                ConcurrentLinkedQueue<Long> lags = new ConcurrentLinkedQueue<>();
                AtomicLong received = new AtomicLong();
                URI stream = api.base().resolve("/v1/devices/events/tick");
                try (SseSubscriber sse = SseSubscriber.open(BosonApi.newClient(), stream, api.token(), "tick", (sent, at) -> {
                    received.incrementAndGet();
                    lags.add(System.currentTimeMillis() - Long.parseLong(sent));
                })) {
                    ProcessStats.CpuMeter cpu = new ProcessStats.CpuMeter(server.pid());
                    long maxRss = 0;
                    long published = 0;
                    long start = System.nanoTime();
                    for (int second = 0; second < o.seconds(); second++) {
                        // Each device publishes once this second, spread over the second.
                        long secondStart = start + second * 1_000_000_000L;
                        for (int d = 0; d < sockets.size(); d++) {
                            long due = secondStart + (long) d * 1_000_000_000L / sockets.size();
                            long wait = due - System.nanoTime();
                            if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            publish(sockets.get(d), "e/tick", Long.toString(System.currentTimeMillis()));
                            published++;
                        }
                        maxRss = Math.max(maxRss, ProcessStats.rssKiB(server.pid()) / 1024);
                    }
                    Thread.sleep(3000);
                    long lastRss = ProcessStats.rssKiB(server.pid()) / 1024;
                    maxRss = Math.max(maxRss, lastRss);
                    double cores = cpu.coresSinceStart()[0];
                    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
                    long heapAfterGc;
                    try {
                        heapAfterGc = ProcessStats.heapAfterGcKiB(jcmd, server.pid())[0] / 1024;
                    } catch (java.io.IOException e) {
                        heapAfterGc = -1; // the server did not even answer jcmd: reported as such
                    }
                    long[] sorted = lags.stream().mapToLong(Long::longValue).sorted().toArray();
                    return new Result(label, published, received.get(), percentile(sorted, 0.50), percentile(sorted, 0.99),
                            maxRss, lastRss, heapAfterGc, cores);
                }
            } finally {
                for (Socket s : sockets) s.close();
            }
        }
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) return -1;
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }

    /** An MQTT 3.1.1 device on a plain socket: CONNECT, SUBSCRIBE c/#, and it never reads again. */
    private static Socket connect(int port, BosonApi.Credentials c) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setReceiveBufferSize(8192);
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(10_000);
        ByteArrayOutputStream connect = new ByteArrayOutputStream();
        connect.write(new byte[]{0, 4, 'M', 'Q', 'T', 'T', 4, (byte) 0xC2, 0, 60});
        utf8(connect, c.id());
        utf8(connect, c.id());
        utf8(connect, c.secret());
        packet(s.getOutputStream(), 0x10, connect.toByteArray());
        InputStream in = s.getInputStream();
        byte[] connack = in.readNBytes(4);
        if (connack.length != 4 || connack[3] != 0) throw new IOException("device " + c.id() + " was refused");
        ByteArrayOutputStream subscribe = new ByteArrayOutputStream();
        subscribe.write(new byte[]{0, 1});
        utf8(subscribe, "c/#");
        subscribe.write(0);
        packet(s.getOutputStream(), 0x82, subscribe.toByteArray());
        in.readNBytes(5);
        return s;
    }

    private static void publish(Socket s, String topic, String payload) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        utf8(p, topic);
        p.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        packet(s.getOutputStream(), 0x30, p.toByteArray());
    }

    private static void utf8(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.writeBytes(b);
    }

    private static void packet(OutputStream out, int type, byte[] body) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(type);
        int len = body.length;
        do {
            int digit = len % 128;
            len /= 128;
            p.write(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        p.writeBytes(body);
        out.write(p.toByteArray());
        out.flush();
    }
}
