package io.boson.deviceos;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A DTLS 1.2 record (RFC 6347 section 4.1), and the draft connection-id record Device OS sends: type
 * 25 (or 253 when it asks the cloud to move its session to a new address), the cloud's connection
 * id after the sequence number, and an inner plaintext of content ‖ real type ‖ zero padding.
 */
record DtlsRecord(int type, int epoch, long seq, byte[] cid, byte[] fragment) {

    static final int CHANGE_CIPHER_SPEC = 20;
    static final int ALERT = 21;
    static final int HANDSHAKE = 22;
    static final int APPLICATION_DATA = 23;
    static final int TLS12_CID = 25;
    /** Device OS's "move session" marker: a type-25 record whose first byte was rewritten after sealing. */
    static final int MOVE_SESSION = 253;
    static final int HEADER = 13;
    static final byte VERSION_MAJOR = (byte) 0xFE;
    static final byte VERSION_MINOR = (byte) 0xFD;

    boolean withCid() {
        return type == TLS12_CID || type == MOVE_SESSION;
    }

    /** epoch (16 bits) ‖ sequence number (48 bits), as the nonce and the additional data carry them. */
    long epochAndSeq() {
        return ((long) epoch << 48) | seq;
    }

    /** The records of a datagram; stops at the first malformed one. */
    static List<DtlsRecord> parse(byte[] datagram, int cidLength) {
        List<DtlsRecord> records = new ArrayList<>(2);
        ByteBuffer b = ByteBuffer.wrap(datagram);
        while (b.remaining() >= HEADER) {
            int type = b.get() & 0xFF;
            byte major = b.get();
            byte minor = b.get();
            int epoch = b.getShort() & 0xFFFF;
            long seq = ((long) (b.getShort() & 0xFFFF) << 32) | (b.getInt() & 0xFFFFFFFFL);
            byte[] cid = null;
            if (type == TLS12_CID || type == MOVE_SESSION) {
                if (b.remaining() < cidLength + 2) break;
                cid = new byte[cidLength];
                b.get(cid);
            }
            if (b.remaining() < 2) break;
            int length = b.getShort() & 0xFFFF;
            if (major != VERSION_MAJOR || (minor != VERSION_MINOR && minor != (byte) 0xFF) || length > b.remaining()) break;
            byte[] fragment = new byte[length];
            b.get(fragment);
            records.add(new DtlsRecord(type, epoch, seq, cid, fragment));
        }
        return records;
    }

    /** A record without connection id, as the cloud sends them. */
    static byte[] encode(int type, int epoch, long seq, byte[] fragment) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + fragment.length);
        b.put((byte) type).put(VERSION_MAJOR).put(VERSION_MINOR).putShort((short) epoch)
                .putShort((short) (seq >>> 32)).putInt((int) seq).putShort((short) fragment.length).put(fragment);
        return b.array();
    }

    /** A connection-id record, as Device OS sends them (for the test device). */
    static byte[] encodeWithCid(int epoch, long seq, byte[] cid, byte[] fragment) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + cid.length + fragment.length);
        b.put((byte) TLS12_CID).put(VERSION_MAJOR).put(VERSION_MINOR).putShort((short) epoch)
                .putShort((short) (seq >>> 32)).putInt((int) seq).put(cid).putShort((short) fragment.length).put(fragment);
        return b.array();
    }

    /** Additional data of a record without connection id: seq_num ‖ type ‖ version ‖ length. */
    static byte[] plainAad(long epochAndSeq, int type, int length) {
        return ByteBuffer.allocate(13).putLong(epochAndSeq).put((byte) type).put(VERSION_MAJOR).put(VERSION_MINOR)
                .putShort((short) length).array();
    }

    /**
     * Additional data of a draft-05 connection-id record (Mbed TLS 2.x's): seq_num ‖ 25 ‖ version ‖ cid ‖
     * cid_length ‖ length of the inner plaintext.
     */
    static byte[] cidAad(long epochAndSeq, byte[] cid, int innerLength) {
        return ByteBuffer.allocate(11 + cid.length + 3).putLong(epochAndSeq).put((byte) TLS12_CID).put(VERSION_MAJOR)
                .put(VERSION_MINOR).put(cid).put((byte) cid.length).putShort((short) innerLength).array();
    }

    /** Splits an inner plaintext into content and real type; null when it has no type. */
    static byte[][] inner(byte[] plaintext) {
        int i = plaintext.length - 1;
        while (i >= 0 && plaintext[i] == 0) i--;
        if (i < 0) return null;
        return new byte[][]{java.util.Arrays.copyOf(plaintext, i), {plaintext[i]}};
    }

    /** content ‖ type ‖ zero padding to a multiple of 16 (Mbed TLS's granularity). */
    static byte[] innerOf(byte[] content, int type) {
        int n = content.length + 1;
        byte[] out = new byte[(n + 15) / 16 * 16];
        System.arraycopy(content, 0, out, 0, content.length);
        out[content.length] = (byte) type;
        return out;
    }
}
