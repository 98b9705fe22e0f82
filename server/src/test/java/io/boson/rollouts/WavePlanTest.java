package io.boson.rollouts;

import io.boson.firmware.JobState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Wave assignment and device status, as pure functions (no clock, no database). */
class WavePlanTest {

    private static Rollout rollout(long id, int currentWave, int... percents) {
        List<Wave> waves = new ArrayList<>();
        for (int i = 0; i < percents.length; i++) waves.add(new Wave(i, percents[i], null, 90, 10, null));
        return new Rollout(id, 1, 2, RolloutState.RUNNING, List.of(), false, 0, currentWave, null, 0, null, false, 0, 0, null, null,
                waves, 1L);
    }

    private static List<String> ids(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(String.format("%024x", 0xe000L + i));
        return out;
    }

    @Test
    void sharesAreExactAndTheAssignmentIsStableAndDependsOnTheRollout() {
        List<String> devices = ids(1000);
        Map<String, Integer> a = WavePlan.assignAll(rollout(7, -1, 10, 30, 60), devices, Map.of());
        int[] sizes = new int[3];
        a.values().forEach(w -> sizes[w]++);
        assertThat(sizes).containsExactly(100, 300, 600);
        List<String> reversed = new ArrayList<>(devices);
        java.util.Collections.reverse(reversed);
        assertThat(WavePlan.assignAll(rollout(7, -1, 10, 30, 60), reversed, Map.of())).isEqualTo(a);
        Map<String, Integer> other = WavePlan.assignAll(rollout(8, -1, 10, 30, 60), devices, Map.of());
        assertThat(other).isNotEqualTo(a); // another rollout picks other canaries
    }

    @Test
    void aLateDeviceTakesItsHashWaveOrTheCurrentOneWhenThatStartedLater() {
        Map<Integer, Integer> natural = new HashMap<>();
        for (String id : ids(2000)) natural.merge(WavePlan.lateWave(rollout(3, 0, 10, 30, 60), id, List.of()), 1, Integer::sum);
        assertThat(natural.get(0)).isBetween(130, 270);   // about 10 % of 2000
        assertThat(natural.get(2)).isBetween(1050, 1350); // about 60 %
        for (String id : ids(200)) assertThat(WavePlan.lateWave(rollout(3, 1, 10, 30, 60), id, List.of())).isBetween(1, 2);
    }

    @Test
    void groupWavesTakeTheFirstWaveWhoseGroupTheDeviceIsIn() {
        Rollout r = new Rollout(1, 1, 2, RolloutState.RUNNING, List.of(), false, 0, -1, null, 0, null, false, 0, 0, null, null,
                List.of(new Wave(0, null, "canary", 90, 10, null), new Wave(1, null, "field", 90, 10, null)), 1L);
        Map<String, Integer> a = WavePlan.assignAll(r, List.of("a", "b", "c"),
                Map.of("a", List.of("field", "canary"), "b", List.of("field")));
        assertThat(a).isEqualTo(Map.of("a", 0, "b", 1));
    }

    @Test
    void statusFollowsTheJobOfTheRolloutVersion() {
        assertThat(WavePlan.status(row(2, null, null), 2)).isEqualTo(WavePlan.Status.APPLIED);
        assertThat(WavePlan.status(row(1, 2, JobState.OFFERED), 2)).isEqualTo(WavePlan.Status.OFFERED);
        assertThat(WavePlan.status(row(1, 2, JobState.IN_PROGRESS), 2)).isEqualTo(WavePlan.Status.DOWNLOADING);
        assertThat(WavePlan.status(row(1, 2, JobState.APPLIED), 2)).isEqualTo(WavePlan.Status.DOWNLOADING);
        assertThat(WavePlan.status(row(1, 2, JobState.SUCCESS), 2)).isEqualTo(WavePlan.Status.APPLIED);
        assertThat(WavePlan.status(row(1, 2, JobState.REJECTED), 2)).isEqualTo(WavePlan.Status.FAILED);
        assertThat(WavePlan.status(row(1, 3, JobState.FAILED), 2)).as("a job of another version").isEqualTo(WavePlan.Status.PENDING);
        assertThat(WavePlan.countedFailure(row(1, 2, JobState.FAILED), 2, 500)).as("failed before the resume").isFalse();
        assertThat(WavePlan.countedFailure(row(1, 2, JobState.FAILED), 2, 50)).isTrue();
    }

    private static RolloutRepository.DeviceRow row(Integer runs, Integer jobVersion, JobState state) {
        return new RolloutRepository.DeviceRow("d", false, runs, true, null, jobVersion, state, 100L, null);
    }
}
