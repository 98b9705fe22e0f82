package io.boson.health;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A product's fleet-health series match what real MQTT devices did, minute by minute: connects and
 * disconnects, events published, rate-limited and delivered, function calls and variable reads
 * with their success rate (one device answers errors, one never answers), devices online; filtered
 * by group and product firmware version; rolled up into hours; readable by View-only members.
 */
class FleetHealthTest extends CloudTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    static String describe(long product, int version, String functions) {
        return "{\"f\":[" + functions + "],\"v\":{\"temp\":\"double\"},\"platform_id\":13,\"product_id\":" + product
                + ",\"product_version\":" + version + ",\"system_version\":\"6.3.0\"}";
    }

    @Test
    void seriesMatchWhatTheDevicesDidPerMinuteAndFilter() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Fleet");
        String p = "/v1/products/" + product;
        assertThat(owner.postJson(p + "/groups", Map.of("name", "north")).status()).isEqualTo(201);
        TestCloud.Credentials c1 = cloud.productDevice(owner, product);
        TestCloud.Credentials c2 = cloud.productDevice(owner, product);
        TestCloud.Credentials c3 = cloud.productDevice(owner, product);
        assertThat(owner.putJson(p + "/devices/" + c1.id(), Map.of("groups", List.of("north"))).status()).isEqualTo(200);

        // Minute 0: three devices connect; d1 (version 1, group north) bursts 6 events (4 pass, 2 are
        // rate-limited), d2 (version 2) publishes one.
        Instant now = cloud.clock.instant();
        Instant m0 = Instant.ofEpochMilli(Buckets.floor(now.toEpochMilli(), Duration.ofMinutes(1))).plus(Duration.ofMinutes(1));
        cloud.clock.advance(Duration.between(now, m0));
        try (TestDevice d1 = TestDevice.connect(cloud, c1); TestDevice d2 = TestDevice.connect(cloud, c2);
             TestDevice d3 = TestDevice.connect(cloud, c3)) {
            d1.describe(describe(product, 1, "\"led\""));
            d2.describe(describe(product, 2, "\"led\",\"boom\""));
            d3.describe(describe(product, 2, "\"led\""));
            // The rate limit lets 8 through at once (a stopped clock refills nothing): 2 of d1's 10 are dropped.
            for (int i = 0; i < 10; i++) d1.publish("reading", Integer.toString(i));
            d2.publish("reading", "x");
            // Delivery to the other devices is asynchronous: let it happen within minute 0.
            awaitReceived(d1, "c/e/reading", 1);
            awaitReceived(d2, "c/e/reading", 8);
            awaitReceived(d3, "c/e/reading", 9);

            // Minute 1: calls: two succeed on d1, d2 answers an error, d3 never answers (timeout);
            // one variable read; one product event delivered to all three devices.
            cloud.clock.advance(Duration.ofMinutes(1));
            cloud.boson().health().flush();
            assertThat(owner.postJson(p + "/devices/" + d1.id + "/led", Map.of("arg", "on")).status()).isEqualTo(200);
            assertThat(owner.postJson(p + "/devices/" + d1.id + "/led", Map.of("arg", "off")).status()).isEqualTo(200);
            assertThat(owner.postJson(p + "/devices/" + d2.id + "/boom", Map.of("arg", "x")).status()).isEqualTo(400);
            d3.silent();
            assertThat(owner.postJson(p + "/devices/" + d3.id + "/led", Map.of("arg", "on")).status()).isEqualTo(408);
            assertThat(owner.get(p + "/devices/" + d1.id + "/temp").status()).isEqualTo(200);
            assertThat(owner.postJson(p + "/events", Map.of("name", "cmd", "data", "go")).status()).isEqualTo(200);
            for (TestDevice d : List.of(d1, d2, d3)) d.next("c/e/cmd", WAIT);

            // Minute 2: d2 leaves.
            cloud.clock.advance(Duration.ofMinutes(1));
            cloud.boson().health().flush();
            d2.close();
            await().atMost(WAIT).until(() -> !owner.get(p + "/devices/" + d2.id).json().get("online").asBoolean());
            awaitReceived(d1, "c/e/spark/status", 1); // next() above consumed what came before the command
            awaitReceived(d3, "c/e/spark/status", 1);

            cloud.clock.advance(Duration.ofSeconds(30));
            cloud.boson().health().flush();
            String range = "?bucket=1m&from=" + m0 + "&to=" + m0.plus(Duration.ofMinutes(3));

            assertThat(counts(owner, p + "/fleet_health/connects" + range, "count")).containsExactly(3L, 0L, 0L);
            assertThat(counts(owner, p + "/fleet_health/disconnects" + range, "count")).containsExactly(0L, 0L, 1L);
            assertThat(counts(owner, p + "/fleet_health/events_published" + range, "count")).containsExactly(9L, 0L, 0L);
            assertThat(counts(owner, p + "/fleet_health/events_published" + range + "&firmware_version=1", "count"))
                    .containsExactly(8L, 0L, 0L);
            assertThat(counts(owner, p + "/fleet_health/events_published" + range + "&group=north", "count"))
                    .containsExactly(8L, 0L, 0L);
            assertThat(counts(owner, p + "/fleet_health/events_published" + range + "&system_version=6.3.0", "count"))
                    .containsExactly(9L, 0L, 0L);
            assertThat(counts(owner, p + "/fleet_health/events_published" + range + "&system_version=5.0.0", "count"))
                    .containsExactly(0L, 0L, 0L);
            assertThat(counts(owner, p + "/fleet_health/rate_limited" + range, "count")).containsExactly(2L, 0L, 0L);
            // Delivered to devices: minute 0, the events of d1 (8 to two devices) and d2 (1 to two) and the
            // spark/status online of d2 (to d1) and d3 (to d1, d2); minute 1, the product event to all three;
            // minute 2, d2's spark/status offline to d1 and d3. Group north is d1 alone.
            assertThat(counts(owner, p + "/fleet_health/events_delivered" + range, "count")).containsExactly(21L, 3L, 2L);
            assertThat(counts(owner, p + "/fleet_health/events_delivered" + range + "&group=north", "count"))
                    .containsExactly(3L, 1L, 1L);

            JsonNode calls = owner.get(p + "/fleet_health/function_calls" + range).json();
            assertThat(calls.get("parts")).extracting(JsonNode::asText).containsExactly("success", "error", "timeout");
            JsonNode m1 = calls.get("series").get(1);
            assertThat(m1.get("time").asText()).isEqualTo(m0.plus(Duration.ofMinutes(1)).toString());
            assertThat(m1.get("success").asLong()).isEqualTo(2);
            assertThat(m1.get("error").asLong()).isEqualTo(1);
            assertThat(m1.get("timeout").asLong()).isEqualTo(1);
            assertThat(m1.get("total").asLong()).isEqualTo(4);
            assertThat(m1.get("success_rate").asDouble()).isEqualTo(0.5);
            assertThat(calls.get("series").get(0).get("success_rate").isNull()).isTrue();
            JsonNode v2 = owner.get(p + "/fleet_health/function_calls" + range + "&firmware_version=2").json().get("series").get(1);
            assertThat(v2.get("total").asLong()).isEqualTo(2);
            assertThat(v2.get("success_rate").asDouble()).isZero();
            JsonNode north = owner.get(p + "/fleet_health/function_calls" + range + "&group=north").json().get("series").get(1);
            assertThat(north.get("success_rate").asDouble()).isEqualTo(1.0);
            assertThat(counts(owner, p + "/fleet_health/variable_reads" + range, "success")).containsExactly(0L, 1L, 0L);
            // Usage feeds the Data Operations series: minute 0, 9 events published and 18 delivered (the
            // spark/status events cost nothing); minute 1, 4 calls and a read handed to devices and the
            // product event delivered to 3; minute 2, nothing billable.
            assertThat(counts(owner, p + "/fleet_health/data_operations" + range, "count")).containsExactly(27L, 8L, 0L);
            // Borons are cellular: their connections' bytes feed the cellular series (in MB).
            assertThat(owner.get(p + "/fleet_health/cellular_mb" + range).json().get("series").get(0).get("mb").asDouble())
                    .isPositive();

            // The gauge: every device connected at the minute's first flush, minutes 1 and 2.
            JsonNode online = owner.get(p + "/fleet_health/online" + range).json().get("series");
            assertThat(online.get(1).get("devices").asDouble()).isEqualTo(3.0);
            assertThat(online.get(2).get("devices").asDouble()).isEqualTo(3.0);
            assertThat(owner.get(p + "/fleet_health/online" + range + "&group=north").json().get("series").get(1)
                    .get("devices").asDouble()).isEqualTo(1.0);
            JsonNode nowBody = owner.get(p + "/fleet_health").json();
            assertThat(nowBody.get("devices").asInt()).isEqualTo(3);
            assertThat(nowBody.get("devices_online").asInt()).isEqualTo(2);
            assertThat(owner.get(p + "/fleet_health?group=north").json().get("devices_online").asInt()).isEqualTo(1);
            assertThat(owner.get(p + "/fleet_health?firmware_version=2").json().get("devices_online").asInt()).isEqualTo(1);

            // The same counts rolled up into hours.
            Instant hour = Instant.ofEpochMilli(Buckets.floor(m0.toEpochMilli(), Duration.ofHours(1)));
            String hours = "?bucket=1h&from=" + hour + "&to=" + hour.plus(Duration.ofHours(2));
            assertThat(counts(owner, p + "/fleet_health/connects" + hours, "count").stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(3);
            assertThat(counts(owner, p + "/fleet_health/events_published" + hours + "&group=north", "count").stream()
                    .mapToLong(Long::longValue).sum()).isEqualTo(8);
            // A developer device's traffic counts in no product: the product's series are as they were.
            assertThat(counts(owner, p + "/fleet_health/data_operations" + range, "count")).containsExactly(27L, 8L, 0L);
        }
    }

    static void awaitReceived(TestDevice d, String prefix, int n) {
        await().atMost(WAIT).until(() -> d.receivedTopics(prefix).size() >= n);
    }

    static List<Long> counts(Api api, String path, String part) {
        Api.Response r = api.get(path);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<Long> out = new ArrayList<>();
        for (JsonNode point : r.json().get("series")) out.add(point.get(part).asLong());
        return out;
    }

    @Test
    void badQueriesAreRefusedAndTheRoleTableDecidesWhoReads() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Fleet rights");
        String p = "/v1/products/" + product;
        assertThat(owner.get(p + "/fleet_health/sparkles").status()).isEqualTo(404);
        assertThat(owner.get(p + "/fleet_health/connects?bucket=7m").status()).isEqualTo(400);
        assertThat(owner.get(p + "/fleet_health/connects?group=nowhere").status()).isEqualTo(404);
        assertThat(owner.get(p + "/fleet_health/connects?firmware_version=abc").status()).isEqualTo(400);
        assertThat(owner.get(p + "/fleet_health/connects?from=yesterday").status()).isEqualTo(400);
        assertThat(owner.get(p + "/fleet_health/connects?from=" + cloud.clock.instant().minus(Duration.ofDays(31))).status())
                .isEqualTo(400);
        assertThat(owner.get(p + "/fleet_health/connects?bucket=1m&from=" + cloud.clock.instant().minus(Duration.ofDays(3)))
                .status()).isEqualTo(400);
        // 30 days in 8-hour buckets: the console's longest chart.
        JsonNode month = owner.get(p + "/fleet_health/connects?bucket=8h&from=" + cloud.clock.instant().minus(Duration.ofDays(30)))
                .json();
        assertThat(month.get("series").size()).isBetween(90, 91);

        Function<Api, Integer> read = api -> api.get(p + "/fleet_health/connects").status();
        Api viewer = DiagnosticsTest.member(owner, product, "View-only");
        assertThat(read.apply(viewer)).isEqualTo(200);
        assertThat(viewer.get(p + "/fleet_health").status()).isEqualTo(200);
        assertThat(read.apply(cloud.newUser())).isEqualTo(404);
        assertThat(read.apply(DiagnosticsTest.customerOf(owner, product))).isEqualTo(403);
    }
}
