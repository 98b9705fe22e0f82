package io.boson.deviceos;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/** TLS 1.2's pseudo-random function with HMAC-SHA256 (RFC 5246 section 5), as DTLS 1.2 uses it. */
final class Prf {

    private Prf() {
    }

    static byte[] compute(byte[] secret, String label, byte[] seed, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] labelBytes = label.getBytes(StandardCharsets.US_ASCII);
            byte[] labelSeed = new byte[labelBytes.length + seed.length];
            System.arraycopy(labelBytes, 0, labelSeed, 0, labelBytes.length);
            System.arraycopy(seed, 0, labelSeed, labelBytes.length, seed.length);
            byte[] out = new byte[length];
            byte[] a = labelSeed;
            int done = 0;
            while (done < length) {
                a = mac.doFinal(a);
                mac.update(a);
                byte[] block = mac.doFinal(labelSeed);
                int n = Math.min(block.length, length - done);
                System.arraycopy(block, 0, out, done, n);
                done += n;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
