package io.boson.deviceos;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.zip.CRC32;

/**
 * One firmware transfer in Device OS's legacy chunked protocol, the only one its virtual device (platform
 * gcc) speaks (its hello lacks flag 0x80; no hardware of Device OS 6.x uses it). UpdateBegin ({@code POST
 * /u}, 20 bytes: fast mode, chunk size, file length); the device's UpdateReady (a separate 2.04);
 * then every chunk as NON {@code POST /c} with its CRC-32 and 0-based index as 4- and 2-byte Uri-Query
 * options (the device reads them at fixed sizes), unanswered; then UpdateDone ({@code PUT /u}): 2.04
 * when the device holds every chunk, else 4.00 followed by the device's ChunkMissed ({@code GET /c}, up
 * to 40 indexes) and another round. The image comes from the gateway 64 KiB at a time.
 */
final class DeviceOsLegacyUpdate implements DeviceOsSession.Transfer {

    /** Device OS's default chunk size; the device writes chunk i at i × this. */
    static final int CHUNK = 512;
    /** The device keeps its chunk bitmap at the end of its 1152-byte message buffer: about 2.5 MB at 512-byte chunks. */
    static final long MAX_SIZE = 2_400_000;
    static final int MAX_ROUNDS = 20;

    private final String job;
    private final long size;
    private final DeviceOsUpdate.Link link;
    private final int chunks;
    private final Deque<Integer> toSend = new ArrayDeque<>();
    private final ImagePieces image;
    private int rounds;
    private boolean done;
    private boolean sending;

    DeviceOsLegacyUpdate(String job, long size, DeviceOsUpdate.Link link) {
        this.job = job;
        this.size = size;
        this.link = link;
        this.chunks = (int) ((size + CHUNK - 1) / CHUNK);
        this.image = new ImagePieces(job, link);
    }

    @Override
    public String job() {
        return job;
    }

    @Override
    public boolean done() {
        return done;
    }

    @Override
    public void begin() {
        if (size <= 0 || size > MAX_SIZE) {
            fail("the image is too large for Device OS's legacy transfer (at most " + MAX_SIZE + " bytes)");
            return;
        }
        byte[] begin = ByteBuffer.allocate(20).put((byte) 1).putShort((short) CHUNK).putInt((int) size).put((byte) 0)
                .putInt(0).array();
        link.request(CoapMessage.POST, List.of(CoapMessage.path("u")), begin, "U");
    }

    /** UpdateReady (a separate 2.04 with the fast-mode flag), or the device's refusal. */
    @Override
    public void answered(String kind, CoapMessage m) {
        if (done) return;
        if (kind.equals("U")) {
            if (m.code() == CoapMessage.EMPTY) return; // the ACK; UpdateReady follows
            if (m.code() != CoapMessage.CHANGED) {
                fail("the device refused the update (" + DeviceOsUpdate.error(m) + ")");
                return;
            }
            if (m.payload().length < 1 || (m.payload()[0] & 1) == 0) {
                fail("the device does not take fast OTA");
                return;
            }
            for (int i = 0; i < chunks; i++) toSend.add(i);
            sending = true;
            pump();
        } else if (kind.equals("D")) {
            if (m.code() == CoapMessage.CHANGED) {
                done = true;
                image.release();
                link.outcome(job, "applied", null);
            } else if (m.code() != CoapMessage.BAD_REQUEST) {
                fail("the device did not take the update (" + DeviceOsUpdate.error(m) + ")");
            }
            // 4.00: chunks are missing; the device's ChunkMissed names them.
        }
    }

    /** ChunkMissed: the device lists (u16 big-endian) chunks it lacks. */
    void missed(CoapMessage m) {
        if (done) return;
        if (++rounds > MAX_ROUNDS) {
            fail("the device kept missing chunks");
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(m.payload());
        while (b.remaining() >= 2) {
            int i = b.getShort() & 0xFFFF;
            if (i < chunks) toSend.add(i);
        }
        sending = true;
        pump();
    }

    @Override
    public void data(long offset, byte[] bytes) {
        if (image.arrived(offset, bytes)) pump();
    }

    private void pump() {
        if (done || !sending) return;
        while (!toSend.isEmpty()) {
            int i = toSend.peek();
            long from = (long) i * CHUNK;
            int length = (int) Math.min(CHUNK, size - from);
            byte[] chunk = image.slice(from, length);
            if (chunk == null) return;
            toSend.poll();
            CRC32 crc = new CRC32();
            crc.update(chunk);
            link.send(new CoapMessage(CoapMessage.NON, CoapMessage.POST, link.nextId(), new byte[]{(byte) i},
                    List.of(CoapMessage.path("c"), CoapMessage.query(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array()),
                            CoapMessage.query(ByteBuffer.allocate(2).putShort((short) i).array())), chunk));
        }
        sending = false;
        link.request(CoapMessage.PUT, List.of(CoapMessage.path("u")), CoapMessage.NO_PAYLOAD, "D");
    }

    @Override
    public void fail(String why) {
        if (done) return;
        done = true;
        image.release();
        link.outcome(job, "failed", why);
    }

    @Override
    public void tick(long now) {
        // The device answers UpdateDone and lists what it lacks: the CoAP retransmission of UpdateDone is the timer.
    }
}
