package io.boson.groups;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Device groups, product device edits and the product device list's filters, sorting and pages. */
class GroupsTest extends CloudTest {

    @Test
    void groupCrudAndNameRules() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Groups");
        String base = "/v1/products/" + p + "/groups";
        Api.Response created = owner.postJson(base, Map.of("name", "field-test_1", "description", "in the field", "color", "#FF8800"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("group").get("color").asText()).isEqualTo("#ff8800");
        assertThat(owner.postJson(base, Map.of("name", "auto")).json().get("group").get("color").asText()).matches("#[0-9a-f]{6}");
        for (String bad : List.of("Upper", "has space", "x".repeat(65), "", "émoji")) {
            assertThat(owner.postJson(base, Map.of("name", bad)).status()).as(bad).isEqualTo(400);
        }
        assertThat(owner.postJson(base, Map.of("name", "c", "color", "red")).status()).isEqualTo(400);
        assertThat(owner.postJson(base, Map.of("name", "field-test_1")).status()).isEqualTo(409);
        assertThat(owner.get(base).json().get("groups")).extracting(g -> g.get("name").asText())
                .containsExactly("auto", "field-test_1");
        assertThat(owner.get(base + "?name=field").json().get("groups")).hasSize(1);
        Api.Response renamed = owner.putJson(base + "/auto", Map.of("name", "beta", "color", "#000000"));
        assertThat(renamed.json().get("group").get("name").asText()).isEqualTo("beta");
        assertThat(owner.get(base + "/beta").json().get("group").get("color").asText()).isEqualTo("#000000");
        assertThat(owner.get(base + "/auto").status()).isEqualTo(404);
        assertThat(owner.delete(base + "/beta").status()).isEqualTo(204);
        assertThat(owner.delete(base + "/beta").status()).isEqualTo(404);
    }

    @Test
    void devicesInGroupsBatchEditsFiltersAndDeletion() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Fleet");
        List<String> ids = cloud.registerDevices(5).stream().map(TestCloud.Credentials::id).sorted().toList();
        owner.postJson("/v1/products/" + p + "/devices", Map.of("ids", ids));
        String devices = "/v1/products/" + p + "/devices";

        Api.Response set = owner.putJson(devices + "/" + ids.get(0), Map.of("groups", List.of("east", "beta")));
        assertThat(set.json().get("groups")).extracting(JsonNode::asText).containsExactly("east", "beta");
        Api.Response batch = owner.putJson(devices, Map.of("action", "groups", "devices", ids.subList(1, 4),
                "metadata", Map.of("add", List.of("east"))));
        assertThat(batch.status()).isEqualTo(200);
        owner.putJson(devices, Map.of("action", "groups", "devices", List.of(ids.get(3)),
                "metadata", Map.of("remove", List.of("east"), "add", List.of("west"))));
        assertThat(owner.get(devices + "/" + ids.get(0)).json().get("groups")).extracting(JsonNode::asText)
                .containsExactly("beta", "east");
        assertThat(owner.get(devices + "?groups=east").json().get("devices")).extracting(d -> d.get("id").asText())
                .containsExactly(ids.get(0), ids.get(1), ids.get(2));
        assertThat(owner.get(devices + "?groups=west,beta").json().get("meta").get("total").asLong()).isEqualTo(2);
        assertThat(owner.get("/v1/products/" + p + "/groups/east").json().get("group").get("device_count").asLong()).isEqualTo(3);

        assertThat(owner.delete("/v1/products/" + p + "/groups/east").status()).isEqualTo(204);
        assertThat(owner.get(devices + "/" + ids.get(0)).json().get("groups")).extracting(JsonNode::asText).containsExactly("beta");
        assertThat(owner.get(devices + "?groups=east").json().get("meta").get("total").asLong()).isZero();

        // A batch naming a device outside the product, or a bad group name, changes nothing.
        String stranger = cloud.registerDevice().id();
        assertThat(owner.putJson(devices, Map.of("action", "groups", "devices", List.of(ids.get(4), stranger),
                "metadata", Map.of("add", List.of("x")))).status()).isEqualTo(400);
        assertThat(owner.putJson(devices, Map.of("action", "groups", "devices", List.of(ids.get(4)),
                "metadata", Map.of("add", List.of("Bad Name")))).status()).isEqualTo(400);
        assertThat(owner.get(devices + "/" + ids.get(4)).json().get("groups")).isEmpty();
        assertThat(owner.putJson(devices, Map.of("action", "nope")).status()).isEqualTo(400);
    }

    @Test
    void listFiltersSortsAndPages() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Paging");
        List<String> ids = cloud.registerDevices(7).stream().map(TestCloud.Credentials::id).sorted().toList();
        owner.postJson("/v1/products/" + p + "/devices", Map.of("ids", ids));
        String devices = "/v1/products/" + p + "/devices";
        for (int i = 0; i < ids.size(); i++) {
            assertThat(owner.putJson(devices + "/" + ids.get(i), Map.of("name", (i < 3 ? "door-" : "window-") + i)).status())
                    .isEqualTo(200);
        }
        JsonNode page1 = owner.get(devices + "?page=1&per_page=3").json();
        assertThat(page1.get("devices")).extracting(d -> d.get("id").asText()).containsExactlyElementsOf(ids.subList(0, 3));
        assertThat(page1.get("meta").get("total").asLong()).isEqualTo(7);
        assertThat(page1.get("meta").get("total_pages").asLong()).isEqualTo(3);
        assertThat(page1.get("customers")).isEmpty();
        assertThat(owner.get(devices + "?page=3&perPage=3").json().get("devices")).hasSize(1);
        assertThat(owner.get(devices + "?deviceName=door").json().get("devices")).extracting(d -> d.get("name").asText())
                .containsExactly("door-0", "door-1", "door-2");
        assertThat(owner.get(devices + "?deviceId=" + ids.get(4).substring(0, 20)).json().get("devices"))
                .extracting(d -> d.get("id").asText()).contains(ids.get(4));
        assertThat(owner.get(devices + "?sortAttr=deviceName&sortDir=desc&per_page=1").json().get("devices").get(0)
                .get("name").asText()).isEqualTo("window-6");
        assertThat(owner.get(devices + "?sortAttr=bogus").status()).isEqualTo(400);
        assertThat(owner.get(devices + "?page=0").status()).isEqualTo(400);
        assertThat(owner.get(devices + "?per_page=abc").status()).isEqualTo(400);
        // Names are unique within the product; product devices are reachable by name too.
        assertThat(owner.putJson(devices + "/" + ids.get(0), Map.of("name", "window-6")).status()).isEqualTo(409);
        assertThat(owner.get(devices + "/door-1").json().get("id").asText()).isEqualTo(ids.get(1));
        Api.Response dev = owner.putJson(devices + "/" + ids.get(0), Map.of("development", true, "notes", "bench"));
        assertThat(dev.json().get("development").asBoolean()).isTrue();
        JsonNode d0 = owner.get(devices + "/" + ids.get(0)).json();
        assertThat(d0.get("development").asBoolean()).isTrue();
        assertThat(d0.get("notes").asText()).isEqualTo("bench");
        assertThat(d0.get("product_id").asLong()).isEqualTo(p);
    }
}
