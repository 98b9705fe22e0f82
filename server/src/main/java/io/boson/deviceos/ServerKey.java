package io.boson.deviceos;

import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;

/**
 * The cloud's P-256 key pair for Device OS's protocol: a device holds the public key (its "server
 * key") and accepts only a server that proves it holds the private one. Made by the first node that
 * starts and kept in the database, so every node of a cloud, and every restart, uses the same one.
 */
public record ServerKey(KeyPair pair) {

    private static final Logger log = LoggerFactory.getLogger(ServerKey.class);
    static final String ALGORITHM = "ecc";

    public PublicKey publicKey() {
        return pair.getPublic();
    }

    public PrivateKey privateKey() {
        return pair.getPrivate();
    }

    /** The public key as DER (SubjectPublicKeyInfo, 91 bytes for P-256). */
    public byte[] publicDer() {
        return pair.getPublic().getEncoded();
    }

    /** The public key as PEM ("PUBLIC KEY"). */
    public String publicPem() {
        return pem(publicDer());
    }

    static String pem(byte[] der) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** The stored key, or a new one stored now; when two nodes start at once, the one stored first wins. */
    public static ServerKey loadOrCreate(Jdbi jdbi, Clock clock) {
        Optional<ServerKey> stored = load(jdbi);
        if (stored.isPresent()) return stored.get();
        KeyPair made = generate();
        try {
            jdbi.useHandle(h -> h.createUpdate(
                            "INSERT INTO server_keys(algorithm, private_der, public_der, created_at) VALUES (?, ?, ?, ?)")
                    .bind(0, ALGORITHM).bind(1, made.getPrivate().getEncoded()).bind(2, made.getPublic().getEncoded())
                    .bind(3, clock.millis()).execute());
            log.info("made the cloud's Device OS server key (P-256); devices take it from GET /v1/server_key");
            return new ServerKey(made);
        } catch (RuntimeException e) {
            // Another node stored its key first: use that one.
            return load(jdbi).orElseThrow(() -> e);
        }
    }

    static Optional<ServerKey> load(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT private_der, public_der FROM server_keys WHERE algorithm = ?")
                .bind(0, ALGORITHM).map((rs, ctx) -> new byte[][]{rs.getBytes(1), rs.getBytes(2)}).findOne())
                .map(ServerKey::decode);
    }

    private static ServerKey decode(byte[][] der) {
        try {
            KeyFactory ec = KeyFactory.getInstance("EC");
            return new ServerKey(new KeyPair(ec.generatePublic(new X509EncodedKeySpec(der[1])),
                    ec.generatePrivate(new PKCS8EncodedKeySpec(der[0]))));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the stored Device OS server key cannot be read", e);
        }
    }

    static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make P-256 keys", e);
        }
    }

    /**
     * The file a Device OS device takes as its server key for UDP: the public key's DER padded with
     * 0xFF to 192 bytes, then the server's address (as {@code particle keys server} writes it:
     * {@code 0x00 0x04 a b c d} for an IPv4 address, {@code 0x01 len name} for a host name), padded
     * with 0xFF to {@link #KEY_FILE_BYTES}.
     */
    public static byte[] deviceKeyFile(byte[] publicDer, String address) {
        if (publicDer.length > ADDRESS_OFFSET) throw new IllegalArgumentException("a P-256 public key is expected");
        byte[] record = addressRecord(address);
        byte[] file = new byte[KEY_FILE_BYTES];
        java.util.Arrays.fill(file, (byte) 0xFF);
        System.arraycopy(publicDer, 0, file, 0, publicDer.length);
        System.arraycopy(record, 0, file, ADDRESS_OFFSET, record.length);
        return file;
    }

    static final int ADDRESS_OFFSET = 192;
    static final int KEY_FILE_BYTES = 320;

    static byte[] addressRecord(String address) {
        if (address == null || address.isBlank()) throw new IllegalArgumentException("an address is needed");
        String a = address.trim();
        byte[] ip = ipv4(a);
        if (ip != null) return new byte[]{0, 4, ip[0], ip[1], ip[2], ip[3]};
        byte[] name = a.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (name.length > 64 || !a.matches("[A-Za-z0-9.-]+")) {
            throw new IllegalArgumentException("not an IPv4 address or host name: " + address);
        }
        byte[] r = new byte[2 + name.length];
        r[0] = 1;
        r[1] = (byte) name.length;
        System.arraycopy(name, 0, r, 2, name.length);
        return r;
    }

    private static byte[] ipv4(String a) {
        String[] parts = a.split("\\.", -1);
        if (parts.length != 4) return null;
        byte[] ip = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("\\d{1,3}")) return null;
            int v = Integer.parseInt(parts[i]);
            if (v > 255) return null;
            ip[i] = (byte) v;
        }
        return ip;
    }
}
