package io.boson.cli;

import io.boson.Boson;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code boson aot-training}: the training run of the JDK's ahead-of-time cache (JEP 483/514/515), which
 * {@code ./boson} runs once per build with {@code -XX:AOTCacheOutput} (docs/operations.md). It starts the
 * node exactly as {@code boson serve} does, through the same options, on a fresh data directory and then
 * again on the one that is now up to date (the start that matters), answers the requests a first client
 * makes, and stops. The classes loaded and linked and the profiles gathered here are what the cache holds.
 * Nothing of it is kept but the cache: the data directory is temporary, storage is always embedded H2.
 */
@Command(name = "aot-training", hidden = true,
        description = "Training run for the JDK's AOT cache (./boson runs it; not for direct use).")
public final class AotTrainingCommand implements Callable<Integer> {

    private static final Pattern TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    /** Rounds of requests per start: enough for the methods of a request to be profiled, far from a benchmark. */
    private static final int ROUNDS = 50;

    private String adminPassword = System.getenv("BOSON_ADMIN_PASSWORD");

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("boson-aot-training");
        try {
            for (int start = 0; start < 2; start++) {
                ServeCommand serve = new ServeCommand();
                serve.training = this::exercise;
                // Explicit options win over any BOSON_* of the environment: no shared database, no NATS, no fixed port.
                int code = new CommandLine(serve).execute("--data-dir", dir.toString(), "--bind", "127.0.0.1",
                        "--http-port", "0", "--mqtt-port", "0", "--mqtt-tls-port", "0", "--https-port", "-1",
                        "--metrics-port", "-1", "--db-url", "", "--nats-url", "");
                if (code != 0) return code;
            }
            return 0;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private void exercise(Boson boson) {
        boson.generatedAdminPassword().ifPresent(pw -> adminPassword = pw);
        String base = "http://127.0.0.1:" + boson.httpPort();
        HttpClient http = HttpClient.newHttpClient();
        try {
            String form = "grant_type=password&client_id=particle&client_secret=particle&username="
                    + URLEncoder.encode(boson.config().adminUsername(), StandardCharsets.UTF_8)
                    + "&password=" + URLEncoder.encode(adminPassword, StandardCharsets.UTF_8);
            String tokenBody = send(http, HttpRequest.newBuilder(URI.create(base + "/oauth/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build());
            Matcher m = TOKEN.matcher(tokenBody);
            if (!m.find()) throw new IllegalStateException("the training run could not sign in: " + tokenBody);
            String token = m.group(1);
            for (int i = 0; i < ROUNDS; i++) {
                for (String path : new String[] {"/v1/user", "/v1/devices", "/v1/products", "/v1/orgs", "/v1/access_tokens/current",
                        "/v1/no-such-route"}) {
                    send(http, HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token).build());
                }
                for (String path : new String[] {"/", "/js/app.js", "/console.css", "/health/live", "/health/ready", "/metrics"}) {
                    send(http, HttpRequest.newBuilder(URI.create(base + path)).build());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            http.close();
        }
    }

    private static String send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }
}
