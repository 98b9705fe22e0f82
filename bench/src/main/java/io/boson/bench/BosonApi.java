package io.boson.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The few Cloud API calls the benchmark makes, over the JDK's HTTP client (HTTP/1.1, keep-alive). */
final class BosonApi {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Per request; -Dboson.bench.timeout-seconds raises it on a machine shared with heavy work (setup requests time out). */
    private static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("boson.bench.timeout-seconds", 30));

    record Credentials(String id, String secret) {
    }

    private final HttpClient http;
    private final URI base;
    private String token;

    BosonApi(HttpClient http, URI base) {
        this.http = http;
        this.base = base;
    }

    static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    URI base() {
        return base;
    }

    /** Claims every device to this account, eight at a time. */
    void claimAll(java.util.List<io.boson.device.BosonDevice> devices) throws Exception {
        try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            java.util.List<java.util.concurrent.Future<?>> claims = new java.util.ArrayList<>();
            for (io.boson.device.BosonDevice d : devices) {
                claims.add(pool.submit(() -> {
                    claim(d.id());
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : claims) f.get();
        }
    }

    /** {@code concurrency} closed-loop callers of the fleet's function, sharing this client's connection pool. */
    java.util.List<RoundTrips.Caller> functionCallers(java.util.List<io.boson.device.BosonDevice> devices, int concurrency)
            throws IOException {
        java.util.List<HttpRequest> requests = new java.util.ArrayList<>();
        for (io.boson.device.BosonDevice d : devices) requests.add(functionCall(d.id(), BosonFleet.FUNCTION, "on"));
        java.util.List<RoundTrips.Caller> callers = new java.util.ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            callers.add(device -> {
                int value = call(requests.get(device));
                if (value != 1) throw new IllegalStateException("return_value " + value);
            });
        }
        return callers;
    }

    /** The same account's token against another node of the same cloud. */
    BosonApi on(URI otherNode) {
        BosonApi other = new BosonApi(http, otherNode);
        other.token = token;
        return other;
    }

    String token() {
        return token;
    }

    /** Password grant with particle-cli's client; remembers the access token for later calls. */
    String login(String username, String password) throws IOException, InterruptedException {
        String form = "grant_type=password&username=" + enc(username) + "&password=" + enc(password)
                + "&client_id=particle&client_secret=particle";
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/oauth/token")).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        JsonNode body = send(req, 200);
        token = body.get("access_token").asText();
        return token;
    }

    /** Platform admin: registers {@code count} new devices (Photon, platform 13) and returns their secrets. */
    List<Credentials> register(int count) throws IOException, InterruptedException {
        List<Credentials> all = new ArrayList<>(count);
        for (int done = 0; done < count; ) {
            int batch = Math.min(10_000, count - done);
            JsonNode body = send(json("/v1/admin/devices", Map.of("platform_id", 13, "count", batch)), 201);
            for (JsonNode d : body.get("devices")) all.add(new Credentials(d.get("id").asText(), d.get("secret").asText()));
            done += batch;
        }
        return all;
    }

    /** Claims an online device to the logged-in account, so its events reach the account's stream. */
    void claim(String deviceId) throws IOException, InterruptedException {
        send(json("/v1/devices", Map.of("id", deviceId)), 200);
    }

    /** {@code POST /v1/devices/:id/:function} with {@code {"args": arg}}; returns the request to send repeatedly. */
    HttpRequest functionCall(String deviceId, String function, String arg) throws IOException {
        return HttpRequest.newBuilder(base.resolve("/v1/devices/" + deviceId + "/" + function)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(Map.of("args", arg)))).build();
    }

    /** Sends a function call and returns its {@code return_value}; fails on anything but 200. */
    int call(HttpRequest request) throws IOException, InterruptedException {
        return send(request, 200).get("return_value").asInt();
    }

    /** A request with the token and a JSON body (already serialised, so that timing it leaves the client's
     *  serialisation out); {@code method} is POST or PUT. */
    HttpRequest jsonRequest(String method, String path, byte[] body, Duration timeout) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** {@code GET path?query} with the token. */
    HttpRequest get(String pathAndQuery) {
        return HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token).GET().build();
    }

    /** Sends a request and returns the raw response, whatever its status. */
    HttpResponse<byte[]> exchange(HttpRequest req) throws IOException, InterruptedException {
        return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends a request and parses the JSON answer; fails on any status but {@code expected}. */
    JsonNode expect(HttpRequest req, int expected) throws IOException, InterruptedException {
        return send(req, expected);
    }

    private HttpRequest json(String path, Object body) throws IOException {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
    }

    private JsonNode send(HttpRequest req, int expected) throws IOException, InterruptedException {
        HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        if (res.statusCode() != expected) {
            throw new IOException(req.method() + " " + req.uri().getPath() + " -> " + res.statusCode() + ": "
                    + new String(res.body(), StandardCharsets.UTF_8));
        }
        return JSON.readTree(res.body());
    }

    /** The sum of a metric's series in the node's {@code /metrics} (Prometheus text); 0 when absent. */
    double metric(String name) throws IOException, InterruptedException {
        String text = new String(exchange(get("/metrics")).body(), StandardCharsets.UTF_8);
        double sum = 0;
        for (String line : text.lines().toList()) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return sum;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
