package io.boson.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Boson node as a separate JVM, started from the shipped jar exactly as an operator would
 * ({@code java -jar boson.jar serve}), on free ports and a fresh H2 data directory. Being its own
 * process, its heap and RSS hold the server only, not the benchmark's thousands of MQTT clients.
 */
final class BosonServer implements AutoCloseable {

    private static final Pattern UP = Pattern.compile("Boson is up: HTTP API on http://([^:]+):(\\d+), MQTT devices on [^:]+:(\\d+)");

    private final Process process;
    private final int httpPort;
    private final int mqttPort;
    private final Path log;

    private BosonServer(Process process, int httpPort, int mqttPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.mqttPort = mqttPort;
        this.log = log;
    }

    static BosonServer start(Path java, Path jar, List<String> jvmOptions, String adminPassword, Path dataDir)
            throws IOException, InterruptedException {
        return start(java, jar, jvmOptions, adminPassword, dataDir, List.of());
    }

    /** As {@link #start(Path, Path, List, String, Path)} with extra {@code serve} options, e.g. {@code --db-url …}
     *  for PostgreSQL (the data directory then holds the log only). */
    static BosonServer start(Path java, Path jar, List<String> jvmOptions, String adminPassword, Path dataDir,
                             List<String> serveOptions) throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        Path log = dataDir.resolve("server.log");
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "serve", "--data-dir", dataDir.toString(),
                "--bind", "127.0.0.1", "--http-port", "0", "--mqtt-port", "0", "--coap-port", "0"));
        // A benchmark is one client address sending far more than Particle's API limits allow a client:
        // they are turned off through the environment (which an older baseline jar simply ignores).
        command.addAll(serveOptions);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("BOSON_ADMIN_USERNAME", "admin");
        pb.environment().put("BOSON_ADMIN_PASSWORD", adminPassword);
        for (String limit : List.of("BOSON_LIMIT_REQUESTS", "BOSON_LIMIT_TOKEN_REQUESTS", "BOSON_LIMIT_STREAM_OPENS",
                "BOSON_LIMIT_STREAMS_OPEN")) {
            pb.environment().put(limit, "0");
        }
        // The benchmark's admin owns thousands of devices: a Free plan of 100 would refuse the 101st.
        // Metering stays on (its cost is part of what is measured); only the limits are out of reach.
        pb.environment().put("BOSON_FREE_LIMITS", "10000000,2000000000,10000000");
        Process process = pb.start();
        CompletableFuture<int[]> ports = new CompletableFuture<>();
        Thread pump = new Thread(() -> pump(process, log, ports), "boson-server-log");
        pump.setDaemon(true);
        pump.start();
        try {
            int[] p = ports.get(90, TimeUnit.SECONDS);
            return new BosonServer(process, p[0], p[1], log);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IOException("the Boson server did not start; its output is in " + log, e);
        }
    }

    /** Copies the server's output to its log file and picks the ports out of the "is up" line. */
    private static void pump(Process process, Path log, CompletableFuture<int[]> ports) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.println(line);
                Matcher m = UP.matcher(line);
                if (m.find()) ports.complete(new int[] {Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))});
            }
        } catch (IOException e) {
            ports.completeExceptionally(e);
        }
        ports.completeExceptionally(new IOException("the server exited before it was up"));
    }

    long pid() {
        return process.pid();
    }

    int httpPort() {
        return httpPort;
    }

    int mqttPort() {
        return mqttPort;
    }

    Path log() {
        return log;
    }

    /** SIGTERM, so the server shuts down as in production; forcibly after 20 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
