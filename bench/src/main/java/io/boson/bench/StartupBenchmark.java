package io.boson.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cold start and idle memory of {@code boson serve} on an existing data directory: each variant is started
 * as its own process N times (rounds interleave the variants, so a change in the machine's load falls on all
 * of them), timed from process start to the first 200 answer of {@code GET /v1/user} with a token issued in
 * an earlier run (an authenticated API call: token lookup in the database, JSON out), and its RSS read after
 * it has been idle for a while. Beside it, in the same run: the JVM floor ({@code java -version}), a Javalin
 * app with one route from a fat jar of the same libraries, the shipped jar under a plain {@code java -jar}
 * and, with {@code --baseline-jar}, an earlier build the same way. See docs/benchmarks.md.
 */
public final class StartupBenchmark {

    static final String USAGE = """
            StartupBenchmark: time to the first answered request and idle RSS of `boson serve` on an existing data dir.

              --starts N            starts per variant (default 5)
              --idle-seconds S      seconds the server idles before its RSS is read (default 10)
              --server-jar PATH     the jar ./boson runs (default server/target/boson.jar)
              --script PATH         the launcher (default ./boson); its variants run `boson serve` through it
              --bench-jar PATH      this benchmark's jar, for the Javalin floor (default bench/target/boson-bench.jar)
              --baseline-jar PATH   an earlier build, started as `java -jar` on its own data dir (default none)
              --out FILE            markdown results (default bench/target/startup-benchmark.md)
            """;

    private static final String PASSWORD = "startup-bench-password-1";
    private static final Pattern TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

    record Options(int starts, int idleSeconds, Path serverJar, Path script, Path benchJar, Path baselineJar, Path out) {
        static Options parse(String[] args) {
            int starts = 5, idle = 10;
            Path jar = Path.of("server/target/boson.jar"), script = Path.of("boson"), bench = Path.of("bench/target/boson-bench.jar");
            Path baseline = null, out = Path.of("bench/target/startup-benchmark.md");
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help")) throw new IllegalArgumentException(USAGE);
                if (i + 1 >= args.length) throw new IllegalArgumentException("missing value of " + a + "\n" + USAGE);
                String v = args[++i];
                switch (a) {
                    case "--starts" -> starts = Integer.parseInt(v);
                    case "--idle-seconds" -> idle = Integer.parseInt(v);
                    case "--server-jar" -> jar = Path.of(v);
                    case "--script" -> script = Path.of(v);
                    case "--bench-jar" -> bench = Path.of(v);
                    case "--baseline-jar" -> baseline = Path.of(v);
                    case "--out" -> out = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
                }
            }
            return new Options(starts, idle, jar, script, bench, baseline, out);
        }
    }

    /** One way of starting: its command (PORT and DIR are filled in per start), environment and data directory. */
    record Variant(String name, List<String> command, Map<String, String> env, Path dataDir, boolean exits) {
        List<String> commandFor(int port) {
            return command.stream().map(s -> s.replace("PORT", Integer.toString(port))
                    .replace("DIR", dataDir == null ? "" : dataDir.toString())).toList();
        }
    }

    record Start(double millis, double cpuMillis, long rssKiB) {
    }

    public static void main(String[] args) throws Exception {
        Launch.main(args, Options::parse, Options::serverJar, StartupBenchmark::run);
    }

    static void run(Options o) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path work = Files.createTempDirectory("boson-bench-startup");
        List<String> serve = List.of("serve", "--data-dir", "DIR", "--bind", "127.0.0.1", "--http-port", "PORT", "--mqtt-port", "0");
        Map<String, String> env = Map.of("BOSON_ADMIN_USERNAME", "admin", "BOSON_ADMIN_PASSWORD", PASSWORD);
        Path dir = work.resolve("data");
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("`java -version` (JVM floor; to exit)", List.of(java, "-version"), Map.of(), null, true));
        variants.add(new Variant("Javalin, one route, from the benchmark's fat jar", List.of(java, "-cp", o.benchJar().toString(),
                HelloJavalin.class.getName(), "PORT"), Map.of(), null, false));
        if (o.baselineJar() != null) {
            variants.add(new Variant("baseline jar, `java -jar` (as ./boson ran it before)", concat(List.of(java, "-jar",
                    o.baselineJar().toString()), serve), env, work.resolve("baseline-data"), false));
        }
        variants.add(new Variant("this jar, `java -jar` (no options, no cache)", concat(List.of(java, "-jar",
                o.serverJar().toString()), serve), env, dir, false));
        Map<String, String> noCache = new LinkedHashMap<>(env);
        noCache.put("BOSON_AOT", "off");
        variants.add(new Variant("`./boson serve`, BOSON_AOT=off (default JVM options, no cache)",
                concat(List.of(o.script().toString()), serve), noCache, dir, false));
        variants.add(new Variant("`./boson serve` (default JVM options + AOT cache)", concat(List.of(o.script().toString()), serve),
                env, dir, false));

        StringBuilder md = new StringBuilder();
        md.append("# Start-up and idle memory\n\n").append(Instant.now()).append(", ").append(machine())
                .append(", load average at start ").append(loadAverage()).append("\n\n");
        // First runs: create each data directory (migrations), issue the token every timed start asks with,
        // and let ./boson make its AOT cache (timed, for the record: it happens once per build).
        Map<Path, String> tokens = new LinkedHashMap<>();
        for (Variant v : variants) {
            if (v.dataDir() == null || tokens.containsKey(v.dataDir())) continue;
            long t0 = System.nanoTime();
            Variant first = v;
            try (Running r = Running.start(first, env)) {
                r.awaitAnswer(null);
                tokens.put(v.dataDir(), r.token());
            }
            md.append(String.format(Locale.ROOT, "First run on a new data directory (%s): %.1f s%n%n", first.name(),
                    (System.nanoTime() - t0) / 1e9));
        }
        // ./boson makes its AOT cache on the first serve that finds none or a stale one: this run does (not timed).
        try (Running r = Running.start(variants.getLast(), env)) {
            r.awaitAnswer(tokens.get(dir));
        }

        Map<Variant, List<Start>> results = new LinkedHashMap<>();
        for (int round = 0; round < o.starts(); round++) {
            for (Variant v : variants) {
                Start s = v.exits() ? exitTime(v) : timedStart(v, tokens.get(v.dataDir()), o.idleSeconds());
                results.computeIfAbsent(v, k -> new ArrayList<>()).add(s);
                System.out.printf(Locale.ROOT, "round %d  %-70s %7.0f ms  cpu %6.0f ms  rss %s%n", round + 1, v.name(), s.millis(),
                        s.cpuMillis(), s.rssKiB() < 0 ? "-" : s.rssKiB() / 1024 + " MiB");
            }
        }
        md.append("| variant | starts | to first answer, ms: median [min–max] | CPU to first answer, ms: median [min–max] "
                + "| RSS after ").append(o.idleSeconds()).append(" s idle, MiB: median [min–max] |\n|---|---|---|---|---|\n");
        for (var e : results.entrySet()) {
            List<Start> s = e.getValue();
            md.append("| ").append(e.getKey().name()).append(" | ").append(s.size())
                    .append(" | ").append(range(s.stream().mapToDouble(Start::millis).toArray(), 1))
                    .append(" | ").append(range(s.stream().mapToDouble(Start::cpuMillis).toArray(), 1))
                    .append(" | ").append(e.getKey().exits() ? "–" : range(s.stream().mapToDouble(x -> x.rssKiB()).toArray(), 1024))
                    .append(" |\n");
        }
        md.append("\nLoad average at the end ").append(loadAverage()).append(". CPU is the server process's user + system time"
                + " (with its waited-for children, i.e. the script's) when the first answer arrived: on a shared machine it moves"
                + " less than the wall-clock time.\n");
        Files.createDirectories(o.out().toAbsolutePath().getParent());
        Files.writeString(o.out(), md);
        System.out.println();
        System.out.println(md);
        System.out.println("written to " + o.out());
        deleteTree(work);
    }

    private static Start exitTime(Variant v) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(v.commandFor(0)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor();
        return new Start((System.nanoTime() - t0) / 1e6, Double.NaN, -1);
    }

    private static Start timedStart(Variant v, String token, int idleSeconds) throws Exception {
        try (Running r = Running.start(v, v.env())) {
            double millis = r.awaitAnswer(token);
            double cpu = r.cpuMillis();
            Thread.sleep(idleSeconds * 1000L);
            return new Start(millis, cpu, ProcessStats.rssKiB(r.process.pid()));
        }
    }

    /** A started server on a port of its own, its output in a log file beside its data. */
    private static final class Running implements AutoCloseable {
        final Process process;
        final int port;
        final long startNanos;
        final Path log;

        private Running(Process process, int port, long startNanos, Path log) {
            this.process = process;
            this.port = port;
            this.startNanos = startNanos;
            this.log = log;
        }

        static Running start(Variant v, Map<String, String> env) throws IOException {
            int port = freePort();
            Path log = Files.createTempFile("boson-bench-startup", ".log");
            ProcessBuilder pb = new ProcessBuilder(v.commandFor(port)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            long t0 = System.nanoTime();
            return new Running(pb.start(), port, t0, log);
        }

        /** Polls GET /v1/user with the token until it answers 200 (without one, until it answers); milliseconds since the
         *  process started. */
        double awaitAnswer(String token) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) throw new IOException("the server exited; its output:\n" + Files.readString(log));
                int status = get(port, "/v1/user", token);
                // Without a token (a first run, or the Javalin floor): any answer of the API counts.
                if (status == 200 || (token == null && status > 0)) {
                    return (System.nanoTime() - startNanos) / 1e6;
                }
                Thread.sleep(5);
            }
            throw new IOException("no answer within 10 minutes; output:\n" + Files.readString(log));
        }

        /** A token for the admin (the first run of a data directory). */
        String token() throws IOException, InterruptedException {
            try (HttpClient http = HttpClient.newHttpClient()) {
                String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&client_id=particle&client_secret=particle"
                                + "&username=admin&password=" + PASSWORD)).build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = TOKEN.matcher(body);
                if (!m.find()) throw new IOException("no token: " + body);
                return m.group(1);
            }
        }

        /** User + system CPU of the process and of its waited-for children (/proc/PID/stat fields 14 to 17). */
        double cpuMillis() {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
                return ticks * 1000.0 / 100; // USER_HZ is 100 on Linux
            } catch (IOException | RuntimeException e) {
                return Double.NaN;
            }
        }

        @Override
        public void close() throws InterruptedException, IOException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
        }
    }

    /** A bare HTTP/1.1 GET on a new connection (TCP_NODELAY): its status, or -1 when nothing listens yet. */
    static int get(int port, String path, String token) {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = new byte[12];
            int n = in.readNBytes(head, 0, 12);
            if (n < 12) return -1;
            return Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII));
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String range(double[] values, double unit) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        if (v.length == 0 || Double.isNaN(v[0])) return "–";
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return String.format(Locale.ROOT, "%.0f [%.0f–%.0f]", median / unit, v[0] / unit, v[v.length - 1] / unit);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String machine() {
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException ignored) {
            // not Linux: the table still stands
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), JDK " + System.getProperty("java.runtime.version");
    }

    private static void deleteTree(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
