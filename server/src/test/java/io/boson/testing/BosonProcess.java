package io.boson.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Boson node as its own JVM ({@code boson serve} from the test classpath) on free ports, for
 * tests that kill a node for real: {@link #kill()} is SIGKILL, {@link #close()} SIGTERM.
 */
public final class BosonProcess implements AutoCloseable {

    private static final Pattern UP = Pattern.compile("Boson is up: HTTP API on http://[^:]+:(\\d+), MQTT devices on [^:]+:(\\d+)");

    private final Process process;
    private final int httpPort;
    private final int mqttPort;
    public final Path log;

    private BosonProcess(Process process, int httpPort, int mqttPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.mqttPort = mqttPort;
        this.log = log;
    }

    /** Starts {@code boson serve --bind 127.0.0.1 --http-port 0 --mqtt-port 0 …options} with the test admin's password. */
    public static BosonProcess start(Path dataDir, List<String> options) {
        return start(dataDir, 0, 0, options);
    }

    /** The same on given ports (0: any free one), e.g. to restart a killed node where its devices reconnect. */
    public static BosonProcess start(Path dataDir, int httpPort, int mqttPort, List<String> options) {
        return start(dataDir, httpPort, mqttPort, options, System.getProperty("java.class.path"));
    }

    /**
     * A node on the class path a release runs on: without the test classes and their resources
     * (logback-test.xml, which quiets every node the other tests start), so it logs as shipped.
     */
    public static BosonProcess startAsShipped(Path dataDir) {
        String shipped = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes") && !entry.endsWith("test-classes/"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        return start(dataDir, 0, 0, List.of(), shipped);
    }

    private static BosonProcess start(Path dataDir, int httpPort, int mqttPort, List<String> options, String classPath) {
        try {
            Files.createDirectories(dataDir);
            Path log = dataDir.resolve("server.log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", classPath, "io.boson.Main", "serve",
                    "--data-dir", dataDir.toString(), "--bind", "127.0.0.1", "--http-port", Integer.toString(httpPort),
                    "--mqtt-port", Integer.toString(mqttPort),
                    // Device OS's UDP port off: several server processes run at once, and 5684 is one port per host.
                    "--coap-port", "0"));
            command.addAll(options);
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(Map.of("BOSON_ADMIN_USERNAME", TestCloud.ADMIN, "BOSON_ADMIN_PASSWORD", TestCloud.ADMIN_PASSWORD));
            Process process = pb.start();
            CompletableFuture<int[]> ports = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> pump(process, log, ports));
            int[] p;
            try {
                p = ports.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                process.destroyForcibly();
                throw new AssertionError("the Boson process did not start:\n" + Files.readString(log), e);
            }
            return new BosonProcess(process, p[0], p[1], log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pump(Process process, Path log, CompletableFuture<int[]> ports) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.println(line);
                Matcher m = UP.matcher(line);
                if (m.find()) ports.complete(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
            }
        } catch (IOException e) {
            ports.completeExceptionally(e);
        }
        ports.completeExceptionally(new IOException("the server exited before it was up"));
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public int mqttPort() {
        return mqttPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public Api admin() {
        Api.Response r = new Api(baseUrl(), null).postForm("/oauth/token", Map.of("grant_type", "password",
                "username", TestCloud.ADMIN, "password", TestCloud.ADMIN_PASSWORD, "client_id", "particle",
                "client_secret", "particle", "expires_in", "0"));
        if (r.status() != 200) throw new AssertionError("login failed: " + r);
        return new Api(baseUrl(), r.json().get("access_token").asText());
    }

    private void resumeQuietly() throws InterruptedException {
        try {
            if (process.isAlive()) resume();
        } catch (IOException e) {
            // a stopped process still dies of the SIGKILL that follows a refused SIGTERM
        }
    }

    /** SIGKILL: the node dies without a word to anyone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the node stops running (as a host that pauses it, or starves it of CPU), sockets and all still open. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT: the paused node runs again where it stopped. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) throw new IOException("kill -" + name + " " + process.pid() + " failed");
    }

    @Override
    public void close() throws InterruptedException {
        resumeQuietly();
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
