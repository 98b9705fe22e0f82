package io.boson.rollouts;

/**
 * One wave of a rollout: a share of the target devices ({@code percent}, the waves' shares add up to
 * 100) or the devices of one group ({@code group}). Thresholds are percentages of the wave's devices:
 * {@code successThreshold} must run the version before the next wave starts, more than
 * {@code errorThreshold} failed pauses the rollout.
 */
public record Wave(int index, Integer percent, String group, int successThreshold, int errorThreshold, Long startedAt) {
}
