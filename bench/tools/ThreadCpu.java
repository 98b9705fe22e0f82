import java.nio.file.*;
import java.util.*;

/**
 * CPU per thread of a running process, grouped by thread name with digits folded ("ForkJoinPool-#-worker-#"),
 * over a window: user + system milliseconds per second, from /proc/PID/task/TID/stat (docs/benchmarks.md,
 * "A fan-in event's CPU by thread, and three cuts"). Start it in the middle of a benchmark's measured window:
 *
 *   java bench/tools/ThreadCpu.java SERVER_PID 15    (the server's JVM: jps -l, or ps)
 */
public class ThreadCpu {
    record Ticks(String name, long user, long system) {}

    public static void main(String[] a) throws Exception {
        long pid = Long.parseLong(a[0]);
        double seconds = a.length > 1 ? Double.parseDouble(a[1]) : 15;
        double hz = 100; // USER_HZ: 100 on Linux
        Map<String, Ticks> before = snapshot(pid);
        Thread.sleep((long) (seconds * 1000));
        Map<String, Ticks> after = snapshot(pid);
        Map<String, long[]> groups = new TreeMap<>();
        after.forEach((tid, t) -> {
            Ticks b = before.getOrDefault(tid, new Ticks(t.name(), 0, 0));
            long[] g = groups.computeIfAbsent(t.name().replaceAll("\\d+", "#"), k -> new long[2]);
            g[0] += t.user() - b.user();
            g[1] += t.system() - b.system();
        });
        double total = groups.values().stream().mapToLong(g -> g[0] + g[1]).sum() / hz / seconds * 1000;
        System.out.printf(Locale.ROOT, "process %d: %.0f ms of CPU per second over %.0f s%n", pid, total, seconds);
        groups.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -(e.getValue()[0] + e.getValue()[1])))
                .limit(15)
                .forEach(e -> System.out.printf(Locale.ROOT, "  %-32s %6.1f ms/s (system %5.1f)%n", e.getKey(),
                        (e.getValue()[0] + e.getValue()[1]) / hz / seconds * 1000, e.getValue()[1] / hz / seconds * 1000));
    }

    static Map<String, Ticks> snapshot(long pid) throws Exception {
        Map<String, Ticks> out = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (java.io.IOException ended) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                out.put(task.getFileName().toString(), new Ticks(name, Long.parseLong(f[11]), Long.parseLong(f[12])));
            }
        }
        return out;
    }
}
