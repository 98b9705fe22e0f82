package io.boson.device;

/**
 * The cloud's answer to a QoS 1 publish. Under MQTT 5 this is the PUBACK reason code, so a caller
 * can tell an accepted event from a rate-limited (0x97) or refused (0x90, 0x87, 0x99) one. MQTT
 * 3.1.1 has no reason codes: there every acknowledged publish reads as {@link #SUCCESS}, and a
 * refusal shows up as a closed connection instead.
 */
public record PublishAck(int reasonCode, String reason) {

    /**
     * 0x97 Quota exceeded. The protocol page says 0x96 (Message rate too high), but MQTT 5 does not
     * allow 0x96 in a PUBACK (HiveMQ's client drops the connection on it), so the cloud sends 0x97.
     */
    public static final int RATE_LIMITED_CODE = 0x97;
    public static final PublishAck SUCCESS = new PublishAck(0, "SUCCESS");

    /** MQTT 5 reason codes below 0x80 are successes (0x10 "no matching subscribers" included). */
    public boolean isAccepted() {
        return reasonCode < 0x80;
    }

    public boolean isRateLimited() {
        return reasonCode == RATE_LIMITED_CODE;
    }

    @Override
    public String toString() {
        return String.format("%s (0x%02X)", reason, reasonCode);
    }
}
