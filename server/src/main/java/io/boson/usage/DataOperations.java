package io.boson.usage;

import java.util.Locale;

/**
 * What a Data Operation is (reference section D, device protocol section 8): one per 1024 bytes of
 * an event's payload (minimum 1) for each event published and each event delivered to a device;
 * one per function call and per variable read. Internal {@code spark}/{@code particle} events are free.
 */
public final class DataOperations {

    public static final int BYTES_PER_OPERATION = 1024;

    private DataOperations() {
    }

    /** Data Operations of an event with {@code payloadBytes} of data: 0 → 1, 1024 → 1, 1025 → 2. */
    public static long forEvent(int payloadBytes) {
        return payloadBytes <= BYTES_PER_OPERATION ? 1 : (payloadBytes + BYTES_PER_OPERATION - 1L) / BYTES_PER_OPERATION;
    }

    /** False for the cloud's own events ({@code spark/…}, {@code particle/…}), which are never billed. */
    public static boolean billable(String eventName) {
        String n = eventName.length() > 8 ? eventName.substring(0, 8).toLowerCase(Locale.ROOT) : eventName.toLowerCase(Locale.ROOT);
        return !n.startsWith("spark") && !n.startsWith("particle");
    }
}
