package io.boson.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** particle-api-js's usage calls (the pinned CLI has none): SIM data usage of one SIM and of a product's fleet. */
@org.junit.jupiter.api.Tag("compat")
class ParticleUsageCompatibilityTest extends CompatTestBase {

    @Test
    void apiJsSimDataUsage() throws Exception {
        Account a = account();
        long product = cloud.newProduct(a.api(), "ApiJs Usage");
        TestCloud.Credentials c = cloud.productDevice(a.api(), product);
        String iccid = "89014103211118510799";
        try (TestDevice device = TestDevice.connect(cloud, c)) {
            device.describe("{\"f\":[],\"v\":{},\"platform_id\":13,\"iccid\":\"" + iccid + "\"}");
            assertThat(device.publish("t", "x".repeat(1000))).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        }
        cloud.boson().usage().flush();
        Map<String, String> env = Map.of("BOSON_BASE_URL", cloud.baseUrl(), "BOSON_TOKEN", a.api().token(),
                "BOSON_PRODUCT", Long.toString(product), "BOSON_ICCID", iccid);
        try (Proc script = start("node api-js-usage.mjs", List.of("node", compat.resolve("api-js-usage.mjs").toString()), env, tmp)) {
            Run run = script.waitFor(Duration.ofSeconds(60));
            assertThat(run.failedSteps()).as(run.toString()).isEmpty();
            Map<String, JsonNode> ok = run.okSteps();
            assertThat(ok.keySet()).containsExactly("getSIMDataUsage", "getSIMDataUsage:product", "getFleetDataUsage");
            JsonNode sim = ok.get("getSIMDataUsage");
            assertThat(sim.get("iccid").asText()).isEqualTo(iccid);
            assertThat(sim.get("usage_by_day").get(0).get("mbs_used").asDouble()).isGreaterThan(0.001);
            assertThat(ok.get("getSIMDataUsage:product").get("total_mbs_used").asDouble())
                    .isEqualTo(sim.get("total_mbs_used").asDouble());
            assertThat(ok.get("getFleetDataUsage").get("total_active_sim_cards").asInt()).isEqualTo(1);
        }
    }
}
