package io.boson.deviceos;

/**
 * The firmware image as a transfer to a Device OS device reads it: one piece (up to 64 KiB) from the
 * gateway at a time ({@code o/{job}/get}), so a transfer holds at most that much, and a request for
 * bytes outside the piece fetches the piece that starts there.
 */
final class ImagePieces {

    private final String job;
    private final DeviceOsUpdate.Link link;
    private long offset = -1;
    private byte[] piece;
    private long fetching = -1;

    ImagePieces(String job, DeviceOsUpdate.Link link) {
        this.job = job;
        this.link = link;
    }

    /** The bytes {@code [from, from + length)}, or null while the piece holding them is fetched. */
    byte[] slice(long from, int length) {
        if (piece == null || from < offset || from + length > offset + piece.length) {
            if (fetching < 0) {
                fetching = from;
                link.fetch(job, from);
            }
            return null;
        }
        int at = (int) (from - offset);
        return java.util.Arrays.copyOfRange(piece, at, at + length);
    }

    /** A piece from the gateway; false when it is not the one asked for. */
    boolean arrived(long at, byte[] bytes) {
        if (at != fetching) return false;
        fetching = -1;
        offset = at;
        piece = bytes;
        return true;
    }

    void release() {
        piece = null;
    }
}
