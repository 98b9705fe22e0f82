package io.boson.http;

import io.boson.Boson;
import io.boson.Config;
import io.boson.device.BosonDevice;
import io.boson.tls.TlsIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * HTTPS for the API and its event streams, and MQTT over TLS, with a self-signed certificate that
 * Boson makes on first start when TLS is asked for without one, keeps, and reuses.
 */
class HttpsTest {

    private static final String PASSWORD = "admin-password-1";

    @TempDir
    Path dir;

    @Test
    void httpsWithAGeneratedCertificateServesTheApiStreamsAndDevices() throws Exception {
        assumeFalse("postgres".equals(System.getProperty("boson.test.db")), "storage-independent");
        Config config = Config.defaults().withDataDir(dir.resolve("data")).withBindHost("127.0.0.1").withPorts(0, 0)
                .withAdmin("admin", PASSWORD).toBuilder().tls(0, null, null).httpsPort(0).build();
        String fingerprint;
        try (Boson boson = Boson.start(config)) {
            TlsIdentity tls = boson.tls().orElseThrow();
            fingerprint = tls.fingerprint();
            assertThat(fingerprint).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
            assertThat(tls.certificatePem()).isEqualTo(dir.resolve("data/tls/boson-cert.pem"));
            assertThat(Files.getPosixFilePermissions(tls.keyPem()).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
            assertThat(boson.httpsPort()).isPositive().isNotEqualTo(boson.httpPort());
            // Plain HTTP still serves on its own port.
            HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + boson.httpPort() + "/v1/user")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(plain.statusCode()).isEqualTo(400);
            assertThat(boson.mqttTlsPort()).isPositive();

            HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(tls)).build();
            String base = "https://127.0.0.1:" + boson.httpsPort();
            String token = login(trusting, base);
            HttpResponse<String> me = trusting.send(HttpRequest.newBuilder(URI.create(base + "/v1/user"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(me.statusCode()).isEqualTo(200);
            assertThat(me.body()).contains("\"username\":\"admin\"");

            // A client that does not trust the certificate gets no answer.
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/v1/user")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);

            // A device over MQTT TLS with the same certificate, its event read from an HTTPS stream.
            HttpResponse<String> reg = trusting.send(HttpRequest.newBuilder(URI.create(base + "/v1/admin/devices"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"platform_id\":13,\"count\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            var device = io.boson.testing.Api.JSON.readTree(reg.body()).get("devices").get(0);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore(tls));
            BosonDevice sdk = BosonDevice.builder().deviceId(device.get("id").asText()).secret(device.get("secret").asText())
                    .host("127.0.0.1").port(boson.mqttTlsPort()).tls(tmf).build();
            sdk.connect().get(10, TimeUnit.SECONDS);
            try {
                HttpResponse<String> claim = trusting.send(HttpRequest.newBuilder(URI.create(base + "/v1/devices"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + device.get("id").asText() + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(claim.statusCode()).as(claim.body()).isEqualTo(200);
                HttpResponse<java.io.InputStream> stream = trusting.send(
                        HttpRequest.newBuilder(URI.create(base + "/v1/devices/events/secure"))
                                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
                assertThat(stream.statusCode()).isEqualTo(200);
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                    assertThat(lines.readLine()).startsWith(":");
                    sdk.publish("secure", "yes").get(5, TimeUnit.SECONDS);
                    String line;
                    do {
                        line = lines.readLine();
                    } while (line != null && !line.startsWith("data:"));
                    assertThat(line).contains("\"data\":\"yes\"");
                }
            } finally {
                sdk.disconnect().get(5, TimeUnit.SECONDS);
            }
        }

        // The next start keeps the same certificate, so clients that pinned it still connect.
        try (Boson again = Boson.start(config)) {
            assertThat(again.tls().orElseThrow().fingerprint()).isEqualTo(fingerprint);
        }
    }

    @Test
    void aGivenCertificateIsUsedForHttpsAsIs() throws Exception {
        assumeFalse("postgres".equals(System.getProperty("boson.test.db")), "storage-independent");
        TlsIdentity mine = TlsIdentity.selfSigned(dir.resolve("mine"), List.of("127.0.0.1"));
        Config config = Config.defaults().withDataDir(dir.resolve("data")).withBindHost("127.0.0.1").withPorts(0, 0)
                .withAdmin("admin", PASSWORD).toBuilder().tls(0, mine.certificatePem(), mine.keyPem()).httpsPort(0).build();
        try (Boson boson = Boson.start(config)) {
            assertThat(boson.tls().orElseThrow().fingerprint()).isEqualTo(mine.fingerprint());
            assertThat(Files.exists(dir.resolve("data/tls"))).isFalse();
            HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(mine)).build();
            assertThat(login(trusting, "https://127.0.0.1:" + boson.httpsPort())).isNotBlank();
        }
    }

    private static String login(HttpClient client, String base) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/oauth/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&username=admin&password=" + PASSWORD
                        + "&client_id=particle&client_secret=particle")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return io.boson.testing.Api.JSON.readTree(r.body()).get("access_token").asText();
    }

    private static KeyStore trustStore(TlsIdentity tls) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("boson", tls.chain().get(0));
        return trust;
    }

    private static SSLContext trusting(TlsIdentity tls) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore(tls));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
