package io.boson.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The usage API: reports as CSV, who sees what, SIM data usage by ICCID, plans assigned by the platform admin. */
class UsageApiTest extends CloudTest {

    static String username(Api api) {
        return api.get("/v1/user").json().get("username").asText();
    }

    @Test
    void aUsageReportIsACsvWithAHeaderRowAndIsoDates() throws Exception {
        Api user = cloud.newUser();
        TestDevice device = cloud.claimedDevice(user);
        LocalDate today = LocalDate.ofInstant(cloud.clock.instant(), java.time.ZoneOffset.UTC);
        assertThat(user.putJson("/v1/devices/" + device.id, Map.of("name", "kitchen_north")).status()).isEqualTo(200);
        assertThat(device.publish("t", "1")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        cloud.clock.advance(Duration.ofDays(1));
        assertThat(device.publish("t", "2")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        cloud.clock.advance(Duration.ofSeconds(5));
        assertThat(device.publish("t", "3")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        Usage.flush(cloud);
        String agreement = Usage.agreement(user, "/v1/user").get("id").asText();

        Api.Response created = user.postJson("/v1/user/service_agreements/" + agreement + "/usage_reports",
                Map.of("report_type", "devices", "date_period_start", "2026-11-01", "date_period_end", "2026-11-30"));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        JsonNode data = created.json().get("data");
        assertThat(data.get("type").asText()).isEqualTo("usage_report");
        String id = data.get("id").asText();
        Api.Response read = user.get("/v1/user/usage_reports/" + id);
        assertThat(read.json().get("data").get("attributes").get("state").asText()).isEqualTo("complete");
        String url = read.json().get("data").get("attributes").get("download_url").asText();
        assertThat(cloud.newUser().get("/v1/user/usage_reports/" + id).status()).isEqualTo(404);

        // The link works without a token, like Particle's; a wrong key does not.
        HttpResponse<String> csv = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        List<String> lines = csv.body().lines().toList();
        assertThat(lines.get(0)).isEqualTo("date,device_id,device_name,product_id,data_operations,cellular_mb");
        assertThat(lines).hasSize(3);
        String[] first = lines.get(1).split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
        assertThat(LocalDate.parse(first[0])).isEqualTo(today);
        assertThat(first[1]).isEqualTo(device.id);
        assertThat(first[2]).isEqualTo("kitchen_north");
        assertThat(first[4]).isEqualTo("1");
        assertThat(Double.parseDouble(first[5])).isGreaterThan(0);
        assertThat(lines.get(2)).startsWith(today.plusDays(1) + "," + device.id).contains(",2,");
        HttpResponse<String> wrong = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.replace(".csv", "0.csv")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(404);

        // Bad input: a clear 400, never a 500.
        String reports = "/v1/user/service_agreements/" + agreement + "/usage_reports";
        assertThat(user.postJson(reports, Map.of("date_period_start", "yesterday", "date_period_end", "2026-11-30")).status())
                .isEqualTo(400);
        assertThat(user.postJson(reports, Map.of("date_period_start", "2026-11-30", "date_period_end", "2026-11-01")).status())
                .isEqualTo(400);
        assertThat(user.postJson("/v1/user/service_agreements/o1/usage_reports", Map.of("date_period_start", "2026-11-01",
                "date_period_end", "2026-11-30")).status()).isEqualTo(404);
        assertThat(user.get("/v1/user/usage?by=week").status()).isEqualTo(400);
        assertThat(user.get("/v1/user/usage?from=2026-13-01").status()).isEqualTo(400);
        assertThat(user.get("/v1/user/usage?from=2024-01-01&to=2026-11-30").status()).isEqualTo(400);
        // By day over a chosen range, paged.
        Api.Response byDay = user.get("/v1/user/usage?by=day&from=2026-11-20&to=2026-11-30&per_page=1&page=2");
        assertThat(byDay.json().get("usage").get(0).get("date").asText()).isEqualTo(today.plusDays(1).toString());
        assertThat(byDay.json().get("meta").get("total").asLong()).isEqualTo(2);
        assertThat(byDay.json().get("totals").get("data_operations").asLong()).isEqualTo(3);
        device.close();
    }

    @Test
    void billingIsForOwnersAndAdministratorsOfTheOrg() {
        Api owner = cloud.newUser();
        String org = Usage.newOrg(owner, "Billing Roles");
        Api developer = cloud.newUser();
        Api administrator = cloud.newUser();
        Api outsider = cloud.newUser();
        assertThat(owner.postJson("/v1/orgs/" + org + "/team", Map.of("username", username(developer), "role", "Developer"))
                .status()).isEqualTo(200);
        assertThat(owner.postJson("/v1/orgs/" + org + "/team", Map.of("username", username(administrator), "role",
                "Administrator")).status()).isEqualTo(200);
        String base = "/v1/orgs/" + org;
        assertThat(owner.get(base + "/service_agreements").status()).isEqualTo(200);
        assertThat(administrator.get(base + "/service_agreements").status()).isEqualTo(200);
        assertThat(administrator.get(base + "/usage").status()).isEqualTo(200);
        assertThat(developer.get(base + "/service_agreements").status()).isEqualTo(403);
        assertThat(developer.get(base + "/usage").status()).isEqualTo(403);
        assertThat(outsider.get(base + "/service_agreements").status()).isEqualTo(404);
        JsonNode a = Usage.agreement(owner, base).get("attributes");
        assertThat(a.get("agreement_type").asText()).isEqualTo("free");
        assertThat(a.get("current_billing_period_start").asText()).isEqualTo("2026-11-01");
        assertThat(a.get("current_billing_period_end").asText()).isEqualTo("2026-11-30");
        assertThat(a.get("pricing_terms").get("max_data_operations").asLong()).isEqualTo(100_000);
        assertThat(a.get("pricing_terms").get("max_devices").asLong()).isEqualTo(100);
        assertThat(a.get("pricing_terms").get("max_cellular_mb").asDouble()).isEqualTo(100.0);
    }

    @Test
    void simDataUsageIsFoundByTheIccidTheDeviceDescribes() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "sims");
        TestCloud.Credentials c = cloud.productDevice(owner, product);
        TestDevice device = TestDevice.connect(cloud, c);
        String iccid = "89014103211118510720";
        device.describe("{\"f\":[],\"v\":{},\"platform_id\":13, \"iccid\": \"" + iccid + "\"}");
        assertThat(device.publish("t", "x".repeat(500))).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        Usage.flush(cloud);
        Api.Response sim = owner.get("/v1/sims/" + iccid + "/data_usage");
        assertThat(sim.status()).as(sim.toString()).isEqualTo(200);
        assertThat(sim.json().get("iccid").asText()).isEqualTo(iccid);
        JsonNode day = sim.json().get("usage_by_day").get(0);
        assertThat(day.get("date").asText()).isEqualTo(LocalDate.ofInstant(cloud.clock.instant(), java.time.ZoneOffset.UTC).toString());
        assertThat(day.get("mbs_used").asDouble()).isGreaterThan(0.0005).isEqualTo(day.get("mbs_used_cumulative").asDouble());
        assertThat(owner.get("/v1/products/" + product + "/sims/" + iccid + "/data_usage").status()).isEqualTo(200);
        Api.Response fleet = owner.get("/v1/products/" + product + "/sims/data_usage");
        assertThat(fleet.json().get("total_active_sim_cards").asLong()).isEqualTo(1);
        assertThat(fleet.json().get("total_mbs_used").asDouble()).isEqualTo(sim.json().get("total_mbs_used").asDouble());
        assertThat(cloud.newUser().get("/v1/sims/" + iccid + "/data_usage").status()).isEqualTo(404);
        assertThat(owner.get("/v1/sims/89014103211118510721/data_usage").status()).isEqualTo(404);
        device.close();
    }

    @Test
    void thePlatformAdminAssignsAnEnterprisePlanPooledOverTheContractYear() {
        Api owner = cloud.newUser();
        String org = Usage.newOrg(owner, "Enterprise Co");
        String plan = "/v1/admin/usage/orgs/" + org + "/plan";
        assertThat(owner.putJson(plan, Map.of("plan", "enterprise")).status()).isEqualTo(403);
        assertThat(cloud.admin().putJson(plan, Map.of("plan", "gold")).status()).isEqualTo(400);
        assertThat(cloud.admin().putJson(plan, Map.of("plan", "enterprise")).status()).isEqualTo(400);
        assertThat(cloud.admin().putJson(plan, Map.of("plan", "growth", "blocks", 0)).status()).isEqualTo(400);
        assertThat(cloud.admin().putJson("/v1/admin/usage/orgs/no-such-org/plan", Map.of("plan", "free")).status()).isEqualTo(404);
        Api.Response r = cloud.admin().putJson(plan, Map.of("plan", "enterprise", "max_devices", 500, "max_data_operations",
                5_000_000, "max_cellular_mb", 1000, "max_firmware_storage_mb", 10, "contract_start", "2026-03"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode a = r.json().get("data").get("attributes");
        assertThat(a.get("agreement_type").asText()).isEqualTo("enterprise");
        assertThat(a.get("current_billing_period_start").asText()).isEqualTo("2026-03-01");
        assertThat(a.get("current_billing_period_end").asText()).isEqualTo("2027-02-28");
        assertThat(a.get("pricing_terms").get("pooled_over").asText()).isEqualTo("year");
        assertThat(a.get("pricing_terms").get("max_devices").asLong()).isEqualTo(500);
        assertThat(a.get("current_usage_summary").get("firmware_storage").get("limit").asLong()).isEqualTo(10_000_000);
        assertThat(owner.get("/v1/orgs/" + org + "/audit").json().get("entries")).extracting(e -> e.get("action").asText())
                .contains("usage.plan");
    }
}
