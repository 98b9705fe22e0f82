package io.boson.firmware;

import java.util.Locale;

/**
 * Where one device's update job stands. A job is offered, then in progress once the device asks
 * for a chunk, applied when the device says the image is staged, and a success only when the
 * device reconnects reporting the target version. Failed and rejected jobs wait out a back-off.
 */
public enum JobState {
    OFFERED, IN_PROGRESS, APPLIED, SUCCESS, FAILED, REJECTED;

    public boolean unfinished() {
        return this == OFFERED || this == IN_PROGRESS;
    }

    public boolean active() {
        return this == OFFERED || this == IN_PROGRESS || this == APPLIED;
    }

    public boolean failed() {
        return this == FAILED || this == REJECTED;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobState of(String stored) {
        return stored == null ? null : valueOf(stored.toUpperCase(Locale.ROOT));
    }
}
