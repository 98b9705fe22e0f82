package io.boson.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** The results as markdown tables: printed as they come, and written whole at the end. */
final class Report {

    record Memory(long rssKiB, long heapUsedKiB, long heapCommittedKiB) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "RSS %.1f MiB, heap after GC %s", rssKiB / 1024.0,
                    heapUsedKiB < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB (committed %.1f MiB)",
                            heapUsedKiB / 1024.0, heapCommittedKiB / 1024.0));
        }
    }

    record BosonRun(int devices, int connected, double connectSeconds, int connectFailures, Memory idle, Memory loaded,
                    Memory afterTraffic, FanIn.Result events, RoundTrips.Result calls, long sseFrames, int serverWarnings) {
    }

    record MosquittoRun(int devices, int connected, double connectSeconds, int connectFailures, long rssIdleKiB,
                        long rssLoadedKiB, FanIn.Result events, RoundTrips.Result calls) {
    }

    /** Where the numbers were taken. */
    record Environment(String date, String cpu, int cores, String memory, String kernel, String java, String mosquitto) {

        static Environment probe(Path java, Options o) {
            String cpu = "unknown";
            String mem = "unknown";
            String kernel = "unknown";
            try {
                cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                        .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
                mem = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                        .findFirst().map(l -> String.format(Locale.ROOT, "%.1f GiB",
                                Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0)).orElse(mem);
                kernel = "Linux " + Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
            } catch (IOException | RuntimeException ignored) {
                // keep "unknown"
            }
            String jvm = System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version")
                    + " (" + java + ")";
            return new Environment(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), cpu,
                    Runtime.getRuntime().availableProcessors(), mem, kernel, jvm, o.skipMosquitto() ? "skipped" : mosquittoVersion(o.mosquittoBinary()));
        }

        private static String mosquittoVersion(String binary) {
            try {
                Process p = new ProcessBuilder(binary, "-h").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor(5, TimeUnit.SECONDS);
                return out.lines().filter(l -> l.startsWith("mosquitto version")).findFirst()
                        .map(l -> "Mosquitto " + l.substring("mosquitto version".length()).trim()).orElse("unknown");
            } catch (IOException | InterruptedException e) {
                return "unknown";
            }
        }
    }

    private final Options options;
    private final Environment env;
    private final List<String> sections = new ArrayList<>();
    private final List<String[]> summaryRows = new ArrayList<>();

    Report(Options options, Environment env) {
        this.options = options;
        this.env = env;
    }

    String header() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Boson first benchmark: results\n\n");
        sb.append(table(new String[] {"", ""}, List.of(
                row("date", env.date()),
                row("machine", env.cores() + " cores (" + env.cpu() + "), " + env.memory() + " RAM, " + env.kernel()),
                row("JVM (driver and server)", env.java()),
                row("Boson server JVM options", options.serverJvmOptions().isEmpty() ? "(defaults)"
                        : String.join(" ", options.serverJvmOptions())),
                row("baseline broker", options.skipMosquitto() ? "skipped" : options.privateMosquitto()
                        ? env.mosquitto() + ", a private instance per run (set_tcp_nodelay true, persistence false)"
                        : env.mosquitto() + " at " + options.mosquittoHost() + ":" + options.mosquittoPort()
                                + " (its own configuration)"),
                row("parameters", String.format(Locale.ROOT,
                        "devices %s; %.1f event/s per device; %d s measured per phase after %d s warm-up; "
                                + "%d concurrent callers; %d connects/s", options.devices(), options.rate(),
                        options.duration().toSeconds(), options.warmup().toSeconds(), options.concurrency(),
                        options.connectRate())))));
        return sb.toString();
    }

    void add(int n, BosonRun b, MosquittoRun m) {
        sections.add(section(n, b, m));
        summaryRows.add(row(
                Integer.toString(n),
                f1(b.events().deliveredPerSecond()) + " / " + (m == null ? "-" : f1(m.events().deliveredPerSecond())),
                m == null ? "-" : f2(b.events().deliveredPerSecond() / m.events().deliveredPerSecond()),
                ms(b.events().latency(), 50) + " / " + ms(b.events().latency(), 99),
                m == null ? "-" : ms(m.events().latency(), 50) + " / " + ms(m.events().latency(), 99),
                f1(b.calls().callsPerSecond()) + " / " + (m == null ? "-" : f1(m.calls().callsPerSecond())),
                m == null ? "-" : f2(b.calls().callsPerSecond() / m.calls().callsPerSecond()),
                ms(b.calls().latency(), 50) + " / " + ms(b.calls().latency(), 99),
                m == null ? "-" : ms(m.calls().latency(), 50) + " / " + ms(m.calls().latency(), 99),
                perDevice(b.loaded().heapUsedKiB() - b.idle().heapUsedKiB(), b.connected(), b.idle().heapUsedKiB() >= 0),
                perDevice(b.loaded().rssKiB() - b.idle().rssKiB(), b.connected(), true),
                m == null ? "-" : perDevice(m.rssLoadedKiB() - m.rssIdleKiB(), m.connected(), m.rssIdleKiB() >= 0)));
    }

    String summary() {
        return "## Summary\n\n" + table(new String[] {"N", "fan-in ev/s Boson / Mosq.", "ratio",
                "fan-in p50 / p99 ms Boson", "fan-in p50 / p99 ms Mosq.", "calls/s Boson / Mosq.", "ratio",
                "call p50 / p99 ms Boson", "call p50 / p99 ms Mosq.", "heap KiB/device Boson", "RSS KiB/device Boson",
                "RSS KiB/conn. Mosq."}, summaryRows);
    }

    String markdown() {
        StringBuilder sb = new StringBuilder(header()).append('\n').append(summary()).append('\n');
        for (String s : sections) sb.append(s).append('\n');
        return sb.toString();
    }

    String section(int n, BosonRun b, MosquittoRun m) {
        StringBuilder sb = new StringBuilder();
        sb.append("## N = ").append(n).append(" devices\n\n");
        FanIn.Result be = b.events();
        FanIn.Result me = m == null ? null : m.events();
        sb.append(String.format(Locale.ROOT, "### Event fan-in: %d publishers x %.1f/s (QoS 1) -> one subscriber, %.0f s%n%n",
                be.publishers(), be.ratePerPublisher(), be.seconds()));
        List<String[]> rows = new ArrayList<>();
        rows.add(row("offered (sent) events/s", f1(be.offeredPerSecond()), me == null ? "-" : f1(me.offeredPerSecond()), ""));
        rows.add(row("delivered events/s", f1(be.deliveredPerSecond()), me == null ? "-" : f1(me.deliveredPerSecond()),
                me == null ? "" : f2(be.deliveredPerSecond() / me.deliveredPerSecond())));
        rows.add(row("delivered / offered", pct(be.delivered(), be.offered()), me == null ? "-" : pct(me.delivered(), me.offered()), ""));
        rows.add(row("not delivered (rate-limited, refused, failed)",
                lossText(be), me == null ? "-" : lossText(me), ""));
        for (double p : new double[] {50, 90, 99, 99.9}) {
            rows.add(row("latency p" + trim(p) + " ms", ms(be.latency(), p), me == null ? "-" : ms(me.latency(), p),
                    me == null ? "" : f2(be.latency().percentileMs(p) / me.latency().percentileMs(p))));
        }
        rows.add(row("latency max ms", f2(be.latency().maxMs()), me == null ? "-" : f2(me.latency().maxMs()), ""));
        rows.add(row("server CPU, cores", f2(be.serverCores()), me == null ? "-" : f2(me.serverCores()), ""));
        rows.add(row("server CPU per event, us", f0(1e6 * be.serverCores() / be.deliveredPerSecond()),
                me == null ? "-" : f0(1e6 * me.serverCores() / me.deliveredPerSecond()),
                me == null ? "" : f2(be.serverCores() / be.deliveredPerSecond() / (me.serverCores() / me.deliveredPerSecond()))));
        rows.add(row("driver CPU, cores", f2(be.driverCores()), me == null ? "-" : f2(me.driverCores()), ""));
        sb.append(table(new String[] {"", "Boson (MQTT -> SSE)", "Mosquitto (MQTT -> MQTT)", "Boson / Mosquitto"}, rows));

        RoundTrips.Result bc = b.calls();
        RoundTrips.Result mc = m == null ? null : m.calls();
        sb.append(String.format(Locale.ROOT, "%n### Function calls: %d concurrent callers over %d devices, %.0f s%n%n",
                bc.concurrency(), b.connected(), bc.seconds()));
        rows = new ArrayList<>();
        rows.add(row("calls/s", f1(bc.callsPerSecond()), mc == null ? "-" : f1(mc.callsPerSecond()),
                mc == null ? "" : f2(bc.callsPerSecond() / mc.callsPerSecond())));
        for (double p : new double[] {50, 90, 99, 99.9}) {
            rows.add(row("latency p" + trim(p) + " ms", ms(bc.latency(), p), mc == null ? "-" : ms(mc.latency(), p),
                    mc == null ? "" : f2(bc.latency().percentileMs(p) / mc.latency().percentileMs(p))));
        }
        rows.add(row("latency max ms", f2(bc.latency().maxMs()), mc == null ? "-" : f2(mc.latency().maxMs()), ""));
        rows.add(row("errors", errorText(bc), mc == null ? "-" : errorText(mc), ""));
        rows.add(row("server CPU, cores", f2(bc.serverCores()), mc == null ? "-" : f2(mc.serverCores()), ""));
        rows.add(row("server CPU per call, us", f0(1e6 * bc.serverCores() / bc.callsPerSecond()),
                mc == null ? "-" : f0(1e6 * mc.serverCores() / mc.callsPerSecond()),
                mc == null ? "" : f2(bc.serverCores() / bc.callsPerSecond() / (mc.serverCores() / mc.callsPerSecond()))));
        rows.add(row("driver CPU, cores", f2(bc.driverCores()), mc == null ? "-" : f2(mc.driverCores()), ""));
        sb.append(table(new String[] {"", "Boson (HTTP -> MQTT -> HTTP)", "Mosquitto (MQTT 5 request/response)",
                "Boson / Mosquitto"}, rows));

        sb.append(String.format(Locale.ROOT, "%n### Memory per connected device (server process, idle devices)%n%n"));
        rows = new ArrayList<>();
        rows.add(row("devices connected (connect time)", b.connected() + " of " + n + " (" + f1(b.connectSeconds()) + " s)",
                m == null ? "-" : m.connected() + " of " + n + " (" + f1(m.connectSeconds()) + " s)"));
        rows.add(row("RSS, 0 connected", mib(b.idle().rssKiB()), m == null ? "-" : mib(m.rssIdleKiB())));
        rows.add(row("RSS, N connected", mib(b.loaded().rssKiB()), m == null ? "-" : mib(m.rssLoadedKiB())));
        rows.add(row("RSS per connected device", perDevice(b.loaded().rssKiB() - b.idle().rssKiB(), b.connected(), true) + " KiB",
                m == null ? "-" : perDevice(m.rssLoadedKiB() - m.rssIdleKiB(), m.connected(), m.rssIdleKiB() >= 0) + " KiB"));
        rows.add(row("heap after full GC, 0 connected", mib(b.idle().heapUsedKiB()), "n/a"));
        rows.add(row("heap after full GC, N connected", mib(b.loaded().heapUsedKiB()), "n/a"));
        rows.add(row("heap per connected device", perDevice(b.loaded().heapUsedKiB() - b.idle().heapUsedKiB(), b.connected(),
                b.idle().heapUsedKiB() >= 0) + " KiB", "n/a"));
        rows.add(row("heap committed, 0 / N connected", mib(b.idle().heapCommittedKiB()) + " / "
                + mib(b.loaded().heapCommittedKiB()), "n/a"));
        rows.add(row("heap after full GC, N connected, after both traffic phases", mib(b.afterTraffic().heapUsedKiB()), "n/a"));
        rows.add(row("RSS after both traffic phases", mib(b.afterTraffic().rssKiB()), "n/a"));
        sb.append(table(new String[] {"", "Boson", "Mosquitto"}, rows));
        sb.append(String.format(Locale.ROOT, "%nSSE frames read: %d; WARN/ERROR lines in the server log: %d.%n",
                b.sseFrames(), b.serverWarnings()));
        return sb.toString();
    }

    // --- formatting ----------------------------------------------------------------------------

    private static String lossText(FanIn.Result r) {
        return String.format(Locale.ROOT, "%d (%d, %d, %d)", r.lost(), r.rateLimited(), r.refused(), r.failed());
    }

    private static String errorText(RoundTrips.Result r) {
        return r.errors() == 0 ? "0" : r.errors() + " (first: " + r.firstError() + ")";
    }

    private static String perDevice(long deltaKiB, int devices, boolean known) {
        if (!known || devices == 0) return "n/a";
        return f1(deltaKiB / (double) devices);
    }

    private static String mib(long kib) {
        return kib < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
    }

    private static String ms(Samples.Summary s, double p) {
        return f2(s.percentileMs(p));
    }

    private static String pct(long part, long whole) {
        return whole == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f %%", 100.0 * part / whole);
    }

    private static String f0(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String f1(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f2(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String trim(double p) {
        return p == Math.rint(p) ? Integer.toString((int) p) : Double.toString(p);
    }

    private static String[] row(String... cells) {
        return cells;
    }

    /** A markdown table with padded columns, readable as plain text too. */
    static String table(String[] header, List<String[]> rows) {
        int[] w = new int[header.length];
        for (int i = 0; i < header.length; i++) w[i] = Math.max(3, header[i].length());
        for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        StringBuilder sb = new StringBuilder();
        line(sb, header, w);
        String[] rule = new String[header.length];
        for (int i = 0; i < header.length; i++) rule[i] = "-".repeat(w[i]);
        line(sb, rule, w);
        for (String[] r : rows) line(sb, r, w);
        return sb.toString();
    }

    private static void line(StringBuilder sb, String[] cells, int[] w) {
        sb.append('|');
        for (int i = 0; i < w.length; i++) {
            String c = i < cells.length ? cells[i] : "";
            sb.append(' ').append(c).append(" ".repeat(w[i] - c.length())).append(" |");
        }
        sb.append('\n');
    }
}
