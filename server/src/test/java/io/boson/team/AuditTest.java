package io.boson.team;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AuditTest extends CloudTest {

    @Test
    void changesAreRecordedWithWhoWhatWhenAndWhere() {
        Api owner = cloud.newUser();
        String ownerName = owner.get("/v1/user").json().get("username").asText();
        long p = cloud.newProduct(owner, "Audited");
        Api dev = cloud.newUser();
        String devName = dev.get("/v1/user").json().get("username").asText();
        owner.postJson("/v1/products/" + p + "/team", Map.of("username", devName, "role", "Developer"));
        TestCloud.Credentials c = cloud.productDevice(owner, p);
        dev.postJson("/v1/products/" + p + "/groups", Map.of("name", "ops"));
        dev.putJson("/v1/products/" + p + "/devices/" + c.id(), Map.of("groups", List.of("ops"), "name", "pump"));
        dev.postJson("/v1/devices", Map.of("id", c.id()));
        owner.putJson("/v1/products/" + p + "/team/" + devName, Map.of("role", "Support"));
        owner.deleteJson("/v1/products/" + p + "/devices/" + c.id(), Map.of());

        Api.Response r = owner.get("/v1/products/" + p + "/audit?per_page=100");
        assertThat(r.status()).isEqualTo(200);
        List<String> actions = new ArrayList<>();
        for (JsonNode e : r.json().get("entries")) actions.add(e.get("actor").asText() + " " + e.get("action").asText());
        assertThat(actions).containsExactly(
                ownerName + " device.remove", ownerName + " team.role", devName + " device.claim",
                devName + " device.groups", devName + " device.update", devName + " group.create",
                ownerName + " devices.import", ownerName + " team.invite", ownerName + " product.create");
        JsonNode newest = r.json().get("entries").get(0);
        assertThat(newest.get("target").asText()).isEqualTo(c.id());
        assertThat(newest.get("remote_address").asText()).isEqualTo("127.0.0.1");
        assertThat(newest.get("at").asText()).endsWith("Z");
        assertThat(r.json().get("meta").get("total").asLong()).isEqualTo(9);
        JsonNode role = r.json().get("entries").get(1);
        assertThat(role.get("details").asText()).isEqualTo("Developer -> Support");

        // Support may not read it; pages work.
        assertThat(dev.get("/v1/products/" + p + "/audit").status()).isEqualTo(403);
        JsonNode page2 = owner.get("/v1/products/" + p + "/audit?page=2&per_page=4").json();
        assertThat(page2.get("entries").get(0).get("action").asText()).isEqualTo("device.update");
        assertThat(page2.get("meta").get("total_pages").asLong()).isEqualTo(3);
    }
}
