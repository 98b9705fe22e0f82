package io.boson.customers;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Shadow customers and product tokens, through the real API and real MQTT devices. */
class CustomersTest extends CloudTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    record Client(String id, String secret) {
    }

    static Client productClient(Api owner, long product) {
        JsonNode c = owner.postJson("/v1/products/" + product + "/clients", Map.of("name", "App", "type", "installed"))
                .json().get("client");
        return new Client(c.get("id").asText(), c.get("secret").asText());
    }

    /** As particle-api-js createCustomer sends it: urlencoded, client credentials in the body. */
    static Api.Response createCustomer(long product, Client client, String email, String password) {
        Map<String, String> form = new HashMap<>(Map.of("email", email, "grant_type", "client_credentials",
                "client_id", client.id(), "client_secret", client.secret()));
        if (password != null) form.put("password", password);
        else form.put("no_password", "true");
        return cloud.anonymous().postForm("/v1/products/" + product + "/customers", form);
    }

    static Api customerToken(Client client, String email) {
        Api.Response r = cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "client_credentials",
                "client_id", client.id(), "client_secret", client.secret(), "scope", "customer=" + email));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return cloud.anonymous().as(r.json().get("access_token").asText());
    }

    static void claimWithCode(TestDevice device, Api customer, long product) {
        Api.Response code = customer.postJson("/v1/products/" + product + "/device_claims", Map.of());
        assertThat(code.status()).as(code.toString()).isEqualTo(200);
        byte[] claimCode = code.json().get("claim_code").asText().getBytes(StandardCharsets.UTF_8);
        assertThat(device.publishRaw("k", claimCode).getCode()).isZero();
    }

    @Test
    void fullShadowCustomerFlowWithARealDevice() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Customer Flow");
        Client client = productClient(owner, product);
        TestCloud.Credentials c = cloud.productDevice(owner, product);
        TestCloud.Credentials other = cloud.productDevice(owner, product);

        Api.Response created = createCustomer(product, client, "Alice@Example.com", "alice-password");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("token_type").asText()).isEqualTo("bearer");
        Api alice = cloud.anonymous().as(created.json().get("access_token").asText());
        assertThat(alice.get("/v1/devices").json()).isEmpty();
        assertThat(createCustomer(product, client, "bob@example.com", null).status()).isEqualTo(201);
        Api bob = customerToken(client, "bob@example.com");

        try (TestDevice device = TestDevice.connect(cloud, c);
             TestDevice otherDevice = TestDevice.connect(cloud, other)) {
            claimWithCode(device, alice, product);
            JsonNode listed = alice.get("/v1/devices").json();
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0).get("id").asText()).isEqualTo(c.id());
            assertThat(listed.get(0).get("owner").asText()).isEqualTo("alice@example.com");

            // The customer's token from the scoped grant works the same way.
            Api alice2 = customerToken(client, "alice@example.com");
            assertThat(alice2.postJson("/v1/devices/" + c.id() + "/led", Map.of("arg", "on")).json()
                    .get("return_value").asInt()).isEqualTo(1);
            assertThat(alice.get("/v1/devices/" + c.id() + "/temp").json().get("result").asDouble()).isEqualTo(21.5);

            try (SseStream mine = SseStream.open(cloud.baseUrl(), "/v1/devices/events", alice.token());
                 SseStream one = SseStream.open(cloud.baseUrl(), "/v1/devices/" + c.id() + "/events", alice.token());
                 SseStream bobs = SseStream.open(cloud.baseUrl(), "/v1/devices/events", bob.token());
                 SseStream team = SseStream.open(cloud.baseUrl(), "/v1/products/" + product + "/events", owner.token())) {
                otherDevice.publish("reading", "not-alices");
                device.publish("reading", "42");
                device.publish("done", "");
                assertThat(mine.upTo("done", WAIT)).extracting(SseStream.Received::name).containsExactly("reading", "done");
                assertThat(one.upTo("done", WAIT)).hasSize(2);
                assertThat(team.upTo("done", WAIT)).extracting(r -> r.data().get("data").asText())
                        .contains("not-alices", "42");
                bob.postJson("/v1/devices/events", Map.of("name", "done", "data", "bob"));
                assertThat(bobs.upTo("done", WAIT)).extracting(r -> r.data().get("data").asText()).containsExactly("bob");
            }

            // Bob sees none of it.
            assertThat(bob.get("/v1/devices").json()).isEmpty();
            assertThat(bob.get("/v1/devices/" + c.id()).status()).isEqualTo(403);
            assertThat(bob.postJson("/v1/devices/" + c.id() + "/led", Map.of("arg", "on")).status()).isEqualTo(403);
            assertThat(bob.get("/v1/devices/" + c.id() + "/temp").status()).isEqualTo(403);
            try (SseStream s = SseStream.open(cloud.baseUrl(), "/v1/devices/" + c.id() + "/events", bob.token())) {
                assertThat(s.status()).isEqualTo(403);
            }
            // Alice's claim code cannot take a device already claimed, nor reach other devices.
            Api.Response code = alice.postJson("/v1/products/" + product + "/device_claims", Map.of());
            assertThat(code.json().get("device_ids")).extracting(JsonNode::asText).containsExactly(c.id());

            // The team sees the customer and their device.
            JsonNode customers = owner.get("/v1/products/" + product + "/customers").json().get("customers");
            assertThat(customers).extracting(j -> j.get("username").asText())
                    .containsExactly("alice@example.com", "bob@example.com");
            assertThat(customers.get(0).get("devices").get(0).asText()).isEqualTo(c.id());
            assertThat(customers.toString()).doesNotContain("password");
            JsonNode page = owner.get("/v1/products/" + product + "/devices").json();
            assertThat(page.get("customers")).extracting(j -> j.get("username").asText()).containsExactly("alice@example.com");
        }
    }

    @Test
    void customersCannotUseProductTeamOrAccountApis() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Customer Limits");
        Client client = productClient(owner, product);
        Api customer = cloud.anonymous().as(createCustomer(product, client, "carol@example.com", "carol-password")
                .json().get("access_token").asText());
        String p = "/v1/products/" + product;
        for (String path : new String[]{p, p + "/devices", p + "/team", p + "/customers", p + "/clients", p + "/audit"}) {
            Api.Response r = customer.get(path);
            assertThat(r.status()).as(path).isEqualTo(403);
            assertThat(r.json().get("error").asText()).isNotBlank();
        }
        try (SseStream s = SseStream.open(cloud.baseUrl(), p + "/events", customer.token())) {
            assertThat(s.status()).isEqualTo(403);
        }
        assertThat(customer.postJson(p + "/events", Map.of("name", "x")).status()).isEqualTo(403);
        assertThat(customer.postJson("/v1/user/products", Map.of("product", Map.of("name", "Mine", "platform_id", 13)))
                .status()).isEqualTo(403);
        assertThat(customer.postJson("/v1/clients", Map.of("name", "x")).status()).isEqualTo(403);
        TestCloud.Credentials d = cloud.productDevice(owner, product);
        assertThat(customer.postJson("/v1/devices", Map.of("id", d.id())).status()).isEqualTo(403);
        // Another product is simply not there for them.
        long elsewhere = cloud.newProduct(owner, "Elsewhere");
        assertThat(customer.get("/v1/products/" + elsewhere).status()).isEqualTo(404);
        assertThat(customer.postJson("/v1/products/" + elsewhere + "/device_claims", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void aCustomersClaimCodeOnlyClaimsDevicesOfTheirProduct() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Code Scope");
        Client client = productClient(owner, product);
        Api customer = cloud.anonymous().as(createCustomer(product, client, "dan@example.com", null)
                .json().get("access_token").asText());
        try (TestDevice developerDevice = TestDevice.connect(cloud, cloud.registerDevice())) {
            String code = customer.postJson("/v1/products/" + product + "/device_claims", Map.of()).json()
                    .get("claim_code").asText();
            assertThat(developerDevice.publishRaw("k", code.getBytes(StandardCharsets.UTF_8)).getCode()).isEqualTo(0x87);
        }
        long otherProduct = cloud.newProduct(owner, "Code Scope 2");
        TestCloud.Credentials foreign = cloud.productDevice(owner, otherProduct);
        try (TestDevice device = TestDevice.connect(cloud, foreign)) {
            String code = customer.postJson("/v1/products/" + product + "/device_claims", Map.of()).json()
                    .get("claim_code").asText();
            assertThat(device.publishRaw("k", code.getBytes(StandardCharsets.UTF_8)).getCode()).isEqualTo(0x87);
        }
        assertThat(customer.get("/v1/devices").json()).isEmpty();
    }

    @Test
    void deletingACustomerEndsTheirTokensStreamsAndClaims() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Customer Delete");
        Client client = productClient(owner, product);
        TestCloud.Credentials c = cloud.productDevice(owner, product);
        Api erin = cloud.anonymous().as(createCustomer(product, client, "erin@example.com", "erin-password")
                .json().get("access_token").asText());
        try (TestDevice device = TestDevice.connect(cloud, c)) {
            claimWithCode(device, erin, product);
            String unusedCode = erin.postJson("/v1/products/" + product + "/device_claims", Map.of()).json()
                    .get("claim_code").asText();
            try (SseStream stream = SseStream.open(cloud.baseUrl(), "/v1/devices/events", erin.token())) {
                assertThat(stream.status()).isEqualTo(200);
                assertThat(owner.delete("/v1/products/" + product + "/customers/erin@example.com").status()).isEqualTo(204);
                org.awaitility.Awaitility.await().atMost(WAIT).until(stream::ended);
            }
            assertThat(erin.get("/v1/devices").status()).isEqualTo(401);
            assertThat(customerTokenStatus(client, "erin@example.com")).isEqualTo(400);
            JsonNode d = owner.get("/v1/products/" + product + "/devices/" + c.id()).json();
            assertThat(d.get("owner").isNull()).as(d.toString()).isTrue();
            try (TestDevice second = TestDevice.connect(cloud, cloud.productDevice(owner, product))) {
                assertThat(second.publishRaw("k", unusedCode.getBytes(StandardCharsets.UTF_8)).getCode()).isEqualTo(0x87);
            }
        }
        assertThat(owner.get("/v1/products/" + product + "/audit").json().toString())
                .contains("customer.create", "customer.delete");
    }

    static int customerTokenStatus(Client client, String email) {
        return cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "client_credentials",
                "client_id", client.id(), "client_secret", client.secret(), "scope", "customer=" + email)).status();
    }

    @Test
    void customersLogInWithPasswordsThroughTheProductsClientAndCreationIsValidated() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Customer Login");
        Client client = productClient(owner, product);
        assertThat(createCustomer(product, client, "fay@example.com", "fay-password").status()).isEqualTo(201);
        assertThat(createCustomer(product, client, "FAY@example.com", "fay-password").status()).isEqualTo(409);
        assertThat(createCustomer(product, client, "not-an-email", "password1").status()).isEqualTo(400);
        assertThat(createCustomer(product, client, "short@example.com", "short").status()).isEqualTo(400);
        Api.Response wrongSecret = createCustomer(product, new Client(client.id(), "nope"), "g@example.com", "password1");
        assertThat(wrongSecret.status()).isEqualTo(400);
        assertThat(wrongSecret.json().get("error").asText()).isEqualTo("invalid_client");
        long other = cloud.newProduct(owner, "Not The Client's");
        assertThat(createCustomer(other, client, "h@example.com", "password1").status()).isEqualTo(404);

        Api.Response login = cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "password",
                "client_id", client.id(), "client_secret", client.secret(), "username", "fay@example.com",
                "password", "fay-password"));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        // Through Particle's public clients the customer is not an account.
        assertThat(cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "password",
                "client_id", "particle", "client_secret", "particle", "username", "fay@example.com",
                "password", "fay-password")).status()).isEqualTo(400);
        // Password reset by the team; the old one stops working.
        assertThat(owner.putJson("/v1/products/" + product + "/customers/fay@example.com",
                Map.of("password", "new-password")).status()).isEqualTo(200);
        assertThat(cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "password",
                "client_id", client.id(), "client_secret", client.secret(), "username", "fay@example.com",
                "password", "fay-password")).status()).isEqualTo(400);
        // Team members create customers with their token (no token for the customer is returned).
        Api.Response byTeam = owner.postJson("/v1/products/" + product + "/customers",
                Map.of("email", "gus@example.com", "no_password", true));
        assertThat(byTeam.status()).isEqualTo(201);
        assertThat(byTeam.body()).doesNotContain("access_token");
    }

    @Test
    void productTokensActOnTheirProductOnly() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Product Token");
        long other = cloud.newProduct(owner, "Other Product");
        Client client = productClient(owner, product);
        Api.Response t = cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "client_credentials",
                "client_id", client.id(), "client_secret", client.secret()));
        assertThat(t.status()).as(t.toString()).isEqualTo(200);
        Api productApi = cloud.anonymous().as(t.json().get("access_token").asText());
        TestCloud.Credentials d = cloud.registerDevice();
        assertThat(productApi.postJson("/v1/products/" + product + "/devices", Map.of("id", d.id())).json()
                .get("updated").asInt()).isEqualTo(1);
        assertThat(productApi.get("/v1/products/" + product + "/devices").json().get("devices")).hasSize(1);
        assertThat(productApi.get("/v1/products").json().toString()).contains("product-token");
        assertThat(productApi.get("/v1/products/" + other).status()).isEqualTo(404);
        // Developer rights, not Administrator's: the team is not theirs to change.
        assertThat(productApi.postJson("/v1/products/" + product + "/team", Map.of("username", "x")).status()).isEqualTo(403);
        assertThat(productApi.postJson("/v1/user/products", Map.of("product", Map.of("name", "X", "platform_id", 13)))
                .status()).isEqualTo(403);
        // The product token's account is no team member.
        assertThat(owner.get("/v1/products/" + product + "/team").json().get("team")).hasSize(1);
        // Deleting the client ends its tokens.
        assertThat(owner.delete("/v1/products/" + product + "/clients/" + client.id()).status()).isEqualTo(204);
        assertThat(productApi.get("/v1/products/" + product + "/devices").status()).isEqualTo(401);
        assertThat(cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "client_credentials",
                "client_id", "particle", "client_secret", "particle", "scope", "customer=x@example.com")).status())
                .isEqualTo(400);
    }
}
