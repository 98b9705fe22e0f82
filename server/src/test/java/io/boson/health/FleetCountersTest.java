package io.boson.health;

import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.boson.health.FleetHealthTest.counts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The counters keep every count exactly once across minutes and flushes: counts of devices whose
 * dimensions are cached go to per-minute windows shared by devices with the same dimensions, a count
 * that arrives for a minute that has already turned still lands in its own minute, and a window
 * drained by one flush keeps counting into the next.
 */
class FleetCountersTest extends CloudTest {

    @Test
    void countsLandInTheirMinuteOnceAcrossWindowsAndFlushes() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Counters");
        String p = "/v1/products/" + product;
        assertThat(owner.postJson(p + "/groups", Map.of("name", "north")).status()).isEqualTo(201);
        TestCloud.Credentials a = cloud.productDevice(owner, product);
        TestCloud.Credentials b = cloud.productDevice(owner, product);
        assertThat(owner.putJson(p + "/devices/" + a.id(), Map.of("groups", List.of("north"))).status()).isEqualTo(200);
        FleetCounters counters = cloud.boson().health().fleetCounters();

        Instant now = cloud.clock.instant();
        Instant m0 = Instant.ofEpochMilli(Buckets.floor(now.toEpochMilli(), Duration.ofMinutes(1))).plus(Duration.ofMinutes(1));
        cloud.clock.advance(Duration.between(now, m0));
        // Minute 0: the first counts are by device ID; the flush loads both devices' dimensions.
        counters.count(a.id(), FleetMetric.EVENTS_PUBLISHED, 1);
        counters.count(b.id(), FleetMetric.EVENTS_PUBLISHED, 1);
        cloud.boson().health().flush();
        // Still minute 0, now through the cached dimensions: a is in "north", b in no group.
        for (int i = 0; i < 5; i++) counters.count(a.id(), FleetMetric.EVENTS_PUBLISHED, 1);
        counters.count(b.id(), FleetMetric.EVENTS_PUBLISHED, 10);
        // Minute 1 without a flush in between: a new window while minute 0's is still unwritten.
        cloud.clock.advance(Duration.ofMinutes(1));
        counters.count(a.id(), FleetMetric.EVENTS_PUBLISHED, 100);
        // A count read its clock just before the minute turned and arrives after: it belongs to minute 0.
        cloud.clock.advance(Duration.ofMinutes(-1));
        counters.count(b.id(), FleetMetric.EVENTS_PUBLISHED, 1000);
        cloud.clock.advance(Duration.ofMinutes(1));
        cloud.boson().health().flush();
        // Counting on into windows a flush has drained: written once, by the next flush.
        counters.count(a.id(), FleetMetric.EVENTS_PUBLISHED, 10_000);
        cloud.boson().health().flush();
        cloud.boson().health().flush();

        String range = "?bucket=1m&from=" + m0 + "&to=" + m0.plus(Duration.ofMinutes(2));
        assertThat(counts(owner, p + "/fleet_health/events_published" + range, "count")).containsExactly(1017L, 10_100L);
        assertThat(counts(owner, p + "/fleet_health/events_published" + range + "&group=north", "count"))
                .containsExactly(6L, 10_100L);
    }
}
