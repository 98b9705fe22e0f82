package io.boson.deviceos;

import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The cloud's server key and devices' public keys (Particle's provisioning call), through the API. */
class DeviceKeysTest extends CloudTest {

    static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static Map<String, String> form(String id, PublicKey key, String algorithm) {
        Map<String, String> f = new HashMap<>();
        f.put("deviceID", id);
        f.put("publicKey", ServerKey.pem(key.getEncoded()));
        f.put("order", "manual_" + System.currentTimeMillis());
        f.put("filename", "cli");
        if (algorithm != null) f.put("algorithm", algorithm);
        return f;
    }

    @Test
    void theServerKeyIsServedWithoutATokenAsPemAndDerAndIsTheSameAfterARestart() throws Exception {
        Api.Response pem = cloud.anonymous().get("/v1/server_key");
        assertThat(pem.status()).isEqualTo(200);
        assertThat(pem.body()).startsWith("-----BEGIN PUBLIC KEY-----").contains("-----END PUBLIC KEY-----");
        byte[] der = derOf(cloud);
        PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        assertThat(((ECPublicKey) key).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(der).hasSize(91);
        assertThat(cloud.anonymous().get("/v1/server_key?format=pkcs12").status()).isEqualTo(400);
        cloud.restart();
        assertThat(derOf(cloud)).isEqualTo(der);
    }

    static byte[] derOf(TestCloud cloud) throws Exception {
        HttpResponse<byte[]> r = java.net.http.HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(java.net.URI.create(cloud.baseUrl() + "/v1/server_key?format=der")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    void serverKeyCommandWritesTheKeyFileADeviceTakes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("server_key.der");
        int code = new picocli.CommandLine(new io.boson.cli.ServerKeyCommand())
                .execute("--url", cloud.baseUrl(), "--address", "127.0.0.1", "--out", file.toString());
        assertThat(code).isZero();
        byte[] bytes = Files.readAllBytes(file);
        byte[] der = derOf(cloud);
        assertThat(Arrays.copyOf(bytes, der.length)).isEqualTo(der);
        assertThat(bytes[der.length]).isEqualTo((byte) 0xFF);
        assertThat(Arrays.copyOfRange(bytes, 192, 198)).containsExactly(0, 4, 127, 0, 0, 1);
        Path named = dir.resolve("named.der");
        assertThat(new picocli.CommandLine(new io.boson.cli.ServerKeyCommand())
                .execute("--url", cloud.baseUrl(), "--address", "cloud.example.com", "--out", named.toString())).isZero();
        byte[] n = Files.readAllBytes(named);
        assertThat(n[192]).isEqualTo((byte) 1);
        assertThat(n[193]).isEqualTo((byte) "cloud.example.com".length());
        assertThat(new String(n, 194, n[193], java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("cloud.example.com");
        assertThat(new picocli.CommandLine(new io.boson.cli.ServerKeyCommand())
                .execute("--url", cloud.baseUrl(), "--address", "not an address!", "--out", dir.resolve("x").toString())).isNotZero();
    }

    @Test
    void theAdminRegistersAKeyForANewIdAndTheDeviceExists() throws Exception {
        String id = io.boson.devices.DeviceIds.random();
        Api.Response r = cloud.admin().postForm("/v1/provisioning/" + id, form(id, ecKey().getPublic(), "ecc"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().has("error")).isFalse();
        assertThat(r.json().get("id").asText()).isEqualTo(id);
        assertThat(cloud.boson().deviceKeys().keyOf(id)).isPresent();
        // A second key for the same device replaces the first.
        KeyPair second = ecKey();
        assertThat(cloud.admin().postForm("/v1/provisioning/" + id, form(id, second.getPublic(), null)).status()).isEqualTo(200);
        assertThat(cloud.boson().deviceKeys().keyOf(id).orElseThrow().publicDer()).isEqualTo(second.getPublic().getEncoded());
        assertThat(cloud.boson().deviceKeys().deviceOf(DeviceKeys.fingerprint(second.getPublic().getEncoded()))).contains(id);
    }

    @Test
    void anOwnerRegistersKeysForTheirOwnDevicesOnlyAndBadKeysAreRefused() throws Exception {
        Api owner = cloud.newUser();
        TestDevice own = cloud.claimedDevice(owner);
        try (own) {
            String id = own.id;
            assertThat(owner.postForm("/v1/provisioning/" + id, form(id, ecKey().getPublic(), "ecc")).status()).isEqualTo(200);
            Api stranger = cloud.newUser();
            Api.Response refused = stranger.postForm("/v1/provisioning/" + id, form(id, ecKey().getPublic(), "ecc"));
            assertThat(refused.status()).isEqualTo(403);
            String unknown = io.boson.devices.DeviceIds.random();
            assertThat(owner.postForm("/v1/provisioning/" + unknown, form(unknown, ecKey().getPublic(), "ecc")).status()).isEqualTo(403);

            Map<String, String> garbage = form(id, ecKey().getPublic(), "ecc");
            garbage.put("publicKey", "-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n");
            Api.Response bad = owner.postForm("/v1/provisioning/" + id, garbage);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get("error").asText()).isNotBlank();
            assertThat(owner.postForm("/v1/provisioning/" + id, form(id, ecKey().getPublic(), "rsa")).status()).isEqualTo(400);
            KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
            p384.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
            assertThat(owner.postForm("/v1/provisioning/" + id, form(id, p384.generateKeyPair().getPublic(), "ecc")).status())
                    .isEqualTo(400);
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(1024);
            assertThat(owner.postForm("/v1/provisioning/" + id, form(id, rsa.generateKeyPair().getPublic(), "rsa")).status())
                    .isEqualTo(200);
            assertThat(owner.postForm("/v1/provisioning/" + id, form("aaaaaaaaaaaaaaaaaaaaaaaa", ecKey().getPublic(), "ecc"))
                    .status()).isEqualTo(400);
        }
    }

    @Test
    void oneKeyCannotBeTwoDevicesAndAReplacedKeyEndsTheDevicesSession() throws Exception {
        Api owner = cloud.newUser();
        try (TestDevice a = cloud.claimedDevice(owner); TestDevice b = cloud.claimedDevice(owner)) {
            KeyPair key = ecKey();
            assertThat(owner.postForm("/v1/provisioning/" + a.id, form(a.id, key.getPublic(), "ecc")).status()).isEqualTo(200);
            Api.Response taken = owner.postForm("/v1/provisioning/" + b.id, form(b.id, key.getPublic(), "ecc"));
            assertThat(taken.status()).isEqualTo(409);
            // The first key ends nothing (the session was not opened with a key); a new one ends it.
            assertThat(a.connected()).isTrue();
            assertThat(owner.postForm("/v1/provisioning/" + a.id, form(a.id, ecKey().getPublic(), "ecc")).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> !a.connected());
            assertThat(b.connected()).isTrue();
        }
    }
}
