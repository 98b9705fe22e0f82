package io.boson.device;

/**
 * Faults a simulated device can inject into its firmware updates, to exercise the cloud's
 * resume, verification and back-off paths.
 *
 * @param disconnectAt drop the connection once per job when this fraction (0–1) of the image has
 *                     arrived; negative: never. The device resumes from its offset when re-offered.
 * @param failAt       report {@code failed} when this fraction has arrived, on every attempt; negative: never
 * @param corruptChunk flip one byte of the chunk that crosses the middle of the image, so the
 *                     SHA-256 check fails and the device reports {@code failed}
 */
public record OtaFaults(double disconnectAt, double failAt, boolean corruptChunk) {

    public static final OtaFaults NONE = new OtaFaults(-1, -1, false);

    public static OtaFaults disconnectingAt(double fraction) {
        return new OtaFaults(fraction, -1, false);
    }

    public static OtaFaults failingAt(double fraction) {
        return new OtaFaults(-1, fraction, false);
    }

    public static OtaFaults corrupting() {
        return new OtaFaults(-1, -1, true);
    }
}
