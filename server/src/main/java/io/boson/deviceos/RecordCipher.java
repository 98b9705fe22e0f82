package io.boson.deviceos;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * One direction of an epoch-1 DTLS 1.2 connection with AES-128-CCM-8 (RFC 6655): the nonce is the
 * 4-byte implicit IV and the 8-byte explicit nonce (epoch and sequence number) carried in the record;
 * the tag is 8 bytes. The additional data is the caller's (plain records and draft connection-id
 * records differ, see {@link DtlsRecord}).
 */
final class RecordCipher {

    static final int EXPLICIT_NONCE = 8;
    static final int TAG = 8;

    private final byte[] key;
    private final byte[] iv;

    RecordCipher(byte[] key, byte[] iv) {
        this.key = key;
        this.iv = iv;
    }

    /** Returns explicit nonce ‖ ciphertext ‖ tag. */
    byte[] seal(long epochAndSeq, byte[] plaintext, byte[] aad) {
        byte[] explicit = longBytes(epochAndSeq);
        CCMBlockCipher ccm = cipher(true, explicit, aad);
        byte[] out = new byte[EXPLICIT_NONCE + ccm.getOutputSize(plaintext.length)];
        System.arraycopy(explicit, 0, out, 0, EXPLICIT_NONCE);
        int n = ccm.processBytes(plaintext, 0, plaintext.length, out, EXPLICIT_NONCE);
        try {
            ccm.doFinal(out, EXPLICIT_NONCE + n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** Opens a record's fragment (explicit nonce ‖ ciphertext ‖ tag); null when it does not authenticate. */
    byte[] open(byte[] fragment, int offset, int length, java.util.function.IntFunction<byte[]> aadForPlaintextLength) {
        if (length < EXPLICIT_NONCE + TAG) return null;
        byte[] explicit = java.util.Arrays.copyOfRange(fragment, offset, offset + EXPLICIT_NONCE);
        int cipherLength = length - EXPLICIT_NONCE;
        CCMBlockCipher ccm = cipher(false, explicit, aadForPlaintextLength.apply(cipherLength - TAG));
        byte[] out = new byte[ccm.getOutputSize(cipherLength)];
        int n = ccm.processBytes(fragment, offset + EXPLICIT_NONCE, cipherLength, out, 0);
        try {
            ccm.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            return null;
        }
        return out;
    }

    private CCMBlockCipher cipher(boolean encrypt, byte[] explicit, byte[] aad) {
        byte[] nonce = new byte[12];
        System.arraycopy(iv, 0, nonce, 0, 4);
        System.arraycopy(explicit, 0, nonce, 4, EXPLICIT_NONCE);
        CCMBlockCipher ccm = (CCMBlockCipher) CCMBlockCipher.newInstance(AESEngine.newInstance());
        ccm.init(encrypt, new AEADParameters(new KeyParameter(key), TAG * 8, nonce, aad));
        return ccm;
    }

    static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }
}
