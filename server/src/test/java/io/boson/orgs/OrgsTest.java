package io.boson.orgs;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.CloudTest;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Organizations: their team, cascading roles, products, events and audit log, through the real API. */
class OrgsTest extends CloudTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    static String username(Api api) {
        return api.get("/v1/user").json().get("username").asText();
    }

    static String newOrg(Api owner, String name) {
        Api.Response r = owner.postJson("/v1/orgs", Map.of("name", name));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("organization").get("slug").asText();
    }

    static long orgProduct(Api member, String org, String name) {
        Api.Response r = member.postJson("/v1/orgs/" + org + "/products",
                Map.of("product", Map.of("name", name, "platform_id", 13)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("product").get("id").asLong();
    }

    @Test
    void anOrgHasItsOwnerProductsAndBillingAndIsInvisibleToOthers() {
        Api owner = cloud.newUser();
        String org = newOrg(owner, "Acme Devices");
        assertThat(org).startsWith("acme-devices");
        assertThat(owner.get("/v1/orgs").json().get("organizations")).extracting(o -> o.get("slug").asText())
                .containsExactly(org);
        JsonNode team = owner.get("/v1/orgs/" + org + "/team").json().get("team");
        assertThat(team).hasSize(1);
        assertThat(team.get(0).get("role").get("name").asText()).isEqualTo("Owner");

        long product = orgProduct(owner, org, "Acme Sensor");
        JsonNode p = owner.get("/v1/products/" + product).json().get("product");
        assertThat(p.get("org").asText()).isEqualTo(org);
        assertThat(p.get("billing_owner").get("type").asText()).isEqualTo("org");
        assertThat(owner.get("/v1/orgs/" + org + "/products").json().get("products")).extracting(j -> j.get("id").asLong())
                .containsExactly(product);
        assertThat(owner.get("/v1/products").json().get("products")).extracting(j -> j.get("id").asLong()).contains(product);
        long own = cloud.newProduct(owner, "Personal");
        assertThat(owner.get("/v1/products/" + own).json().get("product").get("billing_owner").get("type").asText())
                .isEqualTo("user");

        Api outsider = cloud.newUser();
        String otherOrg = newOrg(outsider, "Other Org");
        assertThat(outsider.get("/v1/orgs").json().get("organizations")).hasSize(1);
        assertThat(outsider.get("/v1/orgs/" + org).status()).isEqualTo(404);
        assertThat(outsider.get("/v1/orgs/" + org + "/products").status()).isEqualTo(404);
        assertThat(outsider.get("/v1/products/" + product).status()).isEqualTo(404);
        assertThat(outsider.postJson("/v1/orgs/" + org + "/products",
                Map.of("product", Map.of("name", "Sneaky", "platform_id", 13))).status()).isEqualTo(404);
        assertThat(owner.get("/v1/orgs/" + otherOrg).status()).isEqualTo(404);
        assertThat(owner.postJson("/v1/orgs", Map.of()).status()).isEqualTo(400);
    }

    @Test
    void orgRolesCascadeToEveryProductAndChangesApplyAtOnce() {
        Api owner = cloud.newUser();
        String org = newOrg(owner, "Cascade");
        long a = orgProduct(owner, org, "Cascade A");
        long b = orgProduct(owner, org, "Cascade B");
        Api member = cloud.newUser();
        String name = username(member);
        Api.Response invited = owner.postJson("/v1/orgs/" + org + "/team", Map.of("username", name, "role", "Support"));
        assertThat(invited.status()).as(invited.toString()).isEqualTo(200);
        assertThat(owner.postJson("/v1/orgs/" + org + "/team", Map.of("username", name)).status()).isEqualTo(409);
        assertThat(owner.postJson("/v1/orgs/" + org + "/team", Map.of("username", "nobody-" + name)).status()).isEqualTo(404);

        for (long p : List.of(a, b)) {
            assertThat(member.get("/v1/products/" + p + "/devices").status()).isEqualTo(200);
            assertThat(member.postJson("/v1/products/" + p + "/devices", Map.of("id", cloud.registerDevice().id())).status())
                    .isEqualTo(403);
        }
        assertThat(member.postJson("/v1/orgs/" + org + "/team", Map.of("username", username(cloud.newUser()))).status())
                .isEqualTo(403);
        assertThat(member.get("/v1/orgs/" + org + "/audit").status()).isEqualTo(403);

        assertThat(owner.putJson("/v1/orgs/" + org + "/team/" + name, Map.of("role", "Developer")).status()).isEqualTo(200);
        assertThat(member.postJson("/v1/products/" + b + "/devices", Map.of("id", cloud.registerDevice().id())).json()
                .get("updated").asInt()).isEqualTo(1);

        try (SseStream productStream = SseStream.open(cloud.baseUrl(), "/v1/products/" + a + "/events", member.token());
             SseStream orgStream = SseStream.open(cloud.baseUrl(), "/v1/orgs/" + org + "/events", member.token())) {
            assertThat(productStream.status()).isEqualTo(200);
            assertThat(orgStream.status()).isEqualTo(200);
            assertThat(owner.delete("/v1/orgs/" + org + "/team/" + name).status()).isEqualTo(204);
            await().atMost(WAIT).until(() -> productStream.ended() && orgStream.ended());
        }
        assertThat(member.get("/v1/products/" + a).status()).isEqualTo(404);
        assertThat(member.get("/v1/orgs/" + org).status()).isEqualTo(404);
        assertThat(member.get("/v1/products").json().get("products")).isEmpty();

        String ownerName = username(owner);
        assertThat(owner.delete("/v1/orgs/" + org + "/team/" + ownerName).status()).isEqualTo(403);
        assertThat(owner.putJson("/v1/orgs/" + org + "/team/" + ownerName, Map.of("role", "Support")).status()).isEqualTo(403);
        // The org's Owner is the Owner of its products.
        assertThat(owner.get("/v1/products/" + a + "/audit").status()).isEqualTo(200);
    }

    @Test
    void orgEventsCoverItsProductsAndReachTheirDevicesOnce() {
        Api owner = cloud.newUser();
        String org = newOrg(owner, "Eventful");
        long a = orgProduct(owner, org, "Eventful A");
        long b = orgProduct(owner, org, "Eventful B");
        Api stranger = cloud.newUser();
        long foreign = cloud.newProduct(stranger, "Not the org's");
        try (TestDevice da = TestDevice.connect(cloud, cloud.productDevice(owner, a));
             TestDevice db = TestDevice.connect(cloud, cloud.productDevice(owner, b));
             TestDevice df = TestDevice.connect(cloud, cloud.productDevice(stranger, foreign))) {
            try (SseStream orgStream = SseStream.open(cloud.baseUrl(), "/v1/orgs/" + org + "/events", owner.token());
                 SseStream bStream = SseStream.open(cloud.baseUrl(), "/v1/products/" + b + "/events", owner.token())) {
                da.publish("temp", "from-a");
                df.publish("temp", "from-foreign");
                db.publish("temp", "from-b");
                assertThat(owner.postJson("/v1/orgs/" + org + "/events", Map.of("name", "notice", "data", "all"))
                        .status()).isEqualTo(200);
                owner.postJson("/v1/orgs/" + org + "/events", Map.of("name", "end"));
                List<SseStream.Received> seen = orgStream.upTo("end", WAIT);
                assertThat(seen).extracting(r -> r.name() + "=" + r.data().get("data").asText())
                        .containsExactlyInAnyOrder("temp=from-a", "temp=from-b", "notice=all", "end=");
                assertThat(bStream.upTo("end", WAIT)).extracting(SseStream.Received::name).contains("notice");
                assertThat(new String(db.next("c/e/notice", WAIT).getPayloadAsBytes())).isEqualTo("all");
                assertThat(db.next("c/e/end", WAIT)).isNotNull();
                assertThat(db.receivedTopics("c/e/notice")).as("no second copy").isEmpty();
            }
            try (SseStream s = SseStream.open(cloud.baseUrl(), "/v1/orgs/" + org + "/events", stranger.token())) {
                assertThat(s.status()).isEqualTo(404);
            }
            assertThat(stranger.postJson("/v1/orgs/" + org + "/events", Map.of("name", "x")).status()).isEqualTo(404);
        }
    }

    @Test
    void orgApiUsersActOnEveryOrgProductWithinTheirScopes() {
        Api owner = cloud.newUser();
        String org = newOrg(owner, "Automated");
        long a = orgProduct(owner, org, "Automated A");
        long b = orgProduct(owner, org, "Automated B");
        long outside = cloud.newProduct(owner, "Owner's own");
        Api.Response created = owner.postJson("/v1/orgs/" + org + "/team",
                Map.of("friendly_name", "Fleet bot", "scopes", List.of("devices:list")));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        String botName = created.json().get("created").get("username").asText();
        Api bot = cloud.anonymous().as(created.json().get("created").get("tokens").get(0).get("token").asText());
        for (long p : List.of(a, b)) {
            assertThat(bot.get("/v1/products/" + p + "/devices").status()).isEqualTo(200);
            assertThat(bot.postJson("/v1/products/" + p + "/devices", Map.of("id", cloud.registerDevice().id())).status())
                    .isEqualTo(403);
        }
        assertThat(bot.get("/v1/products/" + outside + "/devices").status()).isEqualTo(404);
        assertThat(owner.get("/v1/orgs/" + org + "/team").json().get("team").toString()).contains(botName)
                .contains("\"is_programmatic\":true");

        Api.Response rescoped = owner.putJson("/v1/orgs/" + org + "/team/" + botName,
                Map.of("scopes", List.of("devices:list", "devices:import")));
        assertThat(rescoped.status()).as(rescoped.toString()).isEqualTo(200);
        assertThat(bot.get("/v1/products/" + a + "/devices").status()).isEqualTo(401);
        Api bot2 = cloud.anonymous().as(rescoped.json().get("updated").get("tokens").get(0).get("token").asText());
        assertThat(bot2.postJson("/v1/products/" + a + "/devices", Map.of("id", cloud.registerDevice().id())).status())
                .isEqualTo(200);
        assertThat(owner.putJson("/v1/orgs/" + org + "/team/" + botName, Map.of("role", "Developer")).status()).isEqualTo(400);

        assertThat(owner.delete("/v1/orgs/" + org + "/team/" + botName).status()).isEqualTo(204);
        assertThat(bot2.get("/v1/products/" + a + "/devices").status()).isEqualTo(401);
    }

    @Test
    void theOrgAuditLogHasTheOrgsAndItsProductsChanges() {
        Api owner = cloud.newUser();
        String org = newOrg(owner, "Audited");
        long p = orgProduct(owner, org, "Audited Product");
        owner.postJson("/v1/orgs/" + org + "/team", Map.of("username", username(cloud.newUser()), "role", "View-only"));
        cloud.productDevice(owner, p);
        JsonNode log = owner.get("/v1/orgs/" + org + "/audit?per_page=10").json();
        assertThat(log.get("entries")).extracting(e -> e.get("action").asText())
                .containsExactly("devices.import", "team.invite", "product.create", "org.create");
        assertThat(log.get("meta").get("total").asInt()).isEqualTo(4);
        assertThat(log.get("entries").get(0).get("actor").asText()).isEqualTo(username(owner));
    }
}
