package io.boson.usage;

import io.boson.testing.Api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code boson serve} as a process of its own (the test's classpath, Main as an operator runs it),
 * so a test can SIGKILL it for real.
 */
final class ServerProcess implements AutoCloseable {

    static final String ADMIN_PASSWORD = "admin-password-1";
    private static final Pattern UP = Pattern.compile("Boson is up: HTTP API on http://([^:]+):(\\d+), MQTT devices on [^:]+:(\\d+)");

    final Process process;
    final int httpPort;
    final int mqttPort;
    private final StringBuffer output;

    private ServerProcess(Process process, int httpPort, int mqttPort, StringBuffer output) {
        this.process = process;
        this.httpPort = httpPort;
        this.mqttPort = mqttPort;
        this.output = output;
    }

    static ServerProcess start(Path dataDir, List<String> options) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.boson.Main", "serve",
                "--data-dir", dataDir.toString(), "--bind", "127.0.0.1", "--http-port", "0", "--mqtt-port", "0"));
        command.addAll(options);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("BOSON_ADMIN_USERNAME", "admin");
        pb.environment().put("BOSON_ADMIN_PASSWORD", ADMIN_PASSWORD);
        Process p = pb.start();
        StringBuffer output = new StringBuffer();
        CompletableFuture<int[]> ports = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    output.append(line).append('\n');
                    Matcher m = UP.matcher(line);
                    if (m.find()) ports.complete(new int[]{Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))});
                }
            } catch (IOException e) {
                // the process is gone
            }
            ports.completeExceptionally(new IllegalStateException("the server exited before it was up:\n" + output));
        }, "boson-process-output");
        pump.setDaemon(true);
        pump.start();
        try {
            int[] got = ports.get(90, TimeUnit.SECONDS);
            return new ServerProcess(p, got[0], got[1], output);
        } catch (Exception e) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw e;
        }
    }

    Api admin() {
        Api anonymous = new Api("http://127.0.0.1:" + httpPort, null);
        Api.Response r = anonymous.postForm("/oauth/token", Map.of("grant_type", "password", "username", "admin",
                "password", ADMIN_PASSWORD, "client_id", "particle", "client_secret", "particle", "expires_in", "0"));
        if (r.status() != 200) throw new AssertionError("login failed: " + r + "\n" + output);
        return new Api("http://127.0.0.1:" + httpPort, r.json().get("access_token").asText());
    }

    /** SIGKILL: no shutdown hook, no last flush. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) throw new AssertionError("the server did not die");
    }

    String output() {
        return output.toString();
    }

    /** SIGTERM: the clean stop. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}
