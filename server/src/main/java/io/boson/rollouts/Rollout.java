package io.boson.rollouts;

import java.util.List;

/**
 * A staged release of one version over a product ({@code targetGroups} empty) or some of its groups.
 * {@code currentWave} is the last wave that started (-1 before the first). Times are epoch millis
 * of the cloud's clock.
 */
public record Rollout(long id, long productId, int version, RolloutState state, List<String> targetGroups,
                      boolean requiresApproval, long waitMillis, int currentWave, Long nextWaveAt, long errorsSince,
                      String pauseReason, boolean retired, long createdAt, long updatedAt, String leaseOwner, Long leaseUntil,
                      List<Wave> waves, Long createdBy) {

    public boolean productWide() {
        return targetGroups.isEmpty();
    }
}
