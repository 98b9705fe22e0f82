package io.boson.rollouts;

import java.util.Locale;

/**
 * Where a rollout stands: created → (approved) → running ⇄ paused → finished, or cancelled from any
 * state before finished. Only a running rollout offers its version to devices that do not run it yet.
 */
public enum RolloutState {
    CREATED, APPROVED, RUNNING, PAUSED, FINISHED, CANCELLED;

    /** Not over: a release of another version to the same devices conflicts with it. */
    public boolean active() {
        return this == CREATED || this == APPROVED || this == RUNNING || this == PAUSED;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RolloutState of(String stored) {
        return valueOf(stored.toUpperCase(Locale.ROOT));
    }
}
