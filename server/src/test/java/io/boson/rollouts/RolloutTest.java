package io.boson.rollouts;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.device.BosonDevice;
import io.boson.device.OtaFaults;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Staged rollouts to real SDK devices (BosonDevice over MQTT, with the simulator's OTA faults)
 * through the real gateway. Waves wait on the test's clock, which the tests advance; the scheduler
 * is ticked by hand (its timer also ticks, with the same clock, so either may act first).
 */
class RolloutTest {

    static TestCloud cloud;

    @BeforeAll
    static void start() {
        cloud = TestCloud.start();
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static Map<String, Object> wave(int percent, int success, int error) {
        return Map.of("percent", percent, "success_threshold", success, "error_threshold", error);
    }

    @Test
    void threeWavesOverThirtyDevicesAdvanceWaveByWaveAsDevicesApply() {
        try (Fleet f = new Fleet(cloud, "Three Waves", 30)) {
            f.upload(2);
            f.credentials.forEach(c -> f.connect(c.id(), 1, OtaFaults.NONE));
            try (SseStream events = SseStream.open(cloud.baseUrl(), f.p() + "/events/spark/rollout", f.owner.token())) {
                java.time.Instant start = cloud.clock.instant();
                long id = f.created(Map.of("version", 2, "wait_seconds", 3600,
                        "waves", List.of(wave(20, 100, 10), wave(30, 100, 10), wave(50, 100, 10))));
                Map<Integer, List<String>> waves = f.waves(id);
                assertThat(waves.get(1)).hasSize(6);
                assertThat(waves.get(2)).hasSize(9);
                assertThat(waves.get(3)).hasSize(15);

                f.tickUntil("wave 1 runs v2", () -> f.allRun(waves.get(1), 2)
                        && f.rollout(id).at("/waves/0/devices/applied").asInt() == 6);
                JsonNode r = f.rollout(id);
                assertThat(r.get("state").asText()).isEqualTo("running");
                assertThat(r.get("current_wave").asInt()).isEqualTo(1);
                assertThat(java.time.Instant.parse(r.get("next_wave_at").asText())).isEqualTo(start.plus(Duration.ofHours(1)));
                assertThat(f.offers(waves.get(2)) + f.offers(waves.get(3))).as("no offer beyond wave 1 during the wait").isZero();
                assertThat(r.at("/waves/1/devices/pending").asInt()).isEqualTo(9);

                cloud.clock.advance(Duration.ofHours(1));
                f.tickUntil("wave 2 runs v2", () -> f.allRun(waves.get(2), 2)
                        && f.rollout(id).at("/waves/1/devices/applied").asInt() == 9);
                assertThat(f.rollout(id).get("current_wave").asInt()).isEqualTo(2);
                assertThat(f.offers(waves.get(3))).as("no offer to wave 3 before the wait").isZero();

                cloud.clock.advance(Duration.ofHours(1));
                f.tickUntil("finished", () -> "finished".equals(f.state(id)));
                assertThat(f.allRun(waves.get(3), 2)).isTrue();
                r = f.rollout(id);
                for (int w = 0; w < 3; w++) {
                    assertThat(r.at("/waves/" + w + "/devices/applied").asInt()).isEqualTo(r.at("/waves/" + w + "/devices/total").asInt());
                    assertThat(r.at("/waves/" + w + "/started_at").isNull()).isFalse();
                }
                // Each device took exactly one offer: one transfer per device, in its wave.
                f.credentials.forEach(c -> assertThat(f.device(c.id()).firmwareOffers()).isEqualTo(1));
                // Finished: the version is now the product's release, so devices that come later get it too.
                JsonNode v2 = f.owner.get(f.p() + "/firmware/2").json();
                assertThat(v2.get("product_default").asBoolean()).isTrue();
                assertThat(v2.get("intelligent").asBoolean()).isTrue();

                List<String> changes = new ArrayList<>();
                while (changes.size() < 6) changes.add(events.next(Duration.ofSeconds(5)).name());
                assertThat(changes).containsExactly("spark/rollout/created", "spark/rollout/started", "spark/rollout/wave_started",
                        "spark/rollout/wave_started", "spark/rollout/wave_started", "spark/rollout/finished");
            }
            JsonNode audit = f.owner.get(f.p() + "/audit").json();
            assertThat(audit.toString()).contains("rollout.created", "rollout.wave_started", "rollout.finished");
        }
    }

    @Test
    void failuresInWaveTwoAboveTheThresholdPauseItUntilResumedAndWaveThreeIsOfferedNothing() {
        try (Fleet f = new Fleet(cloud, "Failing Wave", 30)) {
            f.upload(2);
            long id = f.created(Map.of("version", 2,
                    "waves", List.of(wave(20, 100, 10), wave(30, 100, 25), wave(50, 100, 10))));
            Map<Integer, List<String>> waves = f.waves(id);
            List<String> faulty = waves.get(2).subList(0, 3); // 3 of 9 = 33% > 25% (2 of 9 = 22% is not)
            f.credentials.forEach(c -> f.connect(c.id(), 1, faulty.contains(c.id()) ? OtaFaults.failingAt(0.5) : OtaFaults.NONE));

            f.tickUntil("paused", () -> "paused".equals(f.state(id)));
            JsonNode r = f.rollout(id);
            assertThat(r.get("pause_reason").asText()).startsWith("wave 2: 3 of 9 devices failed");
            assertThat(r.get("current_wave").asInt()).isEqualTo(2);
            assertThat(r.at("/waves/1/devices/failed").asInt()).isEqualTo(3);
            assertThat(f.allRun(waves.get(1), 2)).isTrue();
            faulty.forEach(id2 -> assertThat(f.device(id2).firmwareFailed()).isPositive());
            // Paused: time passes, ticks come, wave 3 hears nothing.
            cloud.clock.advance(Duration.ofHours(2));
            for (int i = 0; i < 3; i++) cloud.boson().rollouts().scheduler().tick();
            assertThat(f.state(id)).isEqualTo("paused");
            assertThat(f.offers(waves.get(3))).isZero();

            // The faulty devices are fixed (new simulators, no faults); paused, they are offered nothing.
            List<BosonDevice> fixed = faulty.stream().map(d -> f.connect(d, 1, OtaFaults.NONE)).toList();
            assertThat(fixed.stream().mapToLong(BosonDevice::firmwareOffers).sum()).isZero();

            Api.Response resumed = f.post(id, "resume");
            assertThat(resumed.status()).as(resumed.toString()).isEqualTo(200);
            f.tickUntil("finished after the resume", () -> "finished".equals(f.state(id)));
            assertThat(f.allRun(f.credentials.stream().map(TestCloud.Credentials::id).toList(), 2)).isTrue();
            assertThat(f.owner.get(f.p() + "/audit").json().toString()).contains("rollout.paused", "rollout.resumed");
        }
    }

    @Test
    void cancelStopsOffersAtOnceAndDevicesDoneStayDone() {
        try (Fleet f = new Fleet(cloud, "Cancel", 10)) {
            f.upload(1);
            f.upload(2);
            assertThat(f.owner.putJson(f.p() + "/firmware/release", Map.of("version", 1, "product_default", true)).status())
                    .isEqualTo(200);
            long id = f.created(Map.of("version", 2, "wait_seconds", 600,
                    "waves", List.of(wave(50, 80, 50), wave(50, 100, 50))));
            Map<Integer, List<String>> waves = f.waves(id);
            String late = waves.get(1).get(0); // in wave 1 but offline until after the cancel
            waves.values().forEach(ids -> ids.stream().filter(d -> !d.equals(late)).forEach(d -> f.connect(d, 1, OtaFaults.NONE)));
            List<String> online1 = waves.get(1).stream().filter(d -> !d.equals(late)).toList();
            f.tickUntil("wave 1 (but one) runs v2", () -> f.allRun(online1, 2) && f.rollout(id).get("next_wave_at").isTextual());

            Api.Response cancelled = f.post(id, "cancel");
            assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
            assertThat(cancelled.json().at("/rollout/state").asText()).isEqualTo("cancelled");
            BosonDevice d = f.connect(late, 1, OtaFaults.NONE);
            cloud.clock.advance(Duration.ofHours(1));
            for (int i = 0; i < 3; i++) cloud.boson().rollouts().scheduler().tick();
            assertThat(d.firmwareOffers()).as("a started wave's device offered nothing after the cancel").isZero();
            assertThat(f.offers(waves.get(2))).isZero();
            // Done stays done: a device that runs v2 reconnects and is not taken back to the default v1.
            BosonDevice done = f.connect(online1.get(0), 2, OtaFaults.NONE);
            assertThat(done.firmwareOffers()).isZero();
            assertThat(f.owner.get(f.p() + "/devices/" + online1.get(0)).json().at("/firmware_update/target_source").asText())
                    .isEqualTo("rollout");
            assertThat(f.post(id, "resume").status()).isEqualTo(400);
        }
    }

    @Test
    void aDeviceAddedToTheGroupMidRolloutIsUpdatedInItsWave() {
        try (Fleet f = new Fleet(cloud, "Joiner", 9)) {
            f.upload(2);
            for (int i = 0; i < 8; i++) {
                f.owner.putJson(f.p() + "/devices/" + f.credentials.get(i).id(), Map.of("groups", List.of("field")));
            }
            f.credentials.forEach(c -> f.connect(c.id(), 1, OtaFaults.NONE));
            String joiner = f.credentials.get(8).id();
            long id = f.created(Map.of("version", 2, "groups", List.of("field"), "wait_seconds", 600,
                    "waves", List.of(wave(50, 100, 10), wave(50, 100, 10))));
            Map<Integer, List<String>> waves = f.waves(id);
            assertThat(waves.values().stream().mapToInt(List::size).sum()).isEqualTo(8);
            f.tickUntil("wave 1 runs v2", () -> f.allRun(waves.get(1), 2) && f.rollout(id).get("next_wave_at").isTextual());
            assertThat(f.device(joiner).firmwareOffers()).as("outside the target").isZero();

            assertThat(f.owner.putJson(f.p() + "/devices/" + joiner, Map.of("groups", List.of("field"))).status()).isEqualTo(200);
            f.tickUntil("the joiner has a wave", () -> f.waves(id).values().stream().anyMatch(ids -> ids.contains(joiner)));
            int joinedWave = f.waves(id).entrySet().stream().filter(e -> e.getValue().contains(joiner)).findFirst().orElseThrow().getKey();
            if (joinedWave == 1) {
                f.tickUntil("the joiner runs v2 in wave 1", () -> f.allRun(List.of(joiner), 2));
            } else {
                assertThat(f.device(joiner).firmwareOffers()).as("not before wave 2").isZero();
            }
            cloud.clock.advance(Duration.ofMinutes(10));
            f.tickUntil("finished", () -> "finished".equals(f.state(id)));
            assertThat(f.allRun(List.of(joiner), 2)).isTrue();
            assertThat(f.device(joiner).firmwareOffers()).isEqualTo(1);
        }
    }

    @Test
    void aReleaseOfAnotherVersionToTheSameDevicesIsRefusedOrCancelsTheRolloutWhenAsked() {
        try (Fleet f = new Fleet(cloud, "Conflict", 2)) {
            f.upload(2);
            f.upload(3);
            long id = f.created(Map.of("version", 2, "requires_approval", true, "waves", List.of(wave(100, 100, 10))));
            assertThat(f.state(id)).isEqualTo("created");
            Api.Response refused = f.owner.putJson(f.p() + "/firmware/release", Map.of("version", 3, "product_default", true));
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.json().get("error").asText()).contains("Rollout " + id, "cancel_rollouts");
            assertThat(f.create(Map.of("version", 3, "waves", List.of(wave(100, 100, 10)))).status())
                    .as("one unfinished rollout per product").isEqualTo(409);

            Api.Response release = f.owner.putJson(f.p() + "/firmware/release", Map.of("version", 3, "product_default", true,
                    "cancel_rollouts", true));
            assertThat(release.status()).as(release.toString()).isEqualTo(200);
            assertThat(f.state(id)).isEqualTo("cancelled");
            assertThat(f.owner.get(f.p() + "/audit").json().toString()).contains("rollout.cancelled");
        }
    }

    @Test
    void developmentAndLockedDevicesStayOutAndApprovalGatesTheStart() {
        try (Fleet f = new Fleet(cloud, "Approval", 4)) {
            f.upload(2);
            f.upload(3);
            String dev = f.credentials.get(0).id();
            String locked = f.credentials.get(1).id();
            f.owner.putJson(f.p() + "/devices/" + dev, Map.of("development", true));
            f.owner.putJson(f.p() + "/devices/" + locked, Map.of("desired_firmware_version", 3));
            f.credentials.forEach(c -> f.connect(c.id(), 1, OtaFaults.NONE));
            long id = f.created(Map.of("version", 2, "requires_approval", true, "waves", List.of(wave(100, 100, 10))));
            cloud.clock.advance(Duration.ofHours(1));
            cloud.boson().rollouts().scheduler().tick();
            assertThat(f.state(id)).isEqualTo("created");
            assertThat(f.waves(id)).isEmpty();
            assertThat(f.post(id, "approve").status()).isEqualTo(200);
            List<String> others = List.of(f.credentials.get(2).id(), f.credentials.get(3).id());
            f.tickUntil("finished", () -> "finished".equals(f.state(id)));
            assertThat(f.allRun(others, 2)).isTrue();
            assertThat(f.waves(id).get(1)).containsExactlyInAnyOrderElementsOf(others);
            assertThat(f.device(dev).firmwareOffers()).isZero();
            assertThat(Objects.equals(f.device(locked).productVersion(), 2)).isFalse();
        }
    }

    @Test
    void badRequestsGetClearErrors() {
        try (Fleet f = new Fleet(cloud, "Bad", 0)) {
            f.upload(2);
            assertThat(f.create(Map.of("version", 9, "waves", List.of(wave(100, 100, 10)))).status()).isEqualTo(400);
            assertThat(f.create(Map.of("version", 2, "waves", List.of(wave(60, 100, 10)))).json().get("error").asText())
                    .contains("add up to 100");
            assertThat(f.create(Map.of("version", 2)).status()).isEqualTo(400);
            assertThat(f.create(Map.of("version", 2, "waves", List.of(Map.of("group", "nope")))).status()).isEqualTo(400);
            assertThat(f.create(Map.of("version", 2, "waves", List.of(wave(100, 101, 10)))).status()).isEqualTo(400);
            assertThat(f.create(Map.of("version", 2, "waves", "all")).status()).isEqualTo(400);
            assertThat(f.owner.get(f.p() + "/rollouts/abc").status()).isEqualTo(404);
            assertThat(f.owner.get(f.p() + "/rollouts/999999").status()).isEqualTo(404);
            Api stranger = cloud.newUser();
            assertThat(stranger.get(f.p() + "/rollouts").status()).isEqualTo(404);
        }
    }
}
