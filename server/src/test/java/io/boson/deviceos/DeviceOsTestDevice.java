package io.boson.deviceos;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A Device OS device for the tests, written from the protocol's facts (docs/protocol.md, "Device OS
 * devices"), since CI cannot build Device OS: the client half of its DTLS profile (raw public keys,
 * no server Certificate, AES-128-CCM-8, the draft connection id 254 with an empty id of its own and
 * records of type 25 carrying the cloud's), then CoAP as Device OS 6.2.0 speaks it: the hello, the
 * application describe, answers to function calls and variable reads as separate CON responses,
 * events both ways, subscriptions, time and pings. The record layer's primitives (PRF, CCM, record
 * framing) are the server's: they are standard and checked by the handshake itself (a wrong PRF or
 * AAD fails the Finished exchange).
 */
final class DeviceOsTestDevice implements AutoCloseable {

    final String id;
    private final KeyPair key;
    private final PublicKey serverKey;
    private final java.net.DatagramSocket socket;
    private final InetSocketAddress cloud;
    private byte[] cid;
    private RecordCipher readCipher;
    private RecordCipher writeCipher;
    private long writeSeq0;
    private long writeSeq1;
    private int messageId = 100;
    private final BlockingQueue<CoapMessage> inbox = new LinkedBlockingQueue<>();
    /** Events the cloud delivered: name → data. */
    final BlockingQueue<String[]> events = new LinkedBlockingQueue<>();
    final Map<String, Function<String, Integer>> functions = new ConcurrentHashMap<>();
    final Map<String, Object> variables = new ConcurrentHashMap<>();
    private volatile Thread reader;
    /** OTA v3 as Device OS receives it: the file being received, chunk by chunk. */
    private byte[] otaFile;
    private byte[] otaSha;
    private int otaChunk;
    private long otaStart;
    private final java.util.BitSet otaChunks = new java.util.BitSet();
    private int otaSinceAck;
    private volatile int finishResponseId = -1;
    private volatile boolean finishOk;
    /** The image the cloud sent and the device validated, once the cloud acknowledged the device's 2.04 (it installs then). */
    volatile byte[] installed;
    /** Bytes this device already holds of an earlier transfer of the same file (a resumed transfer). */
    volatile byte[] held;
    /** Drops each chunk index for which this answers true, the first time it arrives (a lossy network). */
    volatile java.util.function.IntPredicate dropFirst = i -> false;
    private final java.util.Set<Integer> dropped = ConcurrentHashMap.newKeySet();
    final java.util.concurrent.atomic.AtomicInteger chunksReceived = new java.util.concurrent.atomic.AtomicInteger();
    /** A chunk index whose bytes the device stores wrong (its hash check must then fail); 0 for none. */
    volatile int corruptChunk;
    private volatile boolean resetByCloud;

    DeviceOsTestDevice(String id, KeyPair key, PublicKey serverKey, InetSocketAddress cloud) throws Exception {
        this.id = id;
        this.key = key;
        this.serverKey = serverKey;
        this.cloud = cloud;
        this.socket = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setSoTimeout(3000);
    }

    boolean resetByCloud() {
        return resetByCloud;
    }

    // --- DTLS ------------------------------------------------------------------------------------------

    /** Shakes hands; false when the cloud does not answer (an unknown key gets no Finished). */
    boolean handshake() throws Exception {
        ByteArrayOutputStream transcript = new ByteArrayOutputStream();
        byte[] clientRandom = new byte[32];
        new java.security.SecureRandom().nextBytes(clientRandom);
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        ext(ext, 10, new byte[]{0, 2, 0, 23});            // supported groups: secp256r1
        ext(ext, 11, new byte[]{1, 0});                   // ec point formats: uncompressed
        ext(ext, 13, new byte[]{0, 4, 4, 3, 4, 1});       // signature algorithms: ecdsa+sha256, rsa+sha256
        ext(ext, 19, new byte[]{1, 2});                   // client certificate type: raw public key
        ext(ext, 20, new byte[]{1, 2});                   // server certificate type: raw public key
        ext(ext, 254, new byte[]{0});                     // connection id, empty own id
        byte[] extBytes = ext.toByteArray();
        int seq = 0;
        byte[] ch = handshakeMessage(1, seq++, clientHello(clientRandom, new byte[0], extBytes));
        sendRaw(DtlsRecord.encode(DtlsRecord.HANDSHAKE, 0, writeSeq0++, ch));

        byte[] flight;
        try {
            flight = receiveRaw();
        } catch (SocketTimeoutException e) {
            return false;
        }
        List<DtlsRecord> first = DtlsRecord.parse(flight, 8);
        if (!first.isEmpty() && first.get(0).fragment().length > 15 && first.get(0).fragment()[0] == 3) {
            // HelloVerifyRequest: the same ClientHello again with the cookie; the handshake starts from it.
            helloVerifyRequests++;
            byte[] hvr = first.get(0).fragment();
            byte[] cookie = Arrays.copyOfRange(hvr, 15, 15 + (hvr[14] & 0xFF));
            ch = handshakeMessage(1, seq++, clientHello(clientRandom, cookie, extBytes));
            sendRaw(DtlsRecord.encode(DtlsRecord.HANDSHAKE, 0, writeSeq0++, ch));
            try {
                flight = receiveRaw();
            } catch (SocketTimeoutException e) {
                return false;
            }
        }
        transcript.writeBytes(ch);

        byte[] serverRandom = null;
        byte[] serverPoint = null;
        for (DtlsRecord r : DtlsRecord.parse(flight, 8)) {
            ByteBuffer b = ByteBuffer.wrap(r.fragment());
            int type = b.get() & 0xFF;
            transcript.writeBytes(r.fragment());
            ByteBuffer body = ByteBuffer.wrap(r.fragment(), 12, r.fragment().length - 12);
            if (type == 2) {
                body.getShort();
                serverRandom = new byte[32];
                body.get(serverRandom);
                int sessionIdLength = body.get() & 0xFF;
                body.position(body.position() + sessionIdLength);
                if ((body.getShort() & 0xFFFF) != 0xC0AE) throw new AssertionError("suite");
                body.get();
                int end = body.position() + 2 + (body.getShort() & 0xFFFF);
                while (body.position() < end) {
                    int t = body.getShort() & 0xFFFF;
                    byte[] v = new byte[body.getShort() & 0xFFFF];
                    body.get(v);
                    if (t == 254) cid = Arrays.copyOfRange(v, 1, 1 + v[0]);
                }
            } else if (type == 12) {
                int start = body.position();
                body.get();
                body.getShort();
                serverPoint = new byte[body.get() & 0xFF];
                body.get(serverPoint);
                byte[] params = Arrays.copyOfRange(r.fragment(), start, body.position());
                body.getShort();
                byte[] sig = new byte[body.getShort() & 0xFFFF];
                body.get(sig);
                Signature v = Signature.getInstance("SHA256withECDSA");
                v.initVerify(serverKey);
                v.update(clientRandom);
                v.update(serverRandom);
                v.update(params);
                if (!v.verify(sig)) throw new AssertionError("the cloud's key exchange is not signed with its server key");
            } else if (type == 11) {
                throw new AssertionError("the cloud sent a Certificate message: Device OS refuses it");
            }
        }
        if (cid == null || cid.length != 8) throw new AssertionError("the cloud gave no 8-byte connection id");

        KeyPair eph = DtlsConnection.ephemeralKey();
        byte[] spki = key.getPublic().getEncoded();
        byte[] cert = handshakeMessage(11, seq++, Prf.concat(new byte[]{0, 0, (byte) spki.length}, spki));
        byte[] point = DtlsConnection.point((ECPublicKey) eph.getPublic());
        byte[] cke = handshakeMessage(16, seq++, Prf.concat(new byte[]{(byte) point.length}, point));
        transcript.writeBytes(cert);
        transcript.writeBytes(cke);
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(key.getPrivate());
        s.update(transcript.toByteArray());
        byte[] sig = s.sign();
        byte[] cv = handshakeMessage(15, seq++, Prf.concat(new byte[]{4, 3, (byte) (sig.length >> 8), (byte) sig.length}, sig));
        transcript.writeBytes(cv);

        ECPublicKey mine = (ECPublicKey) eph.getPublic();
        PublicKey theirs = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(
                new BigInteger(1, Arrays.copyOfRange(serverPoint, 1, 33)), new BigInteger(1, Arrays.copyOfRange(serverPoint, 33, 65))),
                mine.getParams()));
        javax.crypto.KeyAgreement ka = javax.crypto.KeyAgreement.getInstance("ECDH");
        ka.init(eph.getPrivate());
        ka.doPhase(theirs, true);
        byte[] master = Prf.compute(ka.generateSecret(), "master secret", Prf.concat(clientRandom, serverRandom), 48);
        byte[] block = Prf.compute(master, "key expansion", Prf.concat(serverRandom, clientRandom), 40);
        writeCipher = new RecordCipher(Arrays.copyOfRange(block, 0, 16), Arrays.copyOfRange(block, 32, 36));
        readCipher = new RecordCipher(Arrays.copyOfRange(block, 16, 32), Arrays.copyOfRange(block, 36, 40));
        byte[] verify = Prf.compute(master, "client finished", DtlsConnection.sha256(transcript.toByteArray()), 12);
        byte[] finished = handshakeMessage(20, seq, verify);
        transcript.writeBytes(finished);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] m : List.of(cert, cke, cv)) out.writeBytes(DtlsRecord.encode(DtlsRecord.HANDSHAKE, 0, writeSeq0++, m));
        out.writeBytes(DtlsRecord.encode(DtlsRecord.CHANGE_CIPHER_SPEC, 0, writeSeq0++, new byte[]{1}));
        out.writeBytes(sealWithCid(DtlsRecord.HANDSHAKE, finished));
        sendRaw(out.toByteArray());

        byte[] answer;
        try {
            answer = receiveRaw();
        } catch (SocketTimeoutException e) {
            return false;
        }
        boolean ok = false;
        for (DtlsRecord r : DtlsRecord.parse(answer, 8)) {
            if (r.epoch() != 1) continue;
            byte[] plain = readCipher.open(r.fragment(), 0, r.fragment().length,
                    n -> DtlsRecord.plainAad(r.epochAndSeq(), r.type(), n));
            if (plain == null) throw new AssertionError("the cloud's Finished does not decrypt");
            byte[] expected = Prf.compute(master, "server finished", DtlsConnection.sha256(transcript.toByteArray()), 12);
            ok = Arrays.equals(Arrays.copyOfRange(plain, 12, 24), expected);
        }
        if (!ok) throw new AssertionError("the cloud's Finished does not verify");
        reader = Thread.ofVirtual().start(this::readLoop);
        return true;
    }

    /** HelloVerifyRequests the cloud sent in this device's handshakes. */
    int helloVerifyRequests;

    private static byte[] clientHello(byte[] clientRandom, byte[] cookie, byte[] extBytes) {
        ByteArrayOutputStream hello = new ByteArrayOutputStream();
        hello.writeBytes(new byte[]{(byte) 0xFE, (byte) 0xFD});
        hello.writeBytes(clientRandom);
        hello.write(0); // session id
        hello.write(cookie.length);
        hello.writeBytes(cookie);
        hello.writeBytes(new byte[]{0, 4, (byte) 0xC0, (byte) 0xAE, 0, (byte) 0xFF});
        hello.writeBytes(new byte[]{1, 0});
        hello.write(extBytes.length >> 8);
        hello.write(extBytes.length);
        hello.writeBytes(extBytes);
        return hello.toByteArray();
    }

    private byte[] handshakeMessage(int type, int seq, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(12 + body.length);
        b.put((byte) type);
        DtlsConnection.putU24(b, body.length);
        b.putShort((short) seq);
        DtlsConnection.putU24(b, 0);
        DtlsConnection.putU24(b, body.length);
        b.put(body);
        return b.array();
    }

    private static void ext(ByteArrayOutputStream out, int type, byte[] body) {
        out.write(type >> 8);
        out.write(type);
        out.write(body.length >> 8);
        out.write(body.length);
        out.writeBytes(body);
    }

    private synchronized byte[] sealWithCid(int type, byte[] content) {
        long seq = writeSeq1++;
        long es = (1L << 48) | seq;
        byte[] inner = DtlsRecord.innerOf(content, type);
        byte[] fragment = writeCipher.seal(es, inner, DtlsRecord.cidAad(es, cid, inner.length));
        return DtlsRecord.encodeWithCid(1, seq, cid, fragment);
    }

    private void sendRaw(byte[] datagram) throws java.io.IOException {
        socket.send(new java.net.DatagramPacket(datagram, datagram.length, cloud));
    }

    private byte[] receiveRaw() throws java.io.IOException {
        byte[] buf = new byte[2048];
        java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
        socket.receive(p);
        return Arrays.copyOf(buf, p.getLength());
    }

    // --- CoAP ------------------------------------------------------------------------------------------

    void send(CoapMessage m) {
        try {
            sendRaw(sealWithCid(DtlsRecord.APPLICATION_DATA, m.encode()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    int nextId() {
        return ++messageId & 0xFFFF;
    }

    private void readLoop() {
        while (!socket.isClosed()) {
            try {
                socket.setSoTimeout(0);
                for (DtlsRecord r : DtlsRecord.parse(receiveRaw(), 8)) {
                    if (r.epoch() != 1) continue;
                    byte[] plain = readCipher.open(r.fragment(), 0, r.fragment().length,
                            n -> DtlsRecord.plainAad(r.epochAndSeq(), r.type(), n));
                    if (plain == null || r.type() != DtlsRecord.APPLICATION_DATA) continue;
                    handle(CoapMessage.decode(plain));
                }
            } catch (Exception e) {
                if (socket.isClosed()) return;
            }
        }
    }

    private void handle(CoapMessage m) {
        if (m.type() == CoapMessage.RST) {
            resetByCloud = true;
            return;
        }
        List<String> path = m.path();
        String first = path.isEmpty() ? "" : path.get(0);
        if (m.type() == CoapMessage.CON && m.code() == CoapMessage.EMPTY) {
            send(CoapMessage.emptyAck(m.id())); // the cloud's ping
            return;
        }
        if (m.code() == CoapMessage.POST && first.equals("f")) {
            if (m.token().length != 1) throw new AssertionError("a function call without a 1-byte token");
            send(CoapMessage.emptyAck(m.id()));
            CoapMessage.Option q = m.option(CoapMessage.URI_QUERY);
            if (q == null) throw new AssertionError("a function call without its Uri-Query");
            Function<String, Integer> f = functions.get(path.get(1));
            if (f == null) return; // Device OS answers nothing for an unknown function
            int r = f.apply(q.text());
            send(new CoapMessage(CoapMessage.CON, CoapMessage.CHANGED, nextId(), m.token(), List.of(),
                    ByteBuffer.allocate(4).putInt(r).array()));
            return;
        }
        if (m.code() == CoapMessage.GET && first.equals("v")) {
            send(CoapMessage.emptyAck(m.id()));
            Object v = variables.get(path.get(1));
            if (v == null) {
                send(new CoapMessage(CoapMessage.CON, CoapMessage.NOT_FOUND, nextId(), m.token(), List.of(), CoapMessage.NO_PAYLOAD));
                return;
            }
            byte[] payload = switch (v) {
                case Boolean b -> new byte[]{(byte) (b ? 1 : 0)};
                case Integer i -> ByteBuffer.allocate(4).putInt(i).array();
                case Double d -> ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(d).array();
                default -> v.toString().getBytes(StandardCharsets.UTF_8);
            };
            send(new CoapMessage(CoapMessage.CON, CoapMessage.CONTENT, nextId(), m.token(), List.of(), payload));
            return;
        }
        if (m.code() == CoapMessage.POST && (first.equals("E") || first.equals("e"))) {
            if (m.type() == CoapMessage.CON) send(CoapMessage.emptyAck(m.id()));
            events.add(new String[]{String.join("/", path.subList(1, path.size())), new String(m.payload(), StandardCharsets.UTF_8)});
            return;
        }
        if (m.code() == CoapMessage.POST && first.equals("u")) {
            legacyBegin(m);
            return;
        }
        if (m.code() == CoapMessage.POST && first.equals("c")) {
            legacyChunk(m);
            return;
        }
        if (m.code() == CoapMessage.PUT && first.equals("u")) {
            legacyDone(m);
            return;
        }
        if (m.code() == CoapMessage.POST && first.equals("S")) {
            updateStart(m);
            return;
        }
        if (m.code() == CoapMessage.POST && first.equals("C")) {
            updateChunk(m);
            return;
        }
        if (m.code() == CoapMessage.POST && first.equals("F")) {
            updateFinish(m);
            return;
        }
        if (m.type() == CoapMessage.ACK && m.id() == finishResponseId) {
            // Device OS installs when the cloud acknowledges its 2.04 to UpdateFinish; an error answer cancels.
            if (finishOk) installed = otaFile;
            return;
        }
        if (m.type() == CoapMessage.CON && m.code() < 0x20) {
            send(CoapMessage.emptyAck(m.id()));
        }
        inbox.add(m);
    }

    // The legacy transfer, as Device OS's virtual device (platform gcc) takes it.

    private synchronized void legacyBegin(CoapMessage m) {
        if (m.token().length != 1 || m.payload().length != 20) throw new AssertionError("a bad UpdateBegin");
        send(CoapMessage.emptyAck(m.id()));
        ByteBuffer b = ByteBuffer.wrap(m.payload());
        int flags = b.get();
        otaChunk = b.getShort() & 0xFFFF;
        otaFile = new byte[b.getInt()];
        otaChunks.clear();
        otaStart = 0;
        send(new CoapMessage(CoapMessage.CON, CoapMessage.CHANGED, nextId(), m.token(), List.of(), new byte[]{(byte) (flags & 1)}));
    }

    private synchronized void legacyChunk(CoapMessage m) {
        List<CoapMessage.Option> q = m.options().stream().filter(o -> o.number() == CoapMessage.URI_QUERY).toList();
        if (m.type() != CoapMessage.NON || m.token().length != 1 || q.size() != 2 || q.get(0).value().length != 4
                || q.get(1).value().length != 2 || otaFile == null) {
            throw new AssertionError("a bad legacy chunk");
        }
        int i = ByteBuffer.wrap(q.get(1).value()).getShort() & 0xFFFF;
        if (dropFirst.test(i) && dropped.add(i)) return;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(m.payload());
        if ((int) crc.getValue() != ByteBuffer.wrap(q.get(0).value()).getInt()) return; // logged and later missed, as Device OS
        chunksReceived.incrementAndGet();
        System.arraycopy(m.payload(), 0, otaFile, i * otaChunk, m.payload().length);
        otaChunks.set(i);
    }

    private synchronized void legacyDone(CoapMessage m) {
        int total = (otaFile.length + otaChunk - 1) / otaChunk;
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < total && missing.size() < 40; i++) if (!otaChunks.get(i)) missing.add(i);
        if (missing.isEmpty()) {
            send(new CoapMessage(CoapMessage.ACK, CoapMessage.CHANGED, m.id(), m.token(), List.of(),
                    "{\"r\":0}".getBytes(StandardCharsets.UTF_8)));
            installed = otaFile;
            return;
        }
        send(new CoapMessage(CoapMessage.ACK, CoapMessage.BAD_REQUEST, m.id(), m.token(), List.of(), CoapMessage.NO_PAYLOAD));
        ByteBuffer list = ByteBuffer.allocate(missing.size() * 2);
        for (int i : missing) list.putShort((short) i);
        send(new CoapMessage(CoapMessage.CON, CoapMessage.GET, nextId(), CoapMessage.NO_TOKEN, List.of(CoapMessage.path("c")),
                list.array()));
    }

    private synchronized void updateStart(CoapMessage m) {
        send(CoapMessage.emptyAck(m.id()));
        int size = (int) m.option(DeviceOsUpdate.FILE_SIZE).unsigned();
        otaSha = m.option(DeviceOsUpdate.FILE_SHA256).value();
        otaChunk = (int) m.option(DeviceOsUpdate.CHUNK_SIZE).unsigned();
        otaFile = new byte[size];
        otaChunks.clear();
        byte[] h = held;
        otaStart = h == null ? 0 : h.length;
        if (h != null) System.arraycopy(h, 0, otaFile, 0, h.length);
        send(new CoapMessage(CoapMessage.CON, CoapMessage.CREATED, nextId(), m.token(),
                List.of(new CoapMessage.Option(DeviceOsUpdate.WINDOW_SIZE, CoapMessage.uint(131072 / otaChunk)),
                        new CoapMessage.Option(DeviceOsUpdate.FILE_SIZE, CoapMessage.uint(otaStart))), CoapMessage.NO_PAYLOAD));
    }

    private synchronized void updateChunk(CoapMessage m) {
        if (m.type() != CoapMessage.NON || m.token().length != 0 || otaFile == null) throw new AssertionError("a bad UpdateChunk");
        int i = (int) m.option(DeviceOsUpdate.CHUNK_INDEX).unsigned();
        if (dropFirst.test(i) && dropped.add(i)) return;
        chunksReceived.incrementAndGet();
        long from = otaStart + (long) (i - 1) * otaChunk;
        System.arraycopy(m.payload(), 0, otaFile, (int) from, m.payload().length);
        if (i == corruptChunk) otaFile[(int) from] ^= 0x5A;
        otaChunks.set(i);
        int total = (int) ((otaFile.length - otaStart + otaChunk - 1) / otaChunk);
        int cum = otaChunks.nextClearBit(1) - 1;
        if (++otaSinceAck >= 2 || cum == total) {
            otaSinceAck = 0;
            ByteBuffer bitmap = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            int last = 0;
            for (int w = 0; w < 16; w++) {
                int word = 0;
                for (int b = 0; b < 32; b++) if (otaChunks.get(cum + 1 + 32 * w + b)) word |= 1 << b;
                bitmap.putInt(word);
                if (word != 0) last = w + 1;
            }
            send(new CoapMessage(CoapMessage.NON, CoapMessage.POST, nextId(), CoapMessage.NO_TOKEN,
                    List.of(CoapMessage.path("A"), new CoapMessage.Option(DeviceOsUpdate.CHUNK_INDEX, CoapMessage.uint(cum))),
                    Arrays.copyOf(bitmap.array(), last * 4)));
        }
    }

    private synchronized void updateFinish(CoapMessage m) {
        send(CoapMessage.emptyAck(m.id()));
        boolean ok = otaFile != null && Arrays.equals(DtlsConnection.sha256(otaFile), otaSha);
        finishOk = ok;
        finishResponseId = nextId();
        send(new CoapMessage(CoapMessage.CON, ok ? CoapMessage.CHANGED : CoapMessage.SERVICE_UNAVAILABLE, finishResponseId, m.token(),
                List.of(), (ok ? "{\"recv_chunks\":" + chunksReceived.get() + "}" : "{\"code\":-1331,\"message\":\"hash mismatch\"}")
                        .getBytes(StandardCharsets.UTF_8)));
    }

    /** The next message from the cloud that the device did not handle itself (acknowledgements, time, signal …). */
    CoapMessage next(Duration timeout) throws InterruptedException {
        return inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends the hello (as Device OS 6.2.0: platform, system version 6.2.0, flags 0xF6) and waits for its ACK. */
    CoapMessage hello(String deviceId, int platformId, int productVersion) throws InterruptedException {
        return hello(deviceId, platformId, productVersion, 0xF6);
    }

    CoapMessage hello(String deviceId, int platformId, int productVersion, int flags) throws InterruptedException {
        ByteBuffer p = ByteBuffer.allocate(32);
        p.putShort((short) (productVersion == 0xFFFF ? 0xFFFF : platformId)).putShort((short) productVersion).putShort((short) flags)
                .putShort((short) platformId).put((byte) 0).put((byte) 12).put(HexFormat.of().parseHex(deviceId))
                .putShort((short) 6200).putShort((short) 1152).putInt(1 << 20).putShort((short) 512);
        int mid = nextId();
        send(new CoapMessage(CoapMessage.CON, CoapMessage.POST, mid, CoapMessage.NO_TOKEN, List.of(CoapMessage.path("h")), p.array()));
        return awaitAck(mid);
    }

    CoapMessage awaitAck(int mid) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < end) {
            CoapMessage m = next(Duration.ofMillis(200));
            if (m != null && (m.type() == CoapMessage.ACK || m.type() == CoapMessage.RST) && m.id() == mid) return m;
        }
        return null;
    }

    /** The application describe ({"f":[…],"v":{name:type code}}) with the functions and variables set here, as POST /d?2. */
    CoapMessage describe() throws InterruptedException {
        StringBuilder v = new StringBuilder();
        for (Map.Entry<String, Object> e : variables.entrySet()) {
            int code = switch (e.getValue()) {
                case Boolean b -> 1;
                case Integer i -> 2;
                case Double d -> 9;
                default -> 4;
            };
            if (!v.isEmpty()) v.append(',');
            v.append('"').append(e.getKey()).append("\":").append(code);
        }
        String f = String.join(",", functions.keySet().stream().map(n -> '"' + n + '"').toList());
        byte[] json = ("{\"f\":[" + f + "],\"v\":{" + v + "}}").getBytes(StandardCharsets.UTF_8);
        int mid = nextId();
        send(new CoapMessage(CoapMessage.CON, CoapMessage.POST, mid, new byte[]{7},
                List.of(CoapMessage.path("d"), CoapMessage.query(new byte[]{2})), json));
        return awaitAck(mid);
    }

    /** POST /E/name as Device OS publishes (CON, no token); returns the ACK. */
    CoapMessage publish(String name, String data) throws InterruptedException {
        int mid = nextId();
        send(new CoapMessage(CoapMessage.CON, CoapMessage.POST, mid, CoapMessage.NO_TOKEN,
                List.of(CoapMessage.path("E"), CoapMessage.path(name)), data.getBytes(StandardCharsets.UTF_8)));
        return awaitAck(mid);
    }

    /** GET /e/prefix as Device OS subscribes. */
    CoapMessage subscribe(String prefix) throws InterruptedException {
        int mid = nextId();
        send(new CoapMessage(CoapMessage.CON, CoapMessage.GET, mid, CoapMessage.NO_TOKEN,
                List.of(CoapMessage.path("e"), CoapMessage.path(prefix)), CoapMessage.NO_PAYLOAD));
        return awaitAck(mid);
    }

    /** GET /t: the cloud's time, from its piggybacked 2.05. */
    CoapMessage time() throws InterruptedException {
        int mid = nextId();
        send(new CoapMessage(CoapMessage.CON, CoapMessage.GET, mid, new byte[]{9}, List.of(CoapMessage.path("t")), CoapMessage.NO_PAYLOAD));
        return awaitAck(mid);
    }

    /** A CoAP ping (CON, empty). */
    CoapMessage ping() throws InterruptedException {
        int mid = nextId();
        send(new CoapMessage(CoapMessage.CON, CoapMessage.EMPTY, mid, CoapMessage.NO_TOKEN, List.of(), CoapMessage.NO_PAYLOAD));
        return awaitAck(mid);
    }

    @Override
    public void close() {
        socket.close();
    }
}
