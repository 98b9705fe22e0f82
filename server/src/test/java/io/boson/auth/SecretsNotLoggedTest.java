package io.boson.auth;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passwords, tokens, client secrets, device secrets and claim codes never reach the log, even at
 * DEBUG, and are never returned after creation.
 */
class SecretsNotLoggedTest {

    @Test
    void noSecretReachesTheLogOrALaterAnswer() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger boson = (Logger) LoggerFactory.getLogger("io.boson");
        Logger javalin = (Logger) LoggerFactory.getLogger("io.javalin");
        Level bosonLevel = boson.getLevel();
        Level javalinLevel = javalin.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        boson.setLevel(Level.DEBUG);
        javalin.setLevel(Level.DEBUG);
        List<String> secrets = new ArrayList<>();
        List<String> laterAnswers = new ArrayList<>();
        try (TestCloud cloud = TestCloud.start()) {
            String password = "pw-" + UUID.randomUUID();
            String username = "secret-" + UUID.randomUUID() + "@example.com";
            secrets.add(password);
            assertThat(cloud.admin().postJson("/v1/users", Map.of("username", username, "password", password)).status())
                    .isEqualTo(200);
            Api.Response login = cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "password",
                    "username", username, "password", password, "client_id", "particle", "client_secret", "particle"));
            Api user = cloud.anonymous().as(login.json().get("access_token").asText());
            secrets.add(user.token());
            secrets.add(login.json().get("refresh_token").asText());
            // A token in the query string, and a bad one, are not logged either.
            user.get("/v1/user?access_token=" + user.token());
            cloud.anonymous().as("not-" + user.token()).get("/v1/devices");

            long product = cloud.newProduct(user, "Secrets");
            var client = user.postJson("/v1/products/" + product + "/clients", Map.of("name", "App")).json().get("client");
            secrets.add(client.get("secret").asText());
            String customerPassword = "cust-" + UUID.randomUUID();
            secrets.add(customerPassword);
            Api.Response customer = cloud.anonymous().postForm("/v1/products/" + product + "/customers", Map.of(
                    "email", "c@example.com", "password", customerPassword,
                    "client_id", client.get("id").asText(), "client_secret", client.get("secret").asText()));
            secrets.add(customer.json().get("access_token").asText());
            Api.Response apiUser = user.postJson("/v1/products/" + product + "/team",
                    Map.of("friendly_name", "bot", "scopes", List.of("devices:list")));
            secrets.add(apiUser.json().get("created").get("tokens").get(0).get("token").asText());
            TestCloud.Credentials device = cloud.registerDevice();
            secrets.add(device.secret());
            String claimCode = user.postJson("/v1/device_claims", Map.of()).json().get("claim_code").asText();
            secrets.add(claimCode);
            try (TestDevice d = TestDevice.connect(cloud, device)) {
                d.publishRaw("k", claimCode.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            boolean refused = false;
            try (TestDevice ignored = TestDevice.connect(cloud, new TestCloud.Credentials(device.id(), "0".repeat(32)))) {
                // connected: refused stays false
            } catch (AssertionError expected) {
                refused = true;
            }
            assertThat(refused).as("a wrong device secret is refused").isTrue();

            laterAnswers.add(user.get("/v1/products/" + product + "/clients").body());
            laterAnswers.add(user.get("/v1/products/" + product + "/customers").body());
            laterAnswers.add(user.get("/v1/products/" + product + "/team").body());
            laterAnswers.add(user.get("/v1/access_tokens/current").body());
            laterAnswers.add(user.get("/v1/devices").body());
            laterAnswers.add(user.get("/v1/products/" + product + "/audit").body());
        } finally {
            root.detachAppender(captured);
            boson.setLevel(bosonLevel);
            javalin.setLevel(javalinLevel);
        }
        StringBuilder log = new StringBuilder();
        for (ILoggingEvent e : captured.list) {
            log.append(e.getFormattedMessage()).append('\n');
            if (e.getThrowableProxy() != null) log.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
        }
        assertThat(captured.list).as("the run logged something, so the check means something").isNotEmpty();
        for (String secret : secrets) {
            assertThat(log.toString()).as("log").doesNotContain(secret);
            for (String answer : laterAnswers) assertThat(answer).doesNotContain(secret);
        }
    }
}
