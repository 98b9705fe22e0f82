package io.boson.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The benchmark's handle on one {@link LoadGenerator} child JVM: a command line in, an answer line out. */
final class LoadProcess implements AutoCloseable {

    private final Process process;
    private final PrintWriter commands;
    private final BufferedReader answers;
    private final int devices;

    private LoadProcess(Process process, int devices) {
        this.process = process;
        this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.devices = devices;
    }

    /** Starts a generator for credentials lines [from, to) aimed at {@code targets} (host:port, devices spread over them). */
    static LoadProcess start(Path java, String heap, Path credentials, int from, int to, List<String> targets, long product,
                             Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx" + heap, "-Xss512k", "-XX:+UseSerialGC",
                "-XX:MaxDirectMemorySize=512m", "-cp", System.getProperty("java.class.path"), LoadGenerator.class.getName(),
                "--credentials", credentials.toString(), "--from", Integer.toString(from), "--to", Integer.toString(to),
                "--product", Long.toString(product)));
        for (String t : targets) cmd.addAll(List.of("--target", t));
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        LoadProcess lp = new LoadProcess(p, to - from);
        String first = lp.answers.readLine();
        if (first == null || !first.startsWith("ready")) throw new IOException("load generator did not start; see " + log);
        return lp;
    }

    int devices() {
        return devices;
    }

    long pid() {
        return process.pid();
    }

    /** Sends a command and waits for its answer line. */
    synchronized String command(String line) throws IOException {
        commands.println(line);
        String answer = answers.readLine();
        if (answer == null) throw new IOException("load generator " + process.pid() + " exited");
        return answer;
    }

    /** The same command to every generator at once; the answers in order. */
    static List<String> all(List<LoadProcess> generators, String line) throws Exception {
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<String>> futures = new ArrayList<>();
            for (LoadProcess g : generators) futures.add(pool.submit(() -> g.command(line)));
            List<String> out = new ArrayList<>();
            for (java.util.concurrent.Future<String> f : futures) out.add(f.get(60, TimeUnit.MINUTES)); // a connect phase on a loaded machine took over 15 min
            return out;
        }
    }

    /** Sums the numeric key=value fields of answers such as {@code connected ok=3 failed=0}. */
    static Map<String, Double> sum(List<String> answers) {
        Map<String, Double> total = new HashMap<>();
        for (String a : answers) {
            for (String field : a.split(" ")) {
                int eq = field.indexOf('=');
                if (eq < 0) continue;
                try {
                    total.merge(field.substring(0, eq), Double.parseDouble(field.substring(eq + 1)), Double::sum);
                } catch (NumberFormatException ignored) {
                    // not a number: not summed
                }
            }
        }
        return total;
    }

    @Override
    public void close() throws InterruptedException {
        commands.println("quit");
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
