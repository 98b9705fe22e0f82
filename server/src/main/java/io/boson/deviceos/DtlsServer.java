package io.boson.deviceos;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Device OS's UDP port: one receive thread reads datagrams, finds their connection (by the
 * connection id a device's records carry, else by address), drives its handshake and hands
 * decrypted application data to the {@link Listener}. Sending is thread-safe. A connection id that
 * arrives from a new address moves the connection there (a device behind a NAT that rebound).
 */
public final class DtlsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DtlsServer.class);
    /** Largest datagram read: Device OS sends at most 1152 bytes of plaintext per record. */
    private static final int MAX_DATAGRAM = 2048;

    /** What the server tells the layer above. */
    public interface Listener {
        /** A device finished its handshake: {@code conn} now carries its application data. */
        void established(Connection conn);

        /** Application data (one CoAP message) from an established connection. */
        void received(Connection conn, byte[] data);

        /** The connection ended (an alert, or a newer handshake of the same device). */
        void closed(Connection conn);

        /** Datagram bytes of the connection, both ways, handshake included (for cellular metering). */
        default void bytes(Connection conn, long bytes) {
        }
    }

    /** An established connection as the layer above sees it. */
    public final class Connection {
        private final DtlsConnection dtls;

        Connection(DtlsConnection dtls) {
            this.dtls = dtls;
        }

        public String deviceId() {
            return dtls.deviceId();
        }

        public InetSocketAddress peer() {
            return dtls.peer;
        }

        public void send(byte[] data) {
            byte[] datagram = dtls.seal(data);
            DtlsServer.this.send(dtls.peer, datagram);
            listener.bytes(this, datagram.length);
        }

        /** Forgets the connection: the device's next records are dropped until it shakes hands again. */
        public void close() {
            forget(dtls);
        }

        /** The layer above's state kept for a resumed session (null until it sets one). */
        public Object resumeState() {
            return dtls.resumeState;
        }

        public void resumeState(Object state) {
            dtls.resumeState = state;
        }
    }

    private record CidKey(byte[] cid) {
        @Override
        public boolean equals(Object o) {
            return o instanceof CidKey k && java.util.Arrays.equals(cid, k.cid);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(cid);
        }
    }

    private final DatagramChannel channel;
    private final ServerKey serverKey;
    private final Function<byte[], String> deviceOfKey;
    private final Listener listener;
    private final SecureRandom random = new SecureRandom();
    /** Handshakes in progress and connections by address (their last one). */
    private final Map<InetSocketAddress, DtlsConnection> byAddress = new ConcurrentHashMap<>();
    private final Map<CidKey, DtlsConnection> byCid = new ConcurrentHashMap<>();
    private final Map<DtlsConnection, Connection> views = new ConcurrentHashMap<>();
    private final int maxHandshakes;
    private final Thread receiver;
    private volatile boolean closed;

    public DtlsServer(InetSocketAddress address, ServerKey serverKey, Function<byte[], String> deviceOfKey, int maxHandshakes,
                      Listener listener) throws IOException {
        this.serverKey = serverKey;
        this.deviceOfKey = deviceOfKey;
        this.listener = listener;
        this.maxHandshakes = maxHandshakes;
        channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        // No SO_REUSEADDR: on Linux it would let a second process bind the same UDP port and share its datagrams.
        channel.bind(address);
        receiver = Thread.ofPlatform().name("device-os-udp").daemon().start(this::receiveLoop);
        log.info("Device OS devices (CoAP over DTLS) on udp {}", channel.getLocalAddress());
    }

    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void receiveLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
        while (!closed) {
            try {
                buffer.clear();
                InetSocketAddress from = (InetSocketAddress) channel.receive(buffer);
                if (from == null) continue;
                buffer.flip();
                byte[] datagram = new byte[buffer.remaining()];
                buffer.get(datagram);
                handle(from, datagram);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!closed) log.warn("device-os udp: {}", e.toString());
            }
        }
    }

    private void handle(InetSocketAddress from, byte[] datagram) {
        DtlsConnection counted = null;
        for (DtlsRecord r : DtlsRecord.parse(datagram, DtlsConnection.CID_LENGTH)) {
            DtlsConnection conn;
            if (r.withCid()) {
                conn = byCid.get(new CidKey(r.cid()));
                if (conn == null) {
                    // The device's Finished, the first record with the id, arrives before the handshake completes.
                    DtlsConnection shaking = byAddress.get(from);
                    if (shaking == null || !java.util.Arrays.equals(shaking.cid, r.cid())) continue; // an unknown session
                    conn = shaking;
                }
            } else {
                conn = byAddress.get(from);
                if (conn == null || conn.phase == DtlsConnection.Phase.CLOSED
                        || (conn.phase == DtlsConnection.Phase.ESTABLISHED && r.epoch() == 0 && r.type() == DtlsRecord.HANDSHAKE
                        && isClientHello(r))) {
                    if (r.epoch() != 0 || r.type() != DtlsRecord.HANDSHAKE || !isClientHello(r)) continue;
                    // A stateless cookie first (HelloVerifyRequest): a ClientHello from a spoofed address costs
                    // the cloud one HMAC and a reply smaller than itself, not a key pair and a signature.
                    byte[][] hello = DtlsConnection.clientHelloCookie(r.fragment());
                    if (hello == null) continue;
                    byte[] expected = cookie(from, hello[0]);
                    if (!java.security.MessageDigest.isEqual(expected, hello[1])) {
                        send(from, DtlsConnection.helloVerifyRequest(r.seq(), expected));
                        continue;
                    }
                    if (pendingHandshakes() >= maxHandshakes) continue;
                    conn = new DtlsConnection(serverKey, random, deviceOfKey, from, r.seq());
                    byAddress.put(from, conn);
                }
            }
            if (counted != conn) {
                counted = conn;
                conn.wire += datagram.length;
            }
            List<byte[]> appData = new ArrayList<>(1);
            DtlsConnection.Phase before = conn.phase;
            List<byte[]> out;
            try {
                out = conn.onRecord(r, appData);
            } catch (DtlsConnection.Refused e) {
                log.debug("device-os handshake from {} refused: {}", from, e.getMessage());
                forget(conn);
                continue;
            }
            if (r.withCid() && conn.phase == DtlsConnection.Phase.ESTABLISHED && !from.equals(conn.peer)) {
                // A valid record from a new address: the device moved (Device OS marks such records 253).
                byAddress.remove(conn.peer, conn);
                conn.peer = from;
                byAddress.put(from, conn);
            }
            for (byte[] d : out) {
                send(conn.peer, d);
                conn.wire += d.length;
            }
            if (before != DtlsConnection.Phase.ESTABLISHED && conn.phase == DtlsConnection.Phase.ESTABLISHED) {
                Connection view = new Connection(conn);
                views.put(conn, view);
                DtlsConnection previous = byCid.put(new CidKey(conn.cid), conn);
                if (previous != null && previous != conn) forget(previous);
                listener.established(view);
            }
            if (conn.phase == DtlsConnection.Phase.CLOSED) {
                forget(conn);
                continue;
            }
            Connection view = views.get(conn);
            if (view != null) {
                if (conn.wire > 0) {
                    listener.bytes(view, conn.wire);
                    conn.wire = 0;
                }
                for (byte[] data : appData) listener.received(view, data);
            }
        }
    }

    /**
     * Handshakes not finished within a minute are dropped (Device OS gives up after about 45 s), and
     * sessions nothing arrived on for {@code resumable} (a device that sleeps keeps its session and
     * resumes it without a handshake).
     */
    void expire(java.time.Duration resumable) {
        long now = System.nanoTime();
        for (DtlsConnection c : byAddress.values()) {
            if (c.phase != DtlsConnection.Phase.ESTABLISHED && now - c.startedNanos > 60_000_000_000L) forget(c);
        }
        for (DtlsConnection c : byCid.values()) {
            if (now - c.lastRecordNanos > resumable.toNanos()) forget(c);
        }
    }

    /** HMAC-SHA256 (this node's secret) of the client's address and random, 16 bytes. */
    private byte[] cookie(InetSocketAddress from, byte[] clientRandom) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(cookieSecret, "HmacSHA256"));
            mac.update(from.getAddress().getAddress());
            mac.update((byte) (from.getPort() >> 8));
            mac.update((byte) from.getPort());
            mac.update(clientRandom);
            return java.util.Arrays.copyOf(mac.doFinal(), 16);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private final byte[] cookieSecret = new byte[32];

    {
        random.nextBytes(cookieSecret);
    }

    private int pendingHandshakes() {
        return byAddress.size() - byCid.size();
    }

    private static boolean isClientHello(DtlsRecord r) {
        return r.fragment().length > 0 && r.fragment()[0] == 1;
    }

    private void forget(DtlsConnection conn) {
        conn.phase = DtlsConnection.Phase.CLOSED;
        byAddress.remove(conn.peer, conn);
        byCid.remove(new CidKey(conn.cid), conn);
        Connection view = views.remove(conn);
        if (view != null) listener.closed(view);
    }

    private void send(InetSocketAddress to, byte[] datagram) {
        try {
            channel.send(ByteBuffer.wrap(datagram), to);
        } catch (IOException e) {
            if (!closed) log.debug("device-os udp send to {}: {}", to, e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            // closing
        }
        for (DtlsConnection c : List.copyOf(byCid.values())) forget(c);
    }
}
