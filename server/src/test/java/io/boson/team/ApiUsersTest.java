package io.boson.team;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ApiUsersTest extends CloudTest {

    @Test
    void anApiUserHasOneTokenLimitedToItsScopes() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Api");
        long other = cloud.newProduct(owner, "Other");
        try (TestDevice device = TestDevice.connect(cloud, cloud.productDevice(owner, p))) {
            Api.Response created = owner.postJson("/v1/products/" + p + "/team",
                    Map.of("friendly_name", "Dashboard", "scopes", List.of("devices:list", "devices.variable:get")));
            assertThat(created.status()).isEqualTo(200);
            JsonNode c = created.json().get("created");
            assertThat(c.get("is_programmatic").asBoolean()).isTrue();
            String username = c.get("username").asText();
            assertThat(username).startsWith("dashboard+").endsWith("@api.boson.local");
            Api api = owner.as(c.get("tokens").get(0).get("token").asText());

            assertThat(api.get("/v1/products/" + p + "/devices").status()).isEqualTo(200);
            assertThat(api.get("/v1/products/" + p + "/devices/" + device.id + "/temp").json().get("result").asDouble()).isEqualTo(21.5);
            assertThat(api.postJson("/v1/products/" + p + "/devices/" + device.id + "/led", Map.of("args", "on")).status()).isEqualTo(403);
            assertThat(api.postJson("/v1/products/" + p + "/events", Map.of("name", "x")).status()).isEqualTo(403);
            assertThat(api.get("/v1/products/" + p + "/team").status()).isEqualTo(403);
            assertThat(api.get("/v1/products/" + other + "/devices").status()).isEqualTo(404);
            assertThat(api.postJson("/v1/devices", Map.of("id", device.id)).status()).isEqualTo(403);
            // It has no password to log in with.
            assertThat(cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "password", "username", username,
                    "password", "none", "client_id", "particle", "client_secret", "particle")).status()).isEqualTo(400);

            JsonNode team = owner.get("/v1/products/" + p + "/team").json().get("team");
            JsonNode listed = team.get(1);
            assertThat(listed.get("username").asText()).isEqualTo(username);
            assertThat(listed.get("scopes")).extracting(JsonNode::asText).containsExactly("devices:list", "devices.variable:get");
            assertThat(listed.has("tokens")).isFalse();

            // New scopes, new token; the old one stops at once.
            Api.Response changed = owner.putJson("/v1/products/" + p + "/team/" + username,
                    Map.of("scopes", List.of("devices.function:call")));
            Api renewed = owner.as(changed.json().get("updated").get("tokens").get(0).get("token").asText());
            assertThat(api.get("/v1/products/" + p + "/devices").status()).isEqualTo(401);
            assertThat(renewed.postJson("/v1/products/" + p + "/devices/" + device.id + "/led", Map.of("args", "on")).status())
                    .isEqualTo(200);
            assertThat(renewed.get("/v1/products/" + p + "/devices").status()).isEqualTo(403);

            assertThat(owner.delete("/v1/products/" + p + "/team/" + username).status()).isEqualTo(204);
            assertThat(renewed.get("/v1/user").status()).isEqualTo(401);
        }
    }

    @Test
    void badApiUsersAreRefused() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Bad");
        assertThat(owner.postJson("/v1/products/" + p + "/team", Map.of("friendly_name", "x", "scopes", List.of("root"))).status())
                .isEqualTo(400);
        assertThat(owner.postJson("/v1/products/" + p + "/team", Map.of("friendly_name", "x", "scopes", List.of())).status())
                .isEqualTo(400);
        assertThat(owner.postJson("/v1/products/" + p + "/team", Map.of("friendly_name", "", "scopes", List.of("devices:list")))
                .status()).isEqualTo(400);
        Api dev = cloud.newUser();
        owner.postJson("/v1/products/" + p + "/team", Map.of("username", dev.get("/v1/user").json().get("username").asText(),
                "role", "Developer"));
        assertThat(dev.postJson("/v1/products/" + p + "/team", Map.of("friendly_name", "x", "scopes", List.of("devices:list")))
                .status()).isEqualTo(403);
        assertThat(owner.postJson("/v1/products/" + p + "/team", Map.of("username", "someone", "role", "API user")).status())
                .isEqualTo(400);
    }
}
