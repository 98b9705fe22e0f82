package io.boson.bench;

import io.boson.Config;
import io.boson.store.Database;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What one event costs the embedded store's event history, and how much of it is the index by
 * device ({@code event_history_device (scope, coreid, id)}, which serves a device's history and a
 * device stream's resume): rows written as the history's flushes write them (one transaction per
 * flush, {@code devices} events in each, every device publishing in turn into one product scope)
 * into Boson's own {@code event_history} table (migrations applied, H2 file, no server) and into a
 * copy of it without the device index (the baseline), rounds alternating, same run, same database.
 *
 * With {@code --flush N} each transaction holds N events (as a history that flushed less often), and
 * with {@code --sorted} they are written ordered by device, so that each device's events land on its
 * index page together.
 *
 * <pre>bench/run history-store [--devices 2000] [--rows 200000] [--rounds 3] [--flush N] [--sorted]</pre>
 */
public final class HistoryStoreBenchmark {

    private HistoryStoreBenchmark() {
    }

    private static final String COLUMNS = "id, scope, name, data, base64, ttl, published_at, coreid, product_id";

    public static void main(String[] args) throws Exception {
        int devices = 2_000;
        int rows = 200_000;
        int rounds = 3;
        int flushEvents = 0;
        boolean sorted = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--devices" -> devices = Integer.parseInt(args[++i]);
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--flush" -> flushEvents = Integer.parseInt(args[++i]);
                case "--sorted" -> sorted = true;
                default -> throw new IllegalArgumentException(
                        "usage: history-store [--devices 2000] [--rows 200000] [--rounds 3] [--flush N] [--sorted]");
            }
        }
        int perFlush = flushEvents > 0 ? flushEvents : devices;
        boolean bySorted = sorted;
        String[] cores = new String[devices];
        for (int i = 0; i < devices; i++) cores[i] = String.format(Locale.ROOT, "%024x", 0xe00fce68L * 1_000_003L + i * 7_919L);
        Path dir = Files.createTempDirectory("boson-bench-history-");
        String[] tables = {"event_history", "event_history_baseline"};
        double[][] cpu = new double[2][rounds];
        double[][] wall = new double[2][rounds];
        try (Database db = Database.open(Config.defaults().withDataDir(dir))) {
            db.jdbi().useHandle(h -> h.execute("""
                    CREATE TABLE event_history_baseline (
                        scope VARCHAR(24) NOT NULL, id BIGINT NOT NULL, name VARCHAR(64) NOT NULL, data VARCHAR(16000),
                        base64 BOOLEAN NOT NULL, ttl INT NOT NULL, published_at BIGINT NOT NULL, coreid VARCHAR(24) NOT NULL,
                        product_id INT, PRIMARY KEY (scope, id))"""));
            db.jdbi().useHandle(h -> h.execute("CREATE INDEX event_history_baseline_id ON event_history_baseline(id)"));
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long[] ids = {0, 0};
            // A first unmeasured round of each (JIT, the first pages), then the measured ones, alternating which goes first.
            for (int r = -1; r < rounds; r++) {
                for (int k = 0; k < 2; k++) {
                    int t = Math.floorMod(r + k, 2);
                    long c0 = mx.getCurrentThreadCpuTime();
                    long w0 = System.nanoTime();
                    int perRound = r < 0 ? rows / 4 : rows;
                    for (int done = 0; done < perRound; done += perFlush) {
                        int n = Math.min(perFlush, perRound - done);
                        long first = ids[t];
                        db.jdbi().useTransaction(h -> flush(h, tables[t], first, n, cores, bySorted));
                        ids[t] += n;
                    }
                    if (r >= 0) {
                        cpu[t][r] = (mx.getCurrentThreadCpuTime() - c0) / 1_000.0 / perRound;
                        wall[t][r] = (System.nanoTime() - w0) / 1_000.0 / perRound;
                    }
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "# Event history writes on the embedded store%n%n"
                + "%,d devices publishing in turn into one product scope; flushes of %,d events%s, one transaction each; %,d rows"
                + " per round, %d rounds per table, alternating; Boson's event_history (with its index by device) against a copy"
                + " without that index. µs per event, on the writing thread.%n%n"
                + "| table | CPU per event, rounds | wall per event, rounds |%n|---|---|---|%n", devices, perFlush,
                sorted ? " written in device order" : "", rows, rounds));
        for (int t = 0; t < 2; t++) {
            md.append("| ").append(t == 0 ? "event_history (as shipped)" : "without the device index (baseline)")
                    .append(" | ").append(list(cpu[t])).append(" | ").append(list(wall[t])).append(" |\n");
        }
        double shipped = min(cpu[0]);
        double baseline = min(cpu[1]);
        md.append(String.format(Locale.ROOT, "%nBest rounds: %.1f µs against %.1f µs of CPU per event: the index by device is"
                + " %.0f%% of an event's write.%n", shipped, baseline, 100 * (shipped - baseline) / shipped));
        Path out = Path.of("bench/target/history-store-benchmark.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md);
        System.out.print(md);
    }

    private static void flush(Handle h, String table, long firstId, int n, String[] cores, boolean sorted) {
        PreparedBatch b = h.prepareBatch("INSERT INTO " + table + "(" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        long[] order = new long[n];
        for (int i = 0; i < n; i++) order[i] = firstId + i;
        if (sorted) {
            // By device (the id's device is id % devices), each device's events in id order.
            order = java.util.Arrays.stream(order).boxed()
                    .sorted(java.util.Comparator.comparingLong((Long id) -> id % cores.length).thenComparingLong(id -> id))
                    .mapToLong(Long::longValue).toArray();
        }
        for (long id : order) {
            b.bind(0, (1_700_000_000_000L + id) << 8).bind(1, "p1001").bind(2, "temperature")
                    .bind(3, "{\"t\":21.5,\"seq\":" + id + "}").bind(4, false).bind(5, 60)
                    .bind(6, 1_700_000_000_000L + id).bind(7, cores[(int) (id % cores.length)]).bind(8, 1001);
            b.add();
        }
        b.execute();
    }

    private static String list(double[] v) {
        StringBuilder s = new StringBuilder();
        for (double d : v) s.append(s.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", d));
        return s.toString();
    }

    private static double min(double[] v) {
        double m = Double.MAX_VALUE;
        for (double d : v) m = Math.min(m, d);
        return m;
    }
}
