package io.boson.deviceos;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The cloud's end of one DTLS 1.2 connection with a Device OS device, in the one profile Device OS
 * speaks (see docs/protocol.md, "Device OS devices"): ECDHE on P-256 signed with the cloud's key,
 * TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, raw public keys both ways with no server Certificate message
 * (the device holds the cloud's key already), the device's raw key demanded by a CertificateRequest,
 * and an 8-byte connection id given to the device (draft extension 254). Not thread-safe: the
 * {@link DtlsServer}'s receive thread drives it; {@link #seal} is synchronized for senders.
 */
final class DtlsConnection {

    static final int CID_LENGTH = 8;
    static final int EXT_CLIENT_CERT_TYPE = 19;
    static final int EXT_SERVER_CERT_TYPE = 20;
    static final int EXT_CID = 254;
    static final int EXT_EC_POINT_FORMATS = 11;
    static final int EXT_RENEGOTIATION_INFO = 0xFF01;
    static final int CERT_TYPE_RAW_PUBLIC_KEY = 2;
    static final int SUITE_ECDHE_ECDSA_AES_128_CCM_8 = 0xC0AE;
    static final int SECP256R1 = 23;
    private static final byte[] ECDSA_SHA256 = {4, 3};

    /** Why a handshake or record was refused; the connection is dropped without a word (DTLS alerts help attackers only). */
    static final class Refused extends Exception {
        Refused(String why) {
            super(why, null, false, false);
        }
    }

    enum Phase { AWAIT_HELLO, AWAIT_CLIENT_FLIGHT, ESTABLISHED, CLOSED }

    private final ServerKey serverKey;
    private final SecureRandom random;
    private final Function<byte[], String> deviceOfKey;
    final byte[] cid;
    volatile InetSocketAddress peer;
    Phase phase = Phase.AWAIT_HELLO;
    final long startedNanos = System.nanoTime();

    private byte[] clientRandom;
    private byte[] serverRandom;
    private KeyPair ephemeral;
    private ByteArrayOutputStream transcript = new ByteArrayOutputStream();
    /** What the layer above keeps with the connection for a resumed session (Device OS resumes without a handshake). */
    volatile Object resumeState;
    /** Bytes of this connection's datagrams both ways not yet reported (cellular metering). */
    long wire;
    /** When the last record that authenticated arrived (System.nanoTime). */
    volatile long lastRecordNanos = System.nanoTime();
    private int nextSendSeq;
    private int nextReceiveSeq;
    private long epoch0WriteSeq;
    private long epoch1WriteSeq;
    private byte[] lastFlight;
    private byte[] masterSecret;
    private RecordCipher readCipher;
    private RecordCipher writeCipher;
    private boolean readEpoch1;
    private PublicKey deviceKey;
    private String deviceId;
    private final ReplayWindow replay = new ReplayWindow();

    /**
     * A connection whose ClientHello carried a valid cookie (after our HelloVerifyRequest, message
     * 0 of ours): our messages are numbered from 1, our records from that ClientHello's sequence
     * number, so they follow the HelloVerifyRequest's (RFC 6347 section 4.2.1).
     */
    DtlsConnection(ServerKey serverKey, SecureRandom random, Function<byte[], String> deviceOfKey, InetSocketAddress peer,
                   long clientHelloRecordSeq) {
        this(serverKey, random, deviceOfKey, peer);
        this.nextSendSeq = 1;
        this.epoch0WriteSeq = clientHelloRecordSeq;
    }

    DtlsConnection(ServerKey serverKey, SecureRandom random, Function<byte[], String> deviceOfKey, InetSocketAddress peer) {
        this.serverKey = serverKey;
        this.random = random;
        this.deviceOfKey = deviceOfKey;
        this.peer = peer;
        this.cid = new byte[CID_LENGTH];
        random.nextBytes(cid);
    }

    String deviceId() {
        return deviceId;
    }

    /**
     * Handles one record of the connection; returns datagrams to send and application data received
     * (in {@code appData}).
     */
    List<byte[]> onRecord(DtlsRecord r, List<byte[]> appData) throws Refused {
        List<byte[]> out = new ArrayList<>(1);
        if (r.epoch() == 0) {
            switch (r.type()) {
                case DtlsRecord.HANDSHAKE -> onHandshakeFragment(r.fragment(), out);
                case DtlsRecord.CHANGE_CIPHER_SPEC -> {
                    if (phase != Phase.AWAIT_CLIENT_FLIGHT || readCipher == null) {
                        // A retransmitted flight after the handshake: the device did not get our Finished.
                        if (phase == Phase.ESTABLISHED && lastFlight != null) out.add(lastFlight);
                        return out;
                    }
                    readEpoch1 = true;
                }
                default -> {
                    // alerts and data in the clear are ignored
                }
            }
            return out;
        }
        if (r.epoch() != 1 || readCipher == null || !readEpoch1) return out;
        if (!replay.fresh(r.seq())) return out;
        byte[] content;
        int type;
        if (r.withCid()) {
            byte[] plain = readCipher.open(r.fragment(), 0, r.fragment().length,
                    len -> DtlsRecord.cidAad(r.epochAndSeq(), r.cid(), len));
            if (plain == null) return out;
            byte[][] inner = DtlsRecord.inner(plain);
            if (inner == null) return out;
            content = inner[0];
            type = inner[1][0] & 0xFF;
        } else {
            content = readCipher.open(r.fragment(), 0, r.fragment().length,
                    len -> DtlsRecord.plainAad(r.epochAndSeq(), r.type(), len));
            if (content == null) return out;
            type = r.type();
        }
        replay.accept(r.seq());
        lastRecordNanos = System.nanoTime();
        switch (type) {
            case DtlsRecord.HANDSHAKE -> onEncryptedHandshake(content, out);
            case DtlsRecord.APPLICATION_DATA -> {
                if (phase == Phase.ESTABLISHED) appData.add(content);
            }
            case DtlsRecord.ALERT -> {
                if (content.length >= 2 && (content[0] == 2 || content[1] == 0)) phase = Phase.CLOSED;
            }
            default -> {
            }
        }
        return out;
    }

    // --- handshake ---------------------------------------------------------------------------------

    private void onHandshakeFragment(byte[] fragment, List<byte[]> out) throws Refused {
        ByteBuffer b = ByteBuffer.wrap(fragment);
        while (b.remaining() >= 12) {
            int start = b.position();
            int msgType = b.get() & 0xFF;
            int length = u24(b);
            int seq = b.getShort() & 0xFFFF;
            int fragOffset = u24(b);
            int fragLength = u24(b);
            if (fragOffset != 0 || fragLength != length || length > b.remaining()) throw new Refused("fragmented handshake message");
            byte[] body = new byte[length];
            b.get(body);
            byte[] whole = Arrays.copyOfRange(fragment, start, b.position());
            onHandshakeMessage(msgType, seq, body, whole, out);
        }
    }

    private void onHandshakeMessage(int type, int seq, byte[] body, byte[] whole, List<byte[]> out) throws Refused {
        if (type == 1) {
            if (seq < nextReceiveSeq) {
                // The ClientHello again: our flight was lost.
                if (lastFlight != null && phase == Phase.AWAIT_CLIENT_FLIGHT) out.add(lastFlight);
                return;
            }
            if (phase != Phase.AWAIT_HELLO) throw new Refused("ClientHello in the middle of a handshake");
            out.add(clientHello(body, whole));
            nextReceiveSeq = seq + 1;
            return;
        }
        if (phase != Phase.AWAIT_CLIENT_FLIGHT) return;
        if (seq < nextReceiveSeq) return; // duplicate of something handled
        if (seq != nextReceiveSeq) throw new Refused("handshake message out of order");
        nextReceiveSeq++;
        switch (type) {
            case 11 -> { // Certificate: the device's raw public key (RFC 7250)
                transcript.writeBytes(whole);
                ByteBuffer b = ByteBuffer.wrap(body);
                if (b.remaining() < 3) throw new Refused("empty Certificate");
                int n = u24(b);
                if (n != b.remaining() || n == 0) throw new Refused("malformed Certificate");
                byte[] spki = new byte[n];
                b.get(spki);
                try {
                    deviceKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
                } catch (GeneralSecurityException e) {
                    throw new Refused("the device's key is not an EC key");
                }
                deviceId = deviceOfKey.apply(deviceKey.getEncoded());
                if (deviceId == null) throw new Refused("no device has this key");
            }
            case 16 -> { // ClientKeyExchange: the device's ephemeral point
                transcript.writeBytes(whole);
                if (deviceKey == null) throw new Refused("ClientKeyExchange without the device's key");
                if (body.length < 1 || (body[0] & 0xFF) != body.length - 1) throw new Refused("malformed ClientKeyExchange");
                byte[] preMaster = agree(Arrays.copyOfRange(body, 1, body.length));
                masterSecret = Prf.compute(preMaster, "master secret", Prf.concat(clientRandom, serverRandom), 48);
                byte[] block = Prf.compute(masterSecret, "key expansion", Prf.concat(serverRandom, clientRandom), 40);
                readCipher = new RecordCipher(Arrays.copyOfRange(block, 0, 16), Arrays.copyOfRange(block, 32, 36));
                writeCipher = new RecordCipher(Arrays.copyOfRange(block, 16, 32), Arrays.copyOfRange(block, 36, 40));
            }
            case 15 -> { // CertificateVerify: the device signs the transcript so far with its key
                if (masterSecret == null) throw new Refused("CertificateVerify before the key exchange");
                ByteBuffer b = ByteBuffer.wrap(body);
                if (b.remaining() < 4 || b.get() != 4 || b.get() != 3) throw new Refused("CertificateVerify must be ecdsa with sha256");
                int n = b.getShort() & 0xFFFF;
                if (n != b.remaining()) throw new Refused("malformed CertificateVerify");
                byte[] sig = new byte[n];
                b.get(sig);
                try {
                    Signature v = Signature.getInstance("SHA256withECDSA");
                    v.initVerify(deviceKey);
                    v.update(transcript.toByteArray());
                    if (!v.verify(sig)) throw new Refused("the device's signature does not verify");
                } catch (GeneralSecurityException e) {
                    throw new Refused("the device's signature cannot be read");
                }
                transcript.writeBytes(whole);
            }
            default -> throw new Refused("unexpected handshake message " + type);
        }
    }

    private void onEncryptedHandshake(byte[] content, List<byte[]> out) throws Refused {
        if (phase == Phase.ESTABLISHED) {
            // The device's Finished again: our CCS + Finished were lost.
            if (lastFlight != null) out.add(lastFlight);
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(content);
        if (b.remaining() < 12 + 12 || (b.get() & 0xFF) != 20) throw new Refused("expected Finished");
        int length = u24(b);
        b.getShort();
        u24(b);
        u24(b);
        if (length != 12 || b.remaining() < 12) throw new Refused("malformed Finished");
        byte[] verify = new byte[12];
        b.get(verify);
        if (deviceKey == null || masterSecret == null) throw new Refused("Finished before the device proved its key");
        byte[] expected = Prf.compute(masterSecret, "client finished", sha256(transcript.toByteArray()), 12);
        if (!MessageDigest.isEqual(expected, verify)) throw new Refused("the device's Finished does not verify");
        transcript.writeBytes(Arrays.copyOf(content, 24));
        byte[] serverVerify = Prf.compute(masterSecret, "server finished", sha256(transcript.toByteArray()), 12);
        byte[] finished = handshakeMessage(20, serverVerify);
        ByteArrayOutputStream flight = new ByteArrayOutputStream();
        flight.writeBytes(DtlsRecord.encode(DtlsRecord.CHANGE_CIPHER_SPEC, 0, epoch0WriteSeq++, new byte[]{1}));
        flight.writeBytes(sealRecord(DtlsRecord.HANDSHAKE, finished));
        lastFlight = flight.toByteArray();
        out.add(lastFlight);
        phase = Phase.ESTABLISHED;
        ephemeral = null;
        transcript = null; // a kept session costs its keys, not its handshake
    }

    private byte[] clientHello(byte[] body, byte[] whole) throws Refused {
        ByteBuffer b = ByteBuffer.wrap(body);
        try {
            if (b.get() != DtlsRecord.VERSION_MAJOR || b.get() != DtlsRecord.VERSION_MINOR) throw new Refused("not DTLS 1.2");
            clientRandom = new byte[32];
            b.get(clientRandom);
            skip(b, b.get() & 0xFF); // session id: no resumption by id
            int cookie = b.get() & 0xFF;
            skip(b, cookie);
            int suitesLength = b.getShort() & 0xFFFF;
            boolean suite = false;
            boolean scsv = false;
            for (int i = 0; i < suitesLength / 2; i++) {
                int s = b.getShort() & 0xFFFF;
                if (s == SUITE_ECDHE_ECDSA_AES_128_CCM_8) suite = true;
                if (s == 0x00FF) scsv = true;
            }
            if (!suite) throw new Refused("the device does not offer TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8");
            skip(b, b.get() & 0xFF); // compression methods
            boolean rpkClient = false;
            boolean rpkServer = false;
            boolean cid = false;
            boolean renegotiation = scsv;
            if (b.remaining() >= 2) {
                int extLength = b.getShort() & 0xFFFF;
                int end = b.position() + extLength;
                while (b.position() + 4 <= end) {
                    int type = b.getShort() & 0xFFFF;
                    int n = b.getShort() & 0xFFFF;
                    byte[] ext = new byte[n];
                    b.get(ext);
                    switch (type) {
                        case EXT_CLIENT_CERT_TYPE -> rpkClient = offers(ext, CERT_TYPE_RAW_PUBLIC_KEY);
                        case EXT_SERVER_CERT_TYPE -> rpkServer = offers(ext, CERT_TYPE_RAW_PUBLIC_KEY);
                        case EXT_CID -> cid = n >= 1;
                        case EXT_RENEGOTIATION_INFO -> renegotiation = true;
                        default -> {
                        }
                    }
                }
            }
            if (!rpkClient || !rpkServer) throw new Refused("the device does not offer raw public keys");
            if (!cid) throw new Refused("the device does not offer a connection id");
            transcript.writeBytes(whole);
            serverRandom = new byte[32];
            random.nextBytes(serverRandom);
            byte[] sessionId = new byte[32];
            random.nextBytes(sessionId);
            ByteArrayOutputStream ext = new ByteArrayOutputStream();
            extension(ext, EXT_CLIENT_CERT_TYPE, new byte[]{CERT_TYPE_RAW_PUBLIC_KEY});
            extension(ext, EXT_SERVER_CERT_TYPE, new byte[]{CERT_TYPE_RAW_PUBLIC_KEY});
            extension(ext, EXT_EC_POINT_FORMATS, new byte[]{1, 0});
            if (renegotiation) extension(ext, EXT_RENEGOTIATION_INFO, new byte[]{0});
            byte[] cidBody = new byte[1 + CID_LENGTH];
            cidBody[0] = CID_LENGTH;
            System.arraycopy(this.cid, 0, cidBody, 1, CID_LENGTH);
            extension(ext, EXT_CID, cidBody);
            ByteArrayOutputStream hello = new ByteArrayOutputStream();
            hello.write(DtlsRecord.VERSION_MAJOR);
            hello.write(DtlsRecord.VERSION_MINOR);
            hello.writeBytes(serverRandom);
            hello.write(32);
            hello.writeBytes(sessionId);
            hello.write(SUITE_ECDHE_ECDSA_AES_128_CCM_8 >> 8);
            hello.write(SUITE_ECDHE_ECDSA_AES_128_CCM_8 & 0xFF);
            hello.write(0);
            byte[] extBytes = ext.toByteArray();
            hello.write(extBytes.length >> 8);
            hello.write(extBytes.length & 0xFF);
            hello.writeBytes(extBytes);

            ephemeral = ephemeralKey();
            byte[] point = point((ECPublicKey) ephemeral.getPublic());
            byte[] params = Prf.concat(new byte[]{3, 0, (byte) SECP256R1, (byte) point.length}, point);
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(serverKey.privateKey(), random);
            s.update(clientRandom);
            s.update(serverRandom);
            s.update(params);
            byte[] sig = s.sign();
            byte[] keyExchange = Prf.concat(params, ECDSA_SHA256, new byte[]{(byte) (sig.length >> 8), (byte) sig.length}, sig);
            // ecdsa_sign certificates, ecdsa+sha256 signatures, no authorities.
            byte[] certificateRequest = {1, 64, 0, 2, 4, 3, 0, 0};

            ByteArrayOutputStream flight = new ByteArrayOutputStream();
            for (byte[] m : List.of(handshakeMessage(2, hello.toByteArray()), handshakeMessage(12, keyExchange),
                    handshakeMessage(13, certificateRequest), handshakeMessage(14, new byte[0]))) {
                transcript.writeBytes(m);
                flight.writeBytes(DtlsRecord.encode(DtlsRecord.HANDSHAKE, 0, epoch0WriteSeq++, m));
            }
            lastFlight = flight.toByteArray();
            phase = Phase.AWAIT_CLIENT_FLIGHT;
            return lastFlight;
        } catch (java.nio.BufferUnderflowException e) {
            throw new Refused("malformed ClientHello");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A handshake message of ours with its DTLS header, numbered in order. */
    private byte[] handshakeMessage(int type, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(12 + body.length);
        b.put((byte) type);
        putU24(b, body.length);
        b.putShort((short) nextSendSeq++);
        putU24(b, 0);
        putU24(b, body.length);
        b.put(body);
        return b.array();
    }

    /** Seals application data for the device (a plain epoch-1 record: Device OS takes no connection id from the cloud). */
    synchronized byte[] seal(byte[] data) {
        return sealRecord(DtlsRecord.APPLICATION_DATA, data);
    }

    private byte[] sealRecord(int type, byte[] content) {
        long seq = epoch1WriteSeq++;
        long epochAndSeq = (1L << 48) | seq;
        byte[] fragment = writeCipher.seal(epochAndSeq, content, DtlsRecord.plainAad(epochAndSeq, type, content.length));
        return DtlsRecord.encode(type, 1, seq, fragment);
    }

    private byte[] agree(byte[] encodedPoint) throws Refused {
        try {
            if (encodedPoint.length != 65 || encodedPoint[0] != 4) throw new Refused("uncompressed P-256 point expected");
            ECPublicKey mine = (ECPublicKey) ephemeral.getPublic();
            ECPoint p = new ECPoint(new BigInteger(1, Arrays.copyOfRange(encodedPoint, 1, 33)),
                    new BigInteger(1, Arrays.copyOfRange(encodedPoint, 33, 65)));
            PublicKey theirs = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(p, mine.getParams()));
            javax.crypto.KeyAgreement ka = javax.crypto.KeyAgreement.getInstance("ECDH");
            ka.init(ephemeral.getPrivate());
            ka.doPhase(theirs, true);
            return ka.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new Refused("the device's key exchange point is not on P-256");
        }
    }

    static KeyPair ephemeralKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** A P-256 public key as an uncompressed point (0x04 ‖ X ‖ Y). */
    static byte[] point(ECPublicKey key) {
        byte[] out = new byte[65];
        out[0] = 4;
        fixed(key.getW().getAffineX(), out, 1);
        fixed(key.getW().getAffineY(), out, 33);
        return out;
    }

    private static void fixed(BigInteger v, byte[] out, int at) {
        byte[] raw = v.toByteArray();
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, out, at + 32 - n, n);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean offers(byte[] ext, int certType) {
        if (ext.length < 1) return false;
        int n = ext[0] & 0xFF;
        for (int i = 1; i <= n && i < ext.length; i++) if ((ext[i] & 0xFF) == certType) return true;
        return false;
    }

    private static void extension(ByteArrayOutputStream out, int type, byte[] body) {
        out.write(type >> 8);
        out.write(type & 0xFF);
        out.write(body.length >> 8);
        out.write(body.length & 0xFF);
        out.writeBytes(body);
    }

    /**
     * The cookie a ClientHello record carries (its first handshake message), with the client random it
     * is bound to: {@code {random, cookie}}, or null when the record is not a readable ClientHello.
     */
    static byte[][] clientHelloCookie(byte[] fragment) {
        try {
            ByteBuffer b = ByteBuffer.wrap(fragment);
            if ((b.get() & 0xFF) != 1) return null;
            b.position(12);
            b.getShort();
            byte[] random = new byte[32];
            b.get(random);
            skip(b, b.get() & 0xFF);
            byte[] cookie = new byte[b.get() & 0xFF];
            b.get(cookie);
            return new byte[][]{random, cookie};
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            return null;
        }
    }

    /** A HelloVerifyRequest record answering a ClientHello record numbered {@code recordSeq} (RFC 6347 section 4.2.1). */
    static byte[] helloVerifyRequest(long recordSeq, byte[] cookie) {
        byte[] body = new byte[3 + cookie.length];
        body[0] = DtlsRecord.VERSION_MAJOR;
        body[1] = (byte) 0xFF; // DTLS 1.0 in the HelloVerifyRequest, as RFC 6347 recommends for any version
        body[2] = (byte) cookie.length;
        System.arraycopy(cookie, 0, body, 3, cookie.length);
        ByteBuffer m = ByteBuffer.allocate(12 + body.length);
        m.put((byte) 3);
        putU24(m, body.length);
        m.putShort((short) 0);
        putU24(m, 0);
        putU24(m, body.length);
        m.put(body);
        return DtlsRecord.encode(DtlsRecord.HANDSHAKE, 0, recordSeq, m.array());
    }

    static int u24(ByteBuffer b) {
        return ((b.get() & 0xFF) << 16) | ((b.get() & 0xFF) << 8) | (b.get() & 0xFF);
    }

    static void putU24(ByteBuffer b, int v) {
        b.put((byte) (v >> 16)).put((byte) (v >> 8)).put((byte) v);
    }

    private static void skip(ByteBuffer b, int n) {
        if (n > b.remaining()) throw new java.nio.BufferUnderflowException();
        b.position(b.position() + n);
    }

    /** DTLS anti-replay (RFC 6347 section 4.1.2.6): a 64-record window below the highest sequence number seen. */
    static final class ReplayWindow {
        private long top = -1;
        private long bits;

        boolean fresh(long seq) {
            if (seq > top) return true;
            long back = top - seq;
            return back < 64 && (bits & (1L << back)) == 0;
        }

        void accept(long seq) {
            if (seq > top) {
                long shift = seq - top;
                bits = shift >= 64 ? 0 : bits << shift;
                bits |= 1;
                top = seq;
            } else {
                bits |= 1L << (top - seq);
            }
        }
    }
}
