package io.boson.device;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One firmware image being pulled chunk by chunk (device protocol section 3). It lives across
 * reconnects, so a re-offer of the same job continues from {@link #offset()} instead of zero.
 */
final class FirmwareDownload {

    final String job;
    final Integer version;
    final String sha256;
    private final byte[] image;
    private int offset;
    boolean cut;

    FirmwareDownload(String job, Integer version, int size, String sha256) {
        this.job = job;
        this.version = version;
        this.sha256 = sha256;
        this.image = new byte[size];
    }

    int size() {
        return image.length;
    }

    synchronized int offset() {
        return offset;
    }

    /** Takes the chunk if it is the one expected next; false for duplicates and strays. */
    synchronized boolean accept(long at, ByteBuffer chunk, boolean corrupt) {
        int length = chunk.remaining();
        if (at != offset || length == 0 || offset + length > image.length) return false;
        chunk.duplicate().get(image, offset, length);
        if (corrupt) image[offset] ^= 0x5A;
        offset += length;
        return true;
    }

    synchronized boolean complete() {
        return offset == image.length;
    }

    synchronized boolean verified() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image)).equalsIgnoreCase(sha256);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
