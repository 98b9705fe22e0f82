package io.boson.team;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TeamTest extends CloudTest {

    static String username(Api api) {
        return api.get("/v1/user").json().get("username").asText();
    }

    @Test
    void inviteListChangeRoleAndRemove() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Team");
        Api dev = cloud.newUser();
        // particle-api-js sends only the username: the member starts as View-only.
        Api.Response invited = owner.postJson("/v1/products/" + p + "/team", Map.of("username", username(dev)));
        assertThat(invited.status()).isEqualTo(200);
        assertThat(invited.json().get("role").get("name").asText()).isEqualTo("View-only");
        JsonNode team = owner.get("/v1/products/" + p + "/team").json();
        assertThat(team.get("ok").asBoolean()).isTrue();
        assertThat(team.get("team")).extracting(m -> m.get("role").get("name").asText()).containsExactly("Owner", "View-only");
        assertThat(dev.get("/v1/products").json().get("products")).extracting(x -> x.get("id").asLong()).containsExactly(p);
        assertThat(dev.postJson("/v1/products/" + p + "/groups", Map.of("name", "nope")).status()).isEqualTo(403);

        Api.Response promoted = owner.putJson("/v1/products/" + p + "/team/" + username(dev), Map.of("role", "Developer"));
        assertThat(promoted.json().get("role").get("name").asText()).isEqualTo("Developer");
        assertThat(dev.postJson("/v1/products/" + p + "/groups", Map.of("name", "yes")).status()).isEqualTo(201);

        assertThat(owner.delete("/v1/products/" + p + "/team/" + username(dev)).status()).isEqualTo(204);
        assertThat(dev.get("/v1/products/" + p).status()).isEqualTo(404);
        assertThat(dev.get("/v1/products").json().get("products")).isEmpty();
    }

    @Test
    void theOwnerStaysAndBadInvitesAreRefused() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Owner");
        Api admin = cloud.newUser();
        owner.postJson("/v1/products/" + p + "/team", Map.of("username", username(admin), "role", "Administrator"));
        assertThat(admin.delete("/v1/products/" + p + "/team/" + username(owner)).status()).isEqualTo(403);
        assertThat(admin.putJson("/v1/products/" + p + "/team/" + username(owner), Map.of("role", "Support")).status())
                .isEqualTo(403);
        assertThat(owner.postJson("/v1/products/" + p + "/team", Map.of("username", "nobody@example.com")).status())
                .isEqualTo(404);
        assertThat(owner.postJson("/v1/products/" + p + "/team", Map.of("username", username(admin))).status()).isEqualTo(409);
        Api other = cloud.newUser();
        assertThat(owner.postJson("/v1/products/" + p + "/team", Map.of("username", username(other), "role", "Owner"))
                .status()).isEqualTo(400);
        assertThat(owner.postJson("/v1/products/" + p + "/team", Map.of("username", username(other), "role", "Wizard"))
                .status()).isEqualTo(400);
        // A member may leave on their own.
        Api support = cloud.newUser();
        owner.postJson("/v1/products/" + p + "/team", Map.of("username", username(support), "role", "Support"));
        assertThat(support.delete("/v1/products/" + p + "/team/" + username(support)).status()).isEqualTo(204);
    }

    @Test
    void removalEndsOpenProductStreamsAtOnce() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Streams");
        Api member = cloud.newUser();
        owner.postJson("/v1/products/" + p + "/team", Map.of("username", username(member), "role", "Support"));
        try (SseStream memberStream = SseStream.open(cloud.baseUrl(), "/v1/products/" + p + "/events", member.token());
             SseStream ownerStream = SseStream.open(cloud.baseUrl(), "/v1/products/" + p + "/events", owner.token());
             SseStream memberMine = SseStream.open(cloud.baseUrl(), "/v1/devices/events", member.token())) {
            assertThat(memberStream.status()).isEqualTo(200);
            assertThat(owner.delete("/v1/products/" + p + "/team/" + username(member)).status()).isEqualTo(204);
            await().atMost(Duration.ofSeconds(5)).until(memberStream::ended);
            owner.postJson("/v1/products/" + p + "/events", Map.of("name", "after"));
            assertThat(ownerStream.next("after", Duration.ofSeconds(5))).isNotNull();
            assertThat(ownerStream.ended()).isFalse();
            assertThat(memberMine.ended()).isFalse();
        }
    }

    @Test
    void onlyRolesThatEditDevicesMayClaimProductDevices() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Claims");
        Api viewer = cloud.newUser();
        Api developer = cloud.newUser();
        owner.postJson("/v1/products/" + p + "/team", Map.of("username", username(viewer), "role", "View-only"));
        owner.postJson("/v1/products/" + p + "/team", Map.of("username", username(developer), "role", "Developer"));
        TestCloud.Credentials c = cloud.productDevice(owner, p);
        assertThat(viewer.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(403);
        assertThat(developer.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
        assertThat(developer.putJson("/v1/products/" + p + "/devices/" + c.id(), Map.of("development", true)).json()
                .get("development").asBoolean()).isTrue();
    }
}
