package io.boson.firmware;

import java.util.List;

/**
 * A product or developer device as firmware delivery sees it: what it runs, its product's rules
 * that apply to it (development flag, lock, groups) and its current or last update job.
 *
 * @param jobVersion    null for a developer flash, which has no product version
 * @param updatesForced the product delivers updates even when the device's firmware disabled them
 * @param releaseGeneration the product's release generation when the row was read (0 for no product): the
 *                          release list of the same or a later generation is current for this device
 */
public record DeviceFirmware(String deviceId, Long productId, Integer productVersion, boolean development, boolean online,
                             Integer lockedVersion, boolean lockFlash, List<String> groups, String job, Long jobProductId,
                             Integer jobVersion, Integer jobSize, String jobSha256, JobState state, int attempts,
                             String lastError, Integer fromVersion, Long startedAt, Long updatedAt, Long nextAttemptAt, Long bytesSent,
                             boolean updatesForced, long releaseGeneration) {

    public DeviceFirmware withGroups(List<String> g) {
        return new DeviceFirmware(deviceId, productId, productVersion, development, online, lockedVersion, lockFlash, g, job,
                jobProductId, jobVersion, jobSize, jobSha256, state, attempts, lastError, fromVersion, startedAt, updatedAt,
                nextAttemptAt, bytesSent, updatesForced, releaseGeneration);
    }

    /** This row after its job moved to {@code s} (as {@link FirmwareRepository#setState} stored it), without reading it again. */
    DeviceFirmware withJobState(JobState s, boolean countAttempt, Long next, String error, Long sent, long now) {
        return new DeviceFirmware(deviceId, productId, productVersion, development, online, lockedVersion, lockFlash, groups, job,
                jobProductId, jobVersion, jobSize, jobSha256, s, attempts + (countAttempt ? 1 : 0), error, fromVersion, startedAt,
                now, next, sent == null ? bytesSent : sent, updatesForced, releaseGeneration);
    }

    public boolean directJob() {
        return job != null && jobVersion == null;
    }
}
