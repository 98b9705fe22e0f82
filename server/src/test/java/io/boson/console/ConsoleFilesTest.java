package io.boson.console;

import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The console is static files at / beside the API, and signs in through its built-in client like any client. */
class ConsoleFilesTest extends CloudTest {

    @Test
    void theConsoleIsServedAtTheRootAsRevalidatedFilesAndTheApiKeepsItsPaths() {
        Api.Response index = cloud.anonymous().get("/");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(index.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(index.body()).contains("<script type=\"module\" src=\"js/app.js\"></script>");

        Api.Response app = cloud.anonymous().get("/js/app.js");
        assertThat(app.status()).isEqualTo(200);
        assertThat(app.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(app.headers().firstValue("Cache-Control")).hasValue("no-cache");
        // Revalidation answers 304 when the file has not changed.
        String etag = app.headers().firstValue("ETag").orElse(null);
        String modified = app.headers().firstValue("Last-Modified").orElse(null);
        assertThat(etag != null || modified != null).as("a validator for revalidation").isTrue();
        var revalidate = cloud.anonymous().request("/js/app.js");
        if (etag != null) revalidate.header("If-None-Match", etag); else revalidate.header("If-Modified-Since", modified);
        assertThat(cloud.anonymous().send(revalidate.GET()).status()).isEqualTo(304);

        assertThat(cloud.anonymous().get("/console.css").status()).isEqualTo(200);
        Api.Response missing = cloud.anonymous().get("/v1/no-such-thing");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("ok").asBoolean()).isFalse();
        assertThat(cloud.anonymous().get("/v1/devices").status()).isEqualTo(400);
        // Files outside the console's directory are not reachable through it.
        assertThat(cloud.anonymous().get("/../db/migration/V1__accounts_devices.sql").body()).doesNotContain("CREATE TABLE");
        assertThat(cloud.anonymous().get("/logback.xml").status()).isEqualTo(404);
    }

    @Test
    void theConsoleClientGivesPasswordTokensAndNothingElse() {
        Api.Response token = cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "password",
                "username", "admin", "password", "admin-password-1", "client_id", "boson-console", "client_secret", "boson-console"));
        assertThat(token.status()).isEqualTo(200);
        assertThat(cloud.anonymous().as(token.json().get("access_token").asText()).get("/v1/user").status()).isEqualTo(200);
        assertThat(cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "password", "username", "admin",
                "password", "admin-password-1", "client_id", "boson-console", "client_secret", "wrong")).json().get("error").asText())
                .isEqualTo("invalid_client");
        assertThat(cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "client_credentials",
                "client_id", "boson-console", "client_secret", "boson-console")).status()).isEqualTo(400);
    }
}
