package io.boson.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benchmark reads about processes: resident memory and CPU time from {@code /proc}, and
 * the live heap of a JVM through {@code jcmd} (a full GC first, so "used" is what survives one).
 */
final class ProcessStats {

    // JDK 25: "garbage-first heap   total reserved 6172672K, committed 28672K, used 2913K [...]";
    // JDK 21: "garbage-first heap   total 28672K, used 2913K [...]" (total = committed).
    private static final Pattern HEAP_LINE =
            Pattern.compile("heap\\s+total (?:reserved \\d+K, committed )?(\\d+)K, used (\\d+)K");
    private static final Pattern GENERATION_LINE = Pattern.compile("(?m)^\\w+\\s+total (\\d+)K, used (\\d+)K");
    private static final long CLOCK_TICKS = clockTicks();

    private ProcessStats() {
    }

    /** VmRSS of a process in KiB, or -1 when it cannot be read. */
    static long rssKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Files a process has open now (/proc/PID/fd), or -1 when that cannot be read. */
    static long openFiles(long pid) {
        String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** User plus system CPU time of a process in nanoseconds, from /proc/PID/stat; -1 when unreadable. */
    static long cpuNanos(long pid) {
        if (pid == ProcessHandle.current().pid()) {
            var os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getProcessCpuTime();
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may contain spaces; fields after the closing parenthesis are fixed.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
            return ticks * TimeUnit.SECONDS.toNanos(1) / CLOCK_TICKS;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU time all processes of the machine used since boot (user, nice, system, irq, softirq, steal of the
     *  {@code cpu} line of /proc/stat), in nanoseconds; -1 when unreadable. */
    static long machineBusyNanos() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = line.trim().split("\\s+");
            long ticks = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) ticks += Long.parseLong(f[i]);
            return ticks * TimeUnit.SECONDS.toNanos(1) / CLOCK_TICKS;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Heap of a JVM after a full GC, by jcmd: {used, committed} in KiB. */
    static long[] heapAfterGcKiB(Path jcmd, long pid) throws IOException, InterruptedException {
        run(jcmd.toString(), Long.toString(pid), "GC.run");
        String info = run(jcmd.toString(), Long.toString(pid), "GC.heap_info");
        Matcher m = HEAP_LINE.matcher(info);
        if (m.find()) return new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(1))};
        // The serial collector (./boson's default): one line per generation, "DefNew total 16128K, used 373K [...]".
        Matcher gen = GENERATION_LINE.matcher(info);
        long used = 0, committed = 0;
        boolean any = false;
        while (gen.find()) {
            committed += Long.parseLong(gen.group(1));
            used += Long.parseLong(gen.group(2));
            any = true;
        }
        if (!any) throw new IOException("unexpected GC.heap_info output:\n" + info);
        return new long[] {used, committed};
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish");
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + " failed:\n" + out);
        return out;
    }

    private static long clockTicks() {
        try {
            return Long.parseLong(run("getconf", "CLK_TCK").trim());
        } catch (IOException | InterruptedException | RuntimeException e) {
            return 100;
        }
    }

    /** CPU used by a set of processes over an interval, in cores (1.0 = one core busy all the time). */
    static final class CpuMeter {
        private final long[] pids;
        private final long[] startCpu;
        private final long startWall;

        CpuMeter(long... pids) {
            this.pids = pids;
            this.startCpu = new long[pids.length];
            for (int i = 0; i < pids.length; i++) startCpu[i] = cpuNanos(pids[i]);
            this.startWall = System.nanoTime();
        }

        /** Cores used by each process since construction, in the order given; NaN when unreadable. */
        double[] coresSinceStart() {
            long wall = System.nanoTime() - startWall;
            double[] cores = new double[pids.length];
            for (int i = 0; i < pids.length; i++) {
                long now = cpuNanos(pids[i]);
                cores[i] = now < 0 || startCpu[i] < 0 ? Double.NaN : (now - startCpu[i]) / (double) wall;
            }
            return cores;
        }
    }
}
