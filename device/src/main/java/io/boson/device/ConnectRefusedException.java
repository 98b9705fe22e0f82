package io.boson.device;

/**
 * The cloud refused the device: a CONNACK with an error code (bad credentials 0x87/0x05, quota
 * 0x97/0x03, busy 0x89/0x03), or a refused describe right after it. Carried as the cause of a failed
 * {@link BosonDevice#connect()} future so callers can react to the code, e.g. back off when busy.
 */
public final class ConnectRefusedException extends RuntimeException {

    private final int reasonCode;
    private final String reason;

    public ConnectRefusedException(int reasonCode, String reason) {
        super(String.format("connection refused: %s (0x%02X)", reason, reasonCode));
        this.reasonCode = reasonCode;
        this.reason = reason;
    }

    /** MQTT 5 reason code, or the MQTT 3.1.1 CONNACK return code. */
    public int reasonCode() {
        return reasonCode;
    }

    public String reason() {
        return reason;
    }
}
