package io.boson.gateway;

import io.boson.Boson;
import io.boson.Config;
import io.boson.device.BosonDevice;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** MQTT over TLS on a second port, with a certificate made by the JDK's keytool for this test. */
class TlsTest {

    @TempDir
    Path dir;

    @Test
    void deviceConnectsOverTlsAndItsEventsFlow() throws Exception {
        assumeFalse("postgres".equals(System.getProperty("boson.test.db")), "storage-independent");
        Path p12 = dir.resolve("cert.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "boson", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", p12.toString(), "-storepass", "changeit").inheritIO().start();
        assertThat(keytool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(p12.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        Certificate cert = ks.getCertificate("boson");
        Key key = ks.getKey("boson", "changeit".toCharArray());
        Path certPem = Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", cert.getEncoded()));
        Path keyPem = Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", key.getEncoded()));

        Config config = Config.defaults().withDataDir(dir.resolve("data")).withBindHost("127.0.0.1").withPorts(0, 0)
                .withAdmin("admin", "admin-password-1").toBuilder().tls(0, certPem, keyPem).build();
        try (Boson boson = Boson.start(config)) {
            assertThat(boson.mqttTlsPort()).isPositive();
            Api anon = new Api("http://127.0.0.1:" + boson.httpPort(), null);
            Api admin = anon.as(anon.postForm("/oauth/token", Map.of("grant_type", "password", "username", "admin",
                    "password", "admin-password-1", "client_id", "particle", "client_secret", "particle"))
                    .json().get("access_token").asText());
            var reg = admin.postJson("/v1/admin/devices", Map.of("platform_id", 13, "count", 1)).json().get("devices").get(0);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("boson", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            BosonDevice device = BosonDevice.builder().deviceId(reg.get("id").asText()).secret(reg.get("secret").asText())
                    .host("127.0.0.1").port(boson.mqttTlsPort()).tls(tmf).build();
            device.connect().get(10, TimeUnit.SECONDS);
            try {
                assertThat(admin.postJson("/v1/devices", Map.of("id", reg.get("id").asText())).status()).isEqualTo(200);
                try (SseStream stream = SseStream.open("http://127.0.0.1:" + boson.httpPort(), "/v1/devices/events", admin.token())) {
                    device.publish("secure", "yes").get(5, TimeUnit.SECONDS);
                    assertThat(stream.next("secure", Duration.ofSeconds(5)).data().get("data").asText()).isEqualTo("yes");
                }
            } finally {
                device.disconnect().get(5, TimeUnit.SECONDS);
            }
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
