package io.boson.fuzz;

import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fuzzes the Cloud API with whole requests: JSON, urlencoded and multipart bodies, route
 * parameters, query strings and headers, sent over a real socket to a real server as a signed-in
 * user who owns a device and a product.
 *
 * <p>The input is a request as text: {@code METHOD PATH}, header lines, an empty line, the body.
 * {@code {device}}, {@code {product}} and {@code {other}} in the path and body stand for the user's
 * device, the user's product and another owner's device. The harness keeps every request well-formed
 * HTTP (bytes a request line cannot hold are percent-encoded, malformed header lines dropped, the
 * length computed, the user's token added when the input has no Authorization) so that each one
 * reaches the API; then no answer may be a 5xx, every 4xx must be Particle's JSON error shape (an
 * object with a textual {@code error}), the server may log no error, and the other owner's device
 * must be untouched. Seeds and findings live in src/test/resources/io/boson/fuzz/ApiRequestFuzzTestInputs.
 */
class ApiRequestFuzzTest {

    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(30);
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9-]{1,40}:[ \\t]*[\\x20-\\x7E]{0,2000}");
    private static final List<String> HARNESS_HEADERS = List.of("host", "content-length", "transfer-encoding",
            "connection", "expect", "upgrade", "te", "http2-settings", "keep-alive");
    private static TestCloud cloud;
    private static ServerErrors errors;
    private static Api user;
    private static String device;
    private static long product;
    private static Api otherOwner;
    private static TestDevice other;
    private static JsonNode otherBefore;

    @BeforeAll
    static void start() {
        cloud = TestCloud.start();
        errors = ServerErrors.watch();
        user = cloud.newUser();
        TestCloud.Credentials c = cloud.registerDevice();
        try (TestDevice d = TestDevice.connect(cloud, c)) {
            assertThat(user.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
        }
        device = c.id();
        product = cloud.newProduct(user, "fuzzed product");
        otherOwner = cloud.newUser();
        other = cloud.claimedDevice(otherOwner);
        otherBefore = otherView();
    }

    @AfterAll
    static void stop() {
        if (other != null) other.close();
        if (errors != null) errors.close();
        if (cloud != null) cloud.close();
    }

    @FuzzTest(maxDuration = "30s")
    void anyRequest(byte[] input) throws IOException {
        // The harness and the server talk over loopback; Jazzer's SSRF detector allows exactly that.
        try (SilentCloseable loopback = Loopback.only()) {
            errors.drain();
            byte[] request = request(input);
            Response r = send(request);
            String shown = new String(request, 0, Math.min(request.length, 600), StandardCharsets.ISO_8859_1);
            assertThat(r.status).as("status of\n%s\nanswered %s", shown, r.body).isBetween(100, 499);
            if (r.status >= 400 && !r.head) {
                JsonNode body;
                try {
                    body = Api.JSON.readTree(r.body);
                } catch (IOException e) {
                    body = null;
                }
                assertThat(body != null && body.isObject() && body.path("error").isTextual())
                        .as("Particle's error shape for\n%s\nanswered %d %s", shown, r.status, r.body).isTrue();
            }
            assertThat(errors.drain()).as("what the server logged for\n%s", shown).isEmpty();
            // Another owner's device is untouched, and the server still answers its owner.
            assertThat(otherView()).as("the other owner's device after\n%s", shown).isEqualTo(otherBefore);
            if (user.get("/v1/user").status() == 401) user = cloud.login(usernameOf(user), "password-123");
        }
    }

    private static JsonNode otherView() {
        Api.Response r = otherOwner.get("/v1/devices/" + other.id);
        assertThat(r.status()).as("the other owner reads its device: %s", r).isEqualTo(200);
        com.fasterxml.jackson.databind.node.ObjectNode n = (com.fasterxml.jackson.databind.node.ObjectNode) r.json();
        // Only what another user could change: who owns it, its name, notes, product and groups.
        n.retain("id", "name", "notes", "product_id", "groups", "owner");
        return n;
    }

    private static String username;

    private static String usernameOf(Api api) {
        if (username == null) username = api.get("/v1/user").json().get("username").asText();
        return username;
    }

    /** The fuzz input as a well-formed HTTP/1.1 request. */
    static byte[] request(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1)
                .replace("{device}", device).replace("{product}", Long.toString(product)).replace("{other}", other.id);
        int split = text.indexOf("\n\n");
        String head = split < 0 ? text : text.substring(0, split);
        byte[] body = split < 0 ? new byte[0] : text.substring(split + 2).getBytes(StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r?\n", -1);
        String first = lines[0].strip();
        int space = first.indexOf(' ');
        String method = space < 0 ? first : first.substring(0, space);
        if (!method.matches("[A-Z]{1,10}")) method = "GET";
        String path = encodePath(space < 0 ? "/" : first.substring(space + 1).strip());
        StringBuilder out = new StringBuilder();
        out.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        out.append("Host: 127.0.0.1\r\n");
        boolean authorization = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (!HEADER.matcher(line).matches()) continue;
            String name = line.substring(0, line.indexOf(':')).toLowerCase(Locale.ROOT);
            if (HARNESS_HEADERS.contains(name)) continue;
            authorization |= name.equals("authorization");
            out.append(line).append("\r\n");
        }
        if (!authorization) out.append("Authorization: Bearer ").append(user.token()).append("\r\n");
        out.append("Content-Length: ").append(body.length).append("\r\n");
        out.append("Connection: close\r\n\r\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(out.toString().getBytes(StandardCharsets.ISO_8859_1));
        bytes.writeBytes(body);
        return bytes.toByteArray();
    }

    /** Keeps what a request target may hold; percent-encodes the rest (and a '%' that starts no escape). */
    static String encodePath(String raw) {
        StringBuilder out = new StringBuilder();
        if (!raw.startsWith("/")) out.append('/');
        byte[] b = raw.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < b.length; i++) {
            int c = b[i] & 0xFF;
            boolean escape = c == '%' && i + 2 < b.length && isHex(b[i + 1]) && isHex(b[i + 2]);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~/?&=+:@!$'()*,;".indexOf(c) >= 0 || escape) {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    private static boolean isHex(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    record Response(int status, String body, boolean head) {
    }

    /** Sends the request and reads the answer; an event stream is closed once its headers say it is one. */
    static Response send(byte[] request) throws IOException {
        boolean head = new String(request, 0, 5, StandardCharsets.ISO_8859_1).startsWith("HEAD ");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", cloud.boson().httpPort()), 5_000);
            socket.setSoTimeout((int) ANSWER_WITHIN.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int headEnd = -1;
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    got.write(buf, 0, n);
                    if (headEnd < 0) headEnd = got.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
                    if (headEnd >= 0 && got.toString(StandardCharsets.ISO_8859_1).substring(0, headEnd)
                            .toLowerCase(Locale.ROOT).contains("content-type: text/event-stream")) break;
                }
            } catch (SocketTimeoutException e) {
                fail("no complete answer within " + ANSWER_WITHIN + " to\n" + new String(request, StandardCharsets.ISO_8859_1)
                        + "\ngot: " + got.toString(StandardCharsets.ISO_8859_1));
            }
            String all = got.toString(StandardCharsets.ISO_8859_1);
            assertThat(all).as("an HTTP answer to\n%s", new String(request, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 ");
            int status = Integer.parseInt(all.substring(9, 12));
            int end = all.indexOf("\r\n\r\n");
            String headers = end < 0 ? all : all.substring(0, end);
            String body = end < 0 ? "" : all.substring(end + 4);
            if (headers.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) body = dechunk(body);
            return new Response(status, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8), head);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int eol = chunked.indexOf("\r\n", i);
            if (eol < 0) break;
            int size = Integer.parseInt(chunked.substring(i, eol).split(";")[0].strip(), 16);
            if (size == 0) break;
            out.append(chunked, eol + 2, Math.min(chunked.length(), eol + 2 + size));
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }

}
