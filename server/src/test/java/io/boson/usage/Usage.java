package io.boson.usage;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.TestCloud;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading usage back the way users do, over HTTP. */
final class Usage {

    private Usage() {
    }

    /** Data Operations of one device this month, from its owner's usage by device. */
    static long deviceOps(Api owner, String base, String deviceId) {
        Api.Response r = owner.get(base + "/usage?by=device&device_id=" + deviceId);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("totals").get("data_operations").asLong();
    }

    static JsonNode agreement(Api caller, String base) {
        Api.Response r = caller.get(base + "/service_agreements");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("data").get(0);
    }

    static long ownerOps(Api caller, String base) {
        return agreement(caller, base).get("attributes").get("current_usage_summary").get("data_operations").get("used").asLong();
    }

    static long productOps(Api caller, long productId) {
        Api.Response r = caller.get("/v1/products/" + productId + "/usage");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("totals").get("data_operations").asLong();
    }

    /** Cellular bytes of a device this month (MB with six decimals are bytes). */
    static long cellularBytes(Api caller, String deviceId) {
        Api.Response r = caller.get("/v1/sims/" + deviceId + "/data_usage");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return Math.round(r.json().get("total_mbs_used").asDouble() * 1_000_000);
    }

    static String newOrg(Api owner, String name) {
        Api.Response r = owner.postJson("/v1/orgs", Map.of("name", name));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("organization").get("slug").asText();
    }

    static long orgProduct(Api member, String org, String name) {
        Api.Response r = member.postJson("/v1/orgs/" + org + "/products", Map.of("product", Map.of("name", name, "platform_id", 13)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("product").get("id").asLong();
    }

    /** Writes the meter now instead of waiting for the next flush. */
    static void flush(TestCloud cloud) {
        cloud.boson().usage().flush();
    }
}
