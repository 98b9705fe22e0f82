package io.boson.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AuthApiTest extends CloudTest {

    private Api.Response token(Map<String, String> form) {
        return cloud.anonymous().postForm("/oauth/token", form);
    }

    @Test
    void passwordGrantWithEachBuiltInClientGivesAWorkingToken() {
        for (String[] client : new String[][]{{"particle", "particle"}, {"particle-api", "particle-api"},
                {"particle-cli", "particle-cli"}, {"CLI2", "client_secret_here"}}) {
            Api.Response r = token(Map.of("grant_type", "password", "username", TestCloud.ADMIN,
                    "password", TestCloud.ADMIN_PASSWORD, "client_id", client[0], "client_secret", client[1]));
            assertThat(r.status()).as(client[0]).isEqualTo(200);
            JsonNode body = r.json();
            assertThat(body.get("token_type").asText()).isEqualTo("bearer");
            assertThat(body.get("access_token").asText()).matches("[0-9a-f]{40}");
            assertThat(body.get("expires_in").asLong()).isEqualTo(7_776_000L);
            assertThat(body.get("refresh_token").asText()).isNotBlank();
            assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
            Api me = cloud.anonymous().as(body.get("access_token").asText());
            assertThat(me.get("/v1/user").json().get("username").asText()).isEqualTo(TestCloud.ADMIN);
        }
    }

    @Test
    void clientCredentialsByBasicAuthAreAccepted() {
        String basic = Base64.getEncoder().encodeToString("particle:particle".getBytes());
        Api.Response r = cloud.anonymous().send(cloud.anonymous().request("/oauth/token")
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Api.form(Map.of("grant_type", "password",
                        "username", TestCloud.ADMIN, "password", TestCloud.ADMIN_PASSWORD)))));
        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void wrongPasswordUnknownClientAndJsonBodyAreRefusedInOAuthShape() {
        Api.Response bad = token(Map.of("grant_type", "password", "username", TestCloud.ADMIN, "password", "nope",
                "client_id", "particle", "client_secret", "particle"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText()).isEqualTo("invalid_grant");
        assertThat(bad.json().get("error_description").asText()).isEqualTo("User credentials are invalid");

        Api.Response client = token(Map.of("grant_type", "password", "username", TestCloud.ADMIN,
                "password", TestCloud.ADMIN_PASSWORD, "client_id", "particle", "client_secret", "wrong"));
        assertThat(client.status()).isEqualTo(400);
        assertThat(client.json().get("error").asText()).isEqualTo("invalid_client");
        assertThat(client.headers().firstValue("WWW-Authenticate")).isPresent();

        Api.Response json = cloud.anonymous().postJson("/oauth/token", Map.of("grant_type", "password"));
        assertThat(json.status()).isEqualTo(400);
        assertThat(json.json().get("error").asText()).isEqualTo("invalid_request");

        Api.Response grant = token(Map.of("grant_type", "magic", "client_id", "particle", "client_secret", "particle"));
        assertThat(grant.status()).isEqualTo(400);
        assertThat(grant.json().get("error").asText()).isEqualTo("unsupported_grant_type");
    }

    @Test
    void missingInvalidAndDoubledTokensAreRefused() {
        Api.Response missing = cloud.anonymous().get("/v1/devices");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("error").asText()).isEqualTo("invalid_request");

        Api.Response invalid = cloud.anonymous().as("null").get("/v1/user");
        assertThat(invalid.status()).isEqualTo(401);
        assertThat(invalid.json().get("error").asText()).isEqualTo("invalid_token");

        Api user = cloud.newUser();
        Api.Response query = cloud.anonymous().get("/v1/user?access_token=" + user.token());
        assertThat(query.status()).isEqualTo(200);
        Api.Response both = user.get("/v1/user?access_token=" + user.token());
        assertThat(both.status()).isEqualTo(400);
    }

    @Test
    void tokensExpireAndRefreshTokensAreSingleUse() {
        Api.Response r = token(Map.of("grant_type", "password", "username", TestCloud.ADMIN,
                "password", TestCloud.ADMIN_PASSWORD, "client_id", "particle", "client_secret", "particle",
                "expires_in", "60"));
        String access = r.json().get("access_token").asText();
        String refresh = r.json().get("refresh_token").asText();
        assertThat(cloud.anonymous().as(access).get("/v1/user").status()).isEqualTo(200);
        cloud.clock.advance(Duration.ofSeconds(61));
        Api.Response expired = cloud.anonymous().as(access).get("/v1/user");
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.json().get("error_description").asText()).contains("expired");

        Api.Response refreshed = token(Map.of("grant_type", "refresh_token", "refresh_token", refresh,
                "client_id", "particle", "client_secret", "particle"));
        assertThat(refreshed.status()).isEqualTo(200);
        assertThat(cloud.anonymous().as(refreshed.json().get("access_token").asText()).get("/v1/user").status())
                .isEqualTo(200);
        Api.Response again = token(Map.of("grant_type", "refresh_token", "refresh_token", refresh,
                "client_id", "particle", "client_secret", "particle"));
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.json().get("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void neverExpiringTokenHasNoRefreshToken() {
        Api.Response r = token(Map.of("grant_type", "password", "username", TestCloud.ADMIN,
                "password", TestCloud.ADMIN_PASSWORD, "client_id", "particle", "client_secret", "particle",
                "expires_in", "0"));
        assertThat(r.json().get("expires_in").asLong()).isZero();
        assertThat(r.json().has("refresh_token")).isFalse();
        cloud.clock.advance(Duration.ofDays(3650));
        Api me = cloud.anonymous().as(r.json().get("access_token").asText());
        assertThat(me.get("/v1/user").status()).isEqualTo(200);
        assertThat(me.get("/v1/access_tokens/current").json().get("expires_at").isNull()).isTrue();
    }

    @Test
    void revokingCurrentAndNamedTokens() {
        Api user = cloud.newUser();
        Api.Response current = user.get("/v1/access_tokens/current");
        assertThat(current.json().get("client").asText()).isEqualTo("particle");
        assertThat(user.delete("/v1/access_tokens/current").json().get("ok").asBoolean()).isTrue();
        assertThat(user.get("/v1/user").status()).isEqualTo(401);

        Api other = cloud.newUser();
        // particle-cli's `token revoke` sends no credentials: knowing the token is enough.
        Api.Response revoked = cloud.anonymous().delete("/v1/access_tokens/" + other.token());
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(other.get("/v1/user").status()).isEqualTo(401);
        assertThat(cloud.anonymous().delete("/v1/access_tokens/" + other.token()).status()).isEqualTo(404);
    }

    static int login(String username, String password) {
        return cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "password", "username", username,
                "password", password, "client_id", "particle", "client_secret", "particle")).status();
    }

    @Test
    void guessingPasswordsIsStoppedAfterTenFailuresForAWindow() {
        String victim = "victim-" + java.util.UUID.randomUUID() + "@example.com";
        String bystander = "bystander-" + java.util.UUID.randomUUID() + "@example.com";
        for (String u : java.util.List.of(victim, bystander)) {
            assertThat(cloud.admin().postJson("/v1/users", Map.of("username", u, "password", "right-password")).status())
                    .isEqualTo(200);
        }
        // A success clears the count: nine failures, a success, nine more, and the account still logs in.
        for (int i = 0; i < 9; i++) assertThat(login(victim, "wrong-" + i)).isEqualTo(400);
        assertThat(login(victim, "right-password")).isEqualTo(200);
        for (int i = 0; i < 10; i++) assertThat(login(victim, "wrong-" + i)).isEqualTo(400);
        // Ten failures in the window: now even the right password is refused, in OAuth's shape.
        Api.Response locked = cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "password", "username", victim,
                "password", "right-password", "client_id", "particle", "client_secret", "particle"));
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.json().get("error").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(login(bystander, "right-password")).isEqualTo(200);
        cloud.clock.advance(Duration.ofMinutes(16));
        assertThat(login(victim, "right-password")).isEqualTo(200);
    }

    @Test
    void onlyThePlatformAdminCreatesAccounts() {
        Api user = cloud.newUser();
        Api.Response denied = user.postJson("/v1/users", Map.of("username", "x@example.com", "password", "password-123"));
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.json().get("ok").asBoolean()).isFalse();
        Api.Response shortPw = cloud.admin().postJson("/v1/users", Map.of("username", "y@example.com", "password", "short"));
        assertThat(shortPw.status()).isEqualTo(400);
        cloud.admin().postJson("/v1/users", Map.of("username", "z@example.com", "password", "password-123"));
        Api.Response dup = cloud.admin().postJson("/v1/users", Map.of("username", "z@example.com", "password", "password-123"));
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.json().get("error").asText()).contains("taken");
    }
}
