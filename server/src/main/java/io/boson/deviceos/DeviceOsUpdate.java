package io.boson.deviceos;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;
import java.util.List;

/**
 * One firmware transfer to a Device OS device in its OTA protocol v3 (docs/protocol.md): the cloud's
 * offer ({@code c/o/{job}}) becomes UpdateStart ({@code POST /S}: size, SHA-256, chunk size); the
 * device answers with its window and the offset it already holds (a resumed transfer); chunks go as
 * NON {@code POST /C} with a 1-based index relative to that offset, at most {@link #IN_FLIGHT} beyond
 * what the device acknowledged ({@code POST /A}: cumulative index and a bitmap of later chunks);
 * gaps and silences resend from the first missing chunk. The image comes from the gateway 64 KiB at
 * a time ({@code o/{job}/get}), so a transfer holds one such piece in memory. When every chunk is
 * acknowledged, UpdateFinish ({@code POST /F}); the device validates, answers 2.04 and installs when
 * the cloud acknowledges that answer; the outcome goes to the gateway ({@code o/{job}/s}).
 */
final class DeviceOsUpdate implements DeviceOsSession.Transfer {

    /** CoAP options of Device OS's OTA v3 (firmware_update.cpp). */
    static final int CHUNK_INDEX = 2049;
    static final int WINDOW_SIZE = 2053;
    static final int FILE_SIZE = 2057;
    static final int FILE_SHA256 = 2061;
    static final int CHUNK_SIZE = 2065;
    /** Bytes per chunk: Device OS takes 512 to 1136, a multiple of 4; a 1 KiB chunk fits its 1152-byte messages. */
    static final int CHUNK = 1024;
    /** Chunks sent beyond the device's acknowledgement at once (its window is 128 KiB). */
    static final int IN_FLIGHT = 32;
    /** Silences (no acknowledgement for {@link #SILENCE_MILLIS}) after which the transfer fails. */
    static final int MAX_SILENCES = 8;
    static final long SILENCE_MILLIS = 2_000;

    enum Phase { STARTING, SENDING, FINISHING, DONE }

    /** What the transfer asks of its session. */
    interface Link {
        void send(CoapMessage m);

        int nextId();

        /** Asks the gateway for the image from {@code offset} ({@code o/{job}/get}). */
        void fetch(String job, long offset);

        /** Sends a tracked CON request (UpdateStart "S", UpdateFinish "F", legacy UpdateBegin "U", UpdateDone "D"). */
        void request(int code, List<CoapMessage.Option> options, byte[] payload, String kind);

        /** Reports the outcome to the gateway ({@code o/{job}/s}). */
        void outcome(String job, String state, String error);
    }

    final String job;
    final long size;
    private final byte[] sha256;
    private final Link link;
    Phase phase = Phase.STARTING;
    private long start;
    private int window;
    private int chunks;
    private int cumulative;
    private final BitSet beyond = new BitSet();
    private int nextToSend = 1;
    private final ImagePieces image;
    private long lastProgress;
    private int silences;

    DeviceOsUpdate(String job, long size, byte[] sha256, Link link) {
        this.job = job;
        this.size = size;
        this.sha256 = sha256;
        this.link = link;
        this.image = new ImagePieces(job, link);
    }

    @Override
    public String job() {
        return job;
    }

    @Override
    public boolean done() {
        return phase == Phase.DONE;
    }

    @Override
    public void begin() {
        link.request(CoapMessage.POST, List.of(CoapMessage.path("S"), new CoapMessage.Option(FILE_SIZE, CoapMessage.uint(size)),
                new CoapMessage.Option(FILE_SHA256, sha256), new CoapMessage.Option(CHUNK_SIZE, CoapMessage.uint(CHUNK))),
                CoapMessage.NO_PAYLOAD, "S");
    }

    @Override
    public void answered(String kind, CoapMessage m) {
        if (kind.equals("S")) started(m, System.nanoTime() / 1_000_000);
        else if (kind.equals("F")) finished(m);
    }

    /** The device's answer to UpdateStart. */
    void started(CoapMessage answer, long now) {
        if (phase != Phase.STARTING) return;
        if (answer.code() != CoapMessage.CREATED) {
            fail(error(answer));
            return;
        }
        CoapMessage.Option w = answer.option(WINDOW_SIZE);
        CoapMessage.Option offset = answer.option(FILE_SIZE);
        window = w == null ? IN_FLIGHT : (int) Math.max(1, w.unsigned());
        start = offset == null ? 0 : offset.unsigned();
        if (start > size) {
            fail("the device holds more than the image");
            return;
        }
        chunks = (int) ((size - start + CHUNK - 1) / CHUNK);
        phase = Phase.SENDING;
        lastProgress = now;
        pump();
    }

    /** A piece of the image from the gateway. */
    @Override
    public void data(long offset, byte[] bytes) {
        if (image.arrived(offset, bytes)) pump();
    }

    /** UpdateAck: the device holds chunks 1..{@code index} and those set in the bitmap beyond. */
    void acked(CoapMessage m, long now) {
        if (phase != Phase.SENDING) return;
        CoapMessage.Option index = m.option(CHUNK_INDEX);
        if (index == null) return;
        int cum = (int) Math.min(index.unsigned(), chunks);
        if (cum > cumulative) {
            beyond.clear();
            cumulative = cum;
            lastProgress = now;
            silences = 0;
        }
        byte[] p = m.payload();
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
        int highest = cumulative;
        for (int w = 0; b.remaining() >= 4; w++) {
            int word = b.getInt();
            for (int bit = 0; bit < 32; bit++) {
                if ((word & (1 << bit)) != 0) {
                    int chunk = cumulative + 1 + 32 * w + bit;
                    beyond.set(chunk);
                    highest = Math.max(highest, chunk);
                }
            }
        }
        // Chunks below the highest one the device holds and not held are lost: send them again.
        if (highest > cumulative && nextToSend > cumulative + 1) nextToSend = cumulative + 1;
        if (nextToSend <= cumulative) nextToSend = cumulative + 1;
        pump();
    }

    /**
     * Nothing acknowledged for a while: resend from the first missing chunk, or give up. {@code now}
     * is a monotonic network time (System.nanoTime in ms), not the cloud's clock: a lost datagram is
     * resent after real seconds whatever the clock says.
     */
    @Override
    public void tick(long now) {
        if (phase != Phase.SENDING || now - lastProgress < SILENCE_MILLIS) return;
        lastProgress = now;
        if (++silences > MAX_SILENCES) {
            fail("the device stopped acknowledging chunks");
            return;
        }
        nextToSend = cumulative + 1;
        pump();
    }

    private void pump() {
        if (phase != Phase.SENDING) return;
        if (cumulative >= chunks) {
            phase = Phase.FINISHING;
            link.request(CoapMessage.POST, List.of(CoapMessage.path("F")), CoapMessage.NO_PAYLOAD, "F");
            return;
        }
        int limit = Math.min(chunks, cumulative + Math.min(window, IN_FLIGHT));
        while (nextToSend <= limit) {
            int i = nextToSend;
            if (beyond.get(i)) {
                nextToSend++;
                continue;
            }
            long from = start + (long) (i - 1) * CHUNK;
            int length = (int) Math.min(CHUNK, size - from);
            byte[] chunk = image.slice(from, length);
            if (chunk == null) return;
            link.send(new CoapMessage(CoapMessage.NON, CoapMessage.POST, link.nextId(), CoapMessage.NO_TOKEN,
                    List.of(CoapMessage.path("C"), new CoapMessage.Option(CHUNK_INDEX, CoapMessage.uint(i))), chunk));
            nextToSend++;
        }
    }

    /** The device's answer to UpdateFinish: 2.04 when it validated the image (it installs once this is acknowledged). */
    void finished(CoapMessage answer) {
        if (phase != Phase.FINISHING) return;
        phase = Phase.DONE;
        if ((answer.code() >> 5) == 2) {
            link.outcome(job, "applied", null);
        } else {
            link.outcome(job, "failed", error(answer));
        }
        image.release();
    }

    /** The device refused UpdateStart or a request failed. */
    @Override
    public void fail(String why) {
        if (phase == Phase.DONE) return;
        phase = Phase.DONE;
        image.release();
        link.outcome(job, "failed", why);
    }

    /** Device OS's error answer: JSON {"code":…,"message":…}, or the CoAP code. */
    static String error(CoapMessage answer) {
        String text = new String(answer.payload(), java.nio.charset.StandardCharsets.UTF_8).strip();
        String code = (answer.code() >> 5) + "." + String.format("%02d", answer.code() & 0x1F);
        if (text.isEmpty()) return "the device answered " + code;
        return text.length() > 200 ? text.substring(0, 200) : text;
    }
}
