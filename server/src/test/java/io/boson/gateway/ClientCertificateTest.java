package io.boson.gateway;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import io.boson.Boson;
import io.boson.Config;
import io.boson.testing.Api;
import io.boson.tls.TlsIdentity;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Devices that authenticate by X.509 client certificate on the MQTT TLS port: a certificate issued by
 * a configured device CA whose CN is the device ID lets the device in without its secret; a
 * certificate naming another device, one from an authority the server does not trust, or no
 * certificate and no secret, does not. The secret keeps working beside certificates.
 */
class ClientCertificateTest {

    @TempDir
    Path dir;

    record Issued(KeyPair keys, X509Certificate certificate) {
    }

    @Test
    void aCertificateFromTheDeviceCaNamingTheDeviceLetsItInWithoutItsSecret() throws Exception {
        assumeFalse("postgres".equals(System.getProperty("boson.test.db")), "storage-independent");
        TlsIdentity server = TlsIdentity.selfSigned(dir.resolve("server"), List.of());
        Issued ca = authority("Boson test device CA");
        Issued rogue = authority("Someone else's CA");
        Path caPem = Files.writeString(dir.resolve("device-ca.pem"), pem(ca.certificate().getEncoded()));
        Config config = Config.defaults().withDataDir(dir.resolve("data")).withBindHost("127.0.0.1").withPorts(0, 0)
                .withAdmin("admin", "admin-password-1").toBuilder().tls(0, server.certificatePem(), server.keyPem())
                .deviceCa(caPem).build();
        try (Boson boson = Boson.start(config)) {
            Api anon = new Api("http://127.0.0.1:" + boson.httpPort(), null);
            Api admin = anon.as(anon.postForm("/oauth/token", Map.of("grant_type", "password", "username", "admin",
                    "password", "admin-password-1", "client_id", "particle", "client_secret", "particle"))
                    .json().get("access_token").asText());
            var devices = admin.postJson("/v1/admin/devices", Map.of("platform_id", 13, "count", 2)).json().get("devices");
            String id = devices.get(0).get("id").asText();
            String secret = devices.get(0).get("secret").asText();
            String other = devices.get(1).get("id").asText();
            TrustManagerFactory trustServer = trust(server.chain().get(0));
            int port = boson.mqttTlsPort();

            // Its own certificate, no secret: in, and online.
            Mqtt5AsyncClient certified = client(id, port, trustServer, keys(device(ca, id)));
            certified.connectWith().send().get(10, TimeUnit.SECONDS);
            try {
                // Claiming by ID finds the device online.
                assertThat(admin.postJson("/v1/devices", Map.of("id", id)).status()).isEqualTo(200);
                assertThat(admin.get("/v1/devices/" + id).json().get("online").asBoolean()).isTrue();
            } finally {
                certified.disconnect().get(5, TimeUnit.SECONDS);
            }
            // A certificate naming another device: refused, as a wrong secret is.
            assertThat(refusal(client(id, port, trustServer, keys(device(ca, other)))))
                    .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            // No certificate and no secret: refused; the secret alone still works.
            assertThat(refusal(client(id, port, trustServer, null))).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            Mqtt5AsyncClient bySecret = client(id, port, trustServer, null);
            bySecret.connectWith().simpleAuth().username(id).password(secret.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                    .send().get(10, TimeUnit.SECONDS);
            bySecret.disconnect().get(5, TimeUnit.SECONDS);
            // A certificate from an authority the server does not trust: the handshake fails.
            Mqtt5AsyncClient untrusted = client(id, port, trustServer, keys(device(rogue, id)));
            assertThatThrownBy(() -> untrusted.connectWith().send().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> !admin.get("/v1/devices/" + id).json().get("online").asBoolean());
        }
    }

    private static Mqtt5ConnAckReasonCode refusal(Mqtt5AsyncClient client) throws Exception {
        try {
            client.connectWith().send().get(10, TimeUnit.SECONDS);
            client.disconnect().get(5, TimeUnit.SECONDS);
            return Mqtt5ConnAckReasonCode.SUCCESS;
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(Mqtt5ConnAckException.class);
            return ((Mqtt5ConnAckException) e.getCause()).getMqttMessage().getReasonCode();
        }
    }

    private static Mqtt5AsyncClient client(String id, int port, TrustManagerFactory trust, KeyManagerFactory keys) {
        var ssl = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1").serverPort(port)
                .sslConfig().trustManagerFactory(trust);
        if (keys != null) ssl = ssl.keyManagerFactory(keys);
        return ssl.applySslConfig().buildAsync();
    }

    private static Issued authority(String name) throws Exception {
        KeyPair keys = ecKeys();
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        return new Issued(keys, new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))));
    }

    private static Issued device(Issued ca, String deviceId) throws Exception {
        KeyPair keys = ecKeys();
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(System.nanoTime()), Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(2))),
                new X500Name("CN=" + deviceId + ",O=Boson test fleet"), keys.getPublic());
        return new Issued(keys, new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.keys().getPrivate()))));
    }

    private static KeyPair ecKeys() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        return gen.generateKeyPair();
    }

    private static KeyManagerFactory keys(Issued device) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("device", device.keys().getPrivate(), "pw".toCharArray(), new Certificate[] {device.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        return kmf;
    }

    private static TrustManagerFactory trust(X509Certificate certificate) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("server", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf;
    }

    private static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }
}
