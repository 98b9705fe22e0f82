package io.boson.clients;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClientsTest extends CloudTest {

    @Test
    void accountClientsShowTheirSecretOnceAndGiveTokensForTheirAccount() {
        Api user = cloud.newUser();
        Api.Response created = user.postJson("/v1/clients", Map.of("name", "My Script", "type", "installed"));
        assertThat(created.status()).isEqualTo(200);
        JsonNode client = created.json().get("client");
        String id = client.get("id").asText();
        String secret = client.get("secret").asText();
        assertThat(id).matches("[a-z0-9-_]{3,40}").startsWith("my-script-");
        assertThat(secret).hasSize(40);

        JsonNode list = user.get("/v1/clients").json().get("clients");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).has("secret")).isFalse();
        assertThat(list.get(0).get("id").asText()).isEqualTo(id);

        Api.Response token = cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "client_credentials",
                "client_id", id, "client_secret", secret));
        assertThat(token.status()).isEqualTo(200);
        Api asClient = cloud.anonymous().as(token.json().get("access_token").asText());
        assertThat(asClient.get("/v1/user").json().get("username").asText())
                .isEqualTo(user.get("/v1/user").json().get("username").asText());
        assertThat(cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "client_credentials",
                "client_id", id, "client_secret", "wrong")).json().get("error").asText()).isEqualTo("invalid_client");

        Api other = cloud.newUser();
        assertThat(other.get("/v1/clients").json().get("clients")).isEmpty();
        assertThat(other.putJson("/v1/clients/" + id, Map.of("name", "stolen")).status()).isEqualTo(404);
        assertThat(other.delete("/v1/clients/" + id).status()).isEqualTo(404);

        assertThat(user.putJson("/v1/clients/" + id, Map.of("name", "Renamed")).json().get("client").get("name").asText())
                .isEqualTo("Renamed");
        assertThat(user.delete("/v1/clients/" + id).status()).isEqualTo(204);
        assertThat(cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "client_credentials",
                "client_id", id, "client_secret", secret)).status()).isEqualTo(400);
    }

    @Test
    void badClientsAreRefused() {
        Api user = cloud.newUser();
        assertThat(user.postJson("/v1/clients", Map.of("type", "installed")).status()).isEqualTo(400);
        assertThat(user.postJson("/v1/clients", Map.of("name", "x", "type", "robot")).status()).isEqualTo(400);
        assertThat(user.postJson("/v1/clients", Map.of("name", "x", "type", "web")).status()).isEqualTo(400);
        assertThat(user.postJson("/v1/clients", Map.of("name", "x", "type", "web", "redirect_uri", "https://example.com/cb"))
                .status()).isEqualTo(200);
    }

    @Test
    void productClientsFollowTheTeamsRoles() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Clients");
        Api support = cloud.newUser();
        owner.postJson("/v1/products/" + p + "/team", Map.of("username",
                support.get("/v1/user").json().get("username").asText(), "role", "Support"));
        Api.Response created = owner.postJson("/v1/products/" + p + "/clients", Map.of("name", "Fleet app"));
        assertThat(created.status()).isEqualTo(200);
        String id = created.json().get("client").get("id").asText();
        String secret = created.json().get("client").get("secret").asText();
        assertThat(support.get("/v1/products/" + p + "/clients").json().get("clients")).hasSize(1);
        assertThat(support.postJson("/v1/products/" + p + "/clients", Map.of("name", "nope")).status()).isEqualTo(403);
        assertThat(support.delete("/v1/products/" + p + "/clients/" + id).status()).isEqualTo(403);
        assertThat(cloud.newUser().get("/v1/products/" + p + "/clients").status()).isEqualTo(404);
        // A product's client is not an account's client.
        assertThat(owner.get("/v1/clients").json().get("clients")).isEmpty();
        assertThat(owner.delete("/v1/clients/" + id).status()).isEqualTo(404);
        Api.Response productToken = cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "client_credentials",
                "client_id", id, "client_secret", secret));
        // A product client's own token is a product token (CustomersTest covers what it may do).
        assertThat(productToken.status()).isEqualTo(200);
        Api asProduct = cloud.anonymous().as(productToken.json().get("access_token").asText());
        assertThat(asProduct.get("/v1/products/" + p + "/clients").status()).isEqualTo(200);
        assertThat(owner.delete("/v1/products/" + p + "/clients/" + id).status()).isEqualTo(204);
        assertThat(owner.get("/v1/products/" + p + "/audit").json().get("entries").get(0).get("action").asText())
                .isEqualTo("client.delete");
        assertThat(asProduct.get("/v1/products/" + p + "/clients").status()).isEqualTo(401);
    }
}
