package io.boson.health;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Vitals history through Particle's diagnostics endpoints with real MQTT devices: reports in and
 * out by date range and page, connections with their reasons, charts per bucket, expiry after the
 * retention, metadata, the refresh reaching the device, and who may see what.
 */
class DiagnosticsTest extends CloudTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    static void vitals(TestDevice device, String json) {
        assertThat(device.publishRaw("v", json.getBytes(StandardCharsets.UTF_8)).getCode()).isZero();
    }

    static String iso(Instant t) {
        return t.toString();
    }

    @Test
    void historyComesBackNewestFirstByDateRangeAndPage() {
        Api owner = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(owner)) {
            Instant t0 = cloud.clock.instant();
            vitals(device, "{\"signal_strength\":50,\"mem_used\":1000}");
            cloud.clock.advance(Duration.ofMinutes(10));
            vitals(device, "{\"signal_strength\":60,\"mem_used\":2000}");
            cloud.clock.advance(Duration.ofMinutes(10));
            vitals(device, "{\"signal_strength\":70,\"mem_used\":3000,\"battery_state\":\"charging\"}");
            cloud.boson().health().flush();

            String path = "/v1/diagnostics/" + device.id;
            JsonNode all = owner.get(path).json();
            assertThat(all.get("diagnostics")).extracting(d -> d.get("payload").get("signal_strength").asInt())
                    .containsExactly(70, 60, 50);
            assertThat(all.get("diagnostics").get(0).get("deviceID").asText()).isEqualTo(device.id);
            assertThat(all.get("diagnostics").get(0).get("updated_at").asText()).isEqualTo(iso(t0.plus(Duration.ofMinutes(20))));
            assertThat(all.get("diagnostics").get(0).get("payload").get("battery_state").asText()).isEqualTo("charging");

            JsonNode range = owner.get(path + "?start_date=" + iso(t0.plus(Duration.ofMinutes(5)))
                    + "&end_date=" + iso(t0.plus(Duration.ofMinutes(15)))).json();
            assertThat(range.get("diagnostics")).extracting(d -> d.get("payload").get("signal_strength").asInt())
                    .containsExactly(60);

            JsonNode page2 = owner.get(path + "?per_page=2&page=2").json();
            assertThat(page2.get("diagnostics")).extracting(d -> d.get("payload").get("signal_strength").asInt())
                    .containsExactly(50);
            assertThat(page2.get("meta").get("total").asInt()).isEqualTo(3);
            assertThat(page2.get("meta").get("total_pages").asInt()).isEqualTo(2);

            JsonNode last = owner.get(path + "/last").json().get("diagnostics");
            assertThat(last.get("payload").get("signal_strength").asInt()).isEqualTo(70);
            assertThat(last.get("payload").get("rate_limited").asInt()).isZero();

            // Particle's errors: bad dates, a range before the retention, an empty range, bad paging.
            assertError(owner.get(path + "?start_date=yesterday"), "start_date");
            assertError(owner.get(path + "?start_date=" + iso(cloud.clock.instant().minus(Duration.ofDays(31)))), "30 days");
            assertError(owner.get(path + "?start_date=" + iso(t0.plusSeconds(60)) + "&end_date=" + iso(t0)), "end_date");
            assertError(owner.get(path + "?per_page=5000"), "per_page");
            assertError(owner.get(path + "?page=0"), "page");
        }
    }

    static void assertError(Api.Response r, String mentions) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().get("error").asText() + " " + r.json().path("error_description").asText()).contains(mentions);
    }

    @Test
    void connectionsAreRecordedWithTheirReasons() {
        Api owner = cloud.newUser();
        TestCloud.Credentials c = cloud.registerDevice();
        try (TestDevice device = TestDevice.connect(cloud, c)) {
            assertThat(owner.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
        }
        await().atMost(WAIT).until(() -> !owner.get("/v1/devices/" + c.id()).json().get("online").asBoolean());
        cloud.boson().health().flush();
        JsonNode history = owner.get("/v1/diagnostics/" + c.id() + "/connections").json();
        assertThat(history.get("connects")).hasSize(1);
        assertThat(history.get("connects").get(0).get("ip_address").asText()).isEqualTo("127.0.0.1");
        assertThat(history.get("disconnects")).extracting(d -> d.get("reason").asText()).containsExactly("device disconnected");
    }

    @Test
    void chartsAggregateOneVitalPerBucket() {
        Api owner = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(owner)) {
            // Start on an hour boundary so the buckets are known.
            Instant now = cloud.clock.instant();
            Instant hour = Instant.ofEpochMilli(Buckets.floor(now.toEpochMilli(), Duration.ofHours(1))).plus(Duration.ofHours(1));
            cloud.clock.advance(Duration.between(now, hour));
            vitals(device, "{\"signal_strength\":40,\"rtt\":100}");
            cloud.clock.advance(Duration.ofMinutes(20));
            vitals(device, "{\"signal_strength\":80}");
            cloud.clock.advance(Duration.ofMinutes(50));
            vitals(device, "{\"device\":{\"network\":{\"signal\":{\"strength\":30}}}}");
            cloud.boson().health().flush();
            JsonNode chart = owner.get("/v1/diagnostics/" + device.id + "/charts/signal_strength?bucket=1h&start_date="
                    + iso(hour)).json();
            assertThat(chart.get("bucket").asText()).isEqualTo("1h");
            JsonNode points = chart.get("points");
            assertThat(points).hasSize(2);
            assertThat(points.get(0).get("time").asText()).isEqualTo(iso(hour));
            assertThat(points.get(0).get("min").asDouble()).isEqualTo(40);
            assertThat(points.get(0).get("max").asDouble()).isEqualTo(80);
            assertThat(points.get(0).get("avg").asDouble()).isEqualTo(60);
            assertThat(points.get(0).get("count").asInt()).isEqualTo(2);
            assertThat(points.get(1).get("time").asText()).isEqualTo(iso(hour.plus(Duration.ofHours(1))));
            assertThat(points.get(1).get("avg").asDouble()).isEqualTo(30);
            JsonNode rtt = owner.get("/v1/diagnostics/" + device.id + "/charts/rtt?bucket=1m&start_date=" + iso(hour)).json();
            assertThat(rtt.get("points")).extracting(p -> p.get("max").asInt()).containsExactly(100);
            assertError(owner.get("/v1/diagnostics/" + device.id + "/charts/temperature"), "metric");
            assertError(owner.get("/v1/diagnostics/" + device.id + "/charts/rtt?bucket=3m"), "bucket");
            assertError(owner.get("/v1/diagnostics/" + device.id + "/charts/rtt?bucket=1m"), "Too many buckets");
        }
    }

    @Test
    void historyExpiresAfterTheRetention() {
        Api owner = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(owner)) {
            vitals(device, "{\"signal_strength\":11}");
            cloud.boson().health().flush();
            JsonNode before = owner.get("/v1/diagnostics/" + device.id + "/metadata").json().get("diagnostics_metadata");
            assertThat(before.get("retention_days").asInt()).isEqualTo(30);
            assertThat(before.get("records").asInt()).isEqualTo(2); // the connect and the report
            assertThat(before.get("fields").get("signal_strength").get("units").asText()).isEqualTo("%");

            cloud.clock.advance(Duration.ofDays(29));
            cloud.boson().health().prune();
            assertThat(owner.get("/v1/diagnostics/" + device.id).json().get("diagnostics")).hasSize(1);

            cloud.clock.advance(Duration.ofDays(2));
            vitals(device, "{\"signal_strength\":12}");
            cloud.boson().health().flush();
            cloud.boson().health().prune();
            JsonNode after = owner.get("/v1/diagnostics/" + device.id + "/metadata").json().get("diagnostics_metadata");
            assertThat(after.get("records").asInt()).isEqualTo(1);
            assertThat(after.get("oldest_at").asText()).isEqualTo(iso(cloud.clock.instant()));
            assertThat(owner.get("/v1/diagnostics/" + device.id).json().get("diagnostics"))
                    .extracting(d -> d.get("payload").get("signal_strength").asInt()).containsExactly(12);
        }
    }

    @Test
    void refreshAsksTheOnlineDeviceForVitals() {
        Api owner = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(owner)) {
            assertThat(owner.postJson("/v1/diagnostics/" + device.id + "/update", Map.of()).status()).isEqualTo(202);
            assertThat(device.next("c/vitals", WAIT)).isNotNull();
        }
        String id = owner.get("/v1/devices").json().get(0).get("id").asText();
        await().atMost(WAIT).until(() -> !owner.get("/v1/devices/" + id).json().get("online").asBoolean());
        assertThat(owner.postJson("/v1/diagnostics/" + id + "/update", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void theTeamReadsByRoleAndCustomersSeeOnlyTheirOwnDevices() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Diag " + UUID.randomUUID().toString().substring(0, 6));
        TestCloud.Credentials mine = cloud.productDevice(owner, product);
        TestCloud.Credentials theirs = cloud.productDevice(owner, product);
        try (TestDevice a = TestDevice.connect(cloud, mine); TestDevice b = TestDevice.connect(cloud, theirs)) {
            vitals(a, "{\"signal_strength\":1}");
            vitals(b, "{\"signal_strength\":2}");
            cloud.boson().health().flush();
            String p = "/v1/products/" + product + "/diagnostics/";
            Api viewer = member(owner, product, "View-only");
            assertThat(viewer.get(p + a.id + "/last").json().get("diagnostics").get("payload").get("signal_strength").asInt())
                    .isEqualTo(1);
            assertThat(viewer.get(p + a.id).json().get("diagnostics")).hasSize(1);
            assertThat(viewer.get(p + a.id + "/metadata").status()).isEqualTo(200);
            assertThat(viewer.postJson(p + a.id + "/update", Map.of()).status()).isEqualTo(403);
            Api support = member(owner, product, "Support");
            assertThat(support.postJson(p + a.id + "/update", Map.of()).status()).isEqualTo(202);
            assertThat(a.next("c/vitals", WAIT)).isNotNull();
            // Someone off the team does not learn the product exists; nor the device through the user path.
            Api stranger = cloud.newUser();
            assertThat(stranger.get(p + a.id + "/last").status()).isEqualTo(404);
            // The user path answers Permission Denied for any device the caller cannot see (issue 17).
            assertThat(stranger.get("/v1/diagnostics/" + a.id + "/last").status()).isEqualTo(403);

            Api customer = customerOf(owner, product);
            Api.Response code = customer.postJson("/v1/products/" + product + "/device_claims", Map.of());
            assertThat(a.publishRaw("k", code.json().get("claim_code").asText().getBytes(StandardCharsets.UTF_8)).getCode()).isZero();
            assertThat(customer.get("/v1/diagnostics/" + a.id).json().get("diagnostics")).hasSize(1);
            assertThat(customer.get("/v1/diagnostics/" + a.id + "/last").status()).isEqualTo(200);
            assertThat(customer.get("/v1/diagnostics/" + b.id).status()).isEqualTo(403);
            assertThat(customer.get("/v1/diagnostics/" + b.id + "/last").status()).isEqualTo(403);
            assertThat(customer.get(p + a.id + "/last").status()).isEqualTo(403);
        }
    }

    static Api member(Api owner, long product, String role) {
        Api user = cloud.newUser();
        String username = user.get("/v1/user").json().get("username").asText();
        Api.Response r = owner.postJson("/v1/products/" + product + "/team", Map.of("username", username, "role", role));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return user;
    }

    static Api customerOf(Api owner, long product) {
        JsonNode client = owner.postJson("/v1/products/" + product + "/clients", Map.of("name", "App", "type", "installed"))
                .json().get("client");
        Map<String, String> form = new HashMap<>(Map.of("email", "c-" + UUID.randomUUID() + "@example.com",
                "password", "customer-password", "grant_type", "client_credentials",
                "client_id", client.get("id").asText(), "client_secret", client.get("secret").asText()));
        Api.Response r = cloud.anonymous().postForm("/v1/products/" + product + "/customers", form);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return cloud.anonymous().as(r.json().get("access_token").asText());
    }

}
