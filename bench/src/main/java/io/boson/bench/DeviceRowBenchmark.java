package io.boson.bench;

import io.boson.Config;
import io.boson.devices.DeviceRepository;
import io.boson.store.Database;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a device row write costs on the embedded store, for devices that reported a describe and
 * vitals the size a real Device OS device sends (about 2 KB and 1 KB) against devices that reported
 * nothing (the baseline, in the same run and the same database): a connect (markOnline), last heard
 * (one batch for all), a disconnect (markOffline). Boson's own repository and migrations on an H2
 * file, no server. When the reports lived in the device row, every one of these writes rewrote
 * them; docs/benchmarks.md has the figures before and after they moved to their own table.
 *
 * <pre>bench/run rows [--devices 10000] [--rounds 3]</pre>
 */
public final class DeviceRowBenchmark {

    private DeviceRowBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int devices = 10_000;
        int rounds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--devices" -> devices = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: rows [--devices 10000] [--rounds 3]");
            }
        }
        Path dir = Files.createTempDirectory("boson-bench-rows-");
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "# Device row writes%n%n%,d devices with a describe"
                + " (%,d chars) and vitals (%,d chars), %,d without; embedded H2 in a fresh directory; best of %d rounds, µs per"
                + " device.%n%n| write | with reports | without (baseline) | ratio |%n|---|---|---|---|%n",
                devices, DESCRIBE.length(), VITALS.length(), devices, rounds));
        try (Database db = Database.open(Config.defaults().withDataDir(dir))) {
            DeviceRepository repo = new DeviceRepository(db.jdbi());
            List<String> reported = register(repo, "a", devices);
            List<String> plain = register(repo, "b", devices);
            for (String id : reported) {
                repo.saveDescribe(id, DESCRIBE, "6.2.0", 3);
                repo.saveVitals(id, VITALS, 1);
            }
            String[] names = {"connect (markOnline)", "last heard (one batch)", "disconnect (markOffline)"};
            double[][] best = new double[2][3];
            for (double[] b : best) java.util.Arrays.fill(b, Double.MAX_VALUE);
            for (int r = 0; r < rounds + 1; r++) {
                // Alternating which set goes first, so neither gets the warmer store every time.
                for (int k = 0; k < 2; k++) {
                    int set = (r + k) % 2;
                    double[] t = round(repo, set == 0 ? reported : plain, 1_000L * (r + 1));
                    if (r == 0) continue; // warm-up round
                    for (int i = 0; i < 3; i++) best[set][i] = Math.min(best[set][i], t[i]);
                }
            }
            for (int i = 0; i < 3; i++) {
                md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.2f |%n", names[i], best[0][i], best[1][i],
                        best[0][i] / best[1][i]));
            }
        }
        System.out.print(md);
        Path out = Path.of("bench", "target", "rows-benchmark.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println("\nResults written to " + out);
    }

    /** µs per device of each write over the set. */
    private static double[] round(DeviceRepository repo, List<String> ids, long at) {
        double[] t = new double[3];
        long t0 = System.nanoTime();
        for (String id : ids) repo.markOnline(id, "s" + at, "node", "10.0.0.1", at);
        t[0] = (System.nanoTime() - t0) / 1e3 / ids.size();
        Map<String, Long> heard = new HashMap<>();
        for (String id : ids) heard.put(id, at + 500);
        t0 = System.nanoTime();
        repo.updateLastHeard(heard);
        t[1] = (System.nanoTime() - t0) / 1e3 / ids.size();
        t0 = System.nanoTime();
        for (String id : ids) repo.markOffline(id, "s" + at, "gone", at + 900);
        t[2] = (System.nanoTime() - t0) / 1e3 / ids.size();
        return t;
    }

    private static List<String> register(DeviceRepository repo, String prefix, int n) {
        List<DeviceRepository.NewDevice> batch = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = prefix + String.format(Locale.ROOT, "%023x", i);
            ids.add(id);
            batch.add(new DeviceRepository.NewDevice(id, "x".repeat(64), 13));
            if (batch.size() == 1_000) {
                repo.register(batch, 0);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) repo.register(batch, 0);
        return ids;
    }

    /** A describe the size Device OS sends (modules with their dependencies), about 2 KB. */
    static final String DESCRIBE = "{\"f\":[\"led\",\"reset\"],\"v\":{\"temp\":\"double\",\"count\":\"int32\"},\"platform_id\":13,"
            + "\"system_version\":\"6.2.0\",\"m\":[" + "{\"s\":1048576,\"l\":\"m\",\"vc\":30,\"vv\":30,\"f\":\"s\",\"n\":\"1\",\"v\":6200,\"d\":[]},"
            .repeat(24) + "{\"s\":0}]}";
    /** Vitals the size Device OS sends, about 1 KB. */
    static final String VITALS = "{\"device\":{\"network\":{\"signal\":{\"at\":\"Wi-Fi\",\"strength\":82.5,\"quality\":70.2}},"
            + "\"cloud\":{\"connection\":{\"status\":\"connected\",\"attempts\":1},\"coap\":{\"transmit\":120,\"retransmit\":2}},"
            + "\"system\":{\"uptime\":86400,\"memory\":{\"used\":81920,\"total\":163840}},\"power\":{\"battery\":{\"charge\":"
            + "87.5,\"state\":\"discharging\"},\"source\":\"battery\"}},\"service\":{\"coap\":{\"round_trip\":210}},\"pad\":\""
            + "v".repeat(600) + "\"}";
}
