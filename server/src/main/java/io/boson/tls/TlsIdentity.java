package io.boson.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

/**
 * The server's TLS certificate chain and private key, from PEM files (the chain, and the key as
 * PKCS#8 or traditional PEM), or generated once, self-signed, and stored under the data directory
 * so that clients can pin it across restarts. Used by HTTPS and by MQTT over TLS alike.
 */
public record TlsIdentity(Path certificatePem, Path keyPem, List<X509Certificate> chain, PrivateKey key) {

    /** How long a generated certificate is valid. */
    static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(3650);
    static final String CERT_FILE = "boson-cert.pem";
    static final String KEY_FILE = "boson-key.pem";

    public static TlsIdentity load(Path certificatePem, Path keyPem) {
        try {
            List<X509Certificate> chain = new ArrayList<>();
            try (var in = Files.newInputStream(certificatePem)) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    chain.add((X509Certificate) c);
                }
            }
            if (chain.isEmpty()) throw new IllegalArgumentException("no certificate in " + certificatePem);
            return new TlsIdentity(certificatePem, keyPem, List.copyOf(chain), readKey(keyPem));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + certificatePem + " or " + keyPem, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use TLS certificate " + certificatePem + ": " + e.getMessage(), e);
        }
    }

    /** The certificate stored in {@code dir}, or a new self-signed one for {@code hosts}, stored there. */
    public static TlsIdentity selfSigned(Path dir, List<String> hosts) {
        Path cert = dir.resolve(CERT_FILE);
        Path key = dir.resolve(KEY_FILE);
        if (Files.isRegularFile(cert) && Files.isRegularFile(key)) return load(cert, key);
        try {
            Files.createDirectories(dir);
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = gen.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=Boson self-signed");
            List<GeneralName> names = new ArrayList<>();
            names.add(new GeneralName(GeneralName.dNSName, "localhost"));
            names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            for (String h : hosts) {
                if (h == null || h.isBlank() || h.equals("0.0.0.0") || h.equals("localhost") || h.equals("127.0.0.1")) continue;
                names.add(new GeneralName(h.chars().allMatch(c -> Character.isDigit(c) || c == '.' || c == ':')
                        ? GeneralName.iPAddress : GeneralName.dNSName, h));
            }
            var builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(SELF_SIGNED_VALIDITY)), subject, pair.getPublic())
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            Path tmpKey = dir.resolve(KEY_FILE + ".tmp");
            writePem(tmpKey, pair.getPrivate(), true);
            Path tmpCert = dir.resolve(CERT_FILE + ".tmp");
            writePem(tmpCert, certificate, false);
            Files.move(tmpKey, key, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmpCert, cert, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new TlsIdentity(cert, key, List.of(certificate), pair.getPrivate());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a self-signed certificate in " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a self-signed certificate: " + e.getMessage(), e);
        }
    }

    /** SHA-256 of the leaf certificate, as browsers and {@code openssl x509 -fingerprint -sha256} show it. */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(chain.get(0).getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The chain and key as an in-memory key store (for Jetty). */
    public KeyStore keyStore(char[] password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("boson", key, password, chain.toArray(Certificate[]::new));
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a key store: " + e.getMessage(), e);
        }
    }

    private static PrivateKey readKey(Path pem) throws IOException {
        try (Reader r = Files.newBufferedReader(pem, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
            if (o instanceof PEMKeyPair pair) return converter.getKeyPair(pair).getPrivate();
            throw new IllegalArgumentException("no unencrypted private key in " + pem);
        }
    }

    private static void writePem(Path file, Object value, boolean secret) throws IOException {
        if (secret) {
            Files.deleteIfExists(file);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(value instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : value);
        }
    }
}
