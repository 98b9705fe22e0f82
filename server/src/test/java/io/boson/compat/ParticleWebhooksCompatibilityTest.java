package io.boson.compat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * particle-cli's {@code webhook create/list/delete} and particle-api-js's {@code createWebhook},
 * {@code listWebhooks}, {@code deleteWebhook} against a running server, unchanged. The URL is a
 * public address (TEST-NET-3) that creating does not call; delivery is WebhooksTest's.
 */
@Tag("compat")
class ParticleWebhooksCompatibilityTest extends CompatTestBase {

    static final String URL = "https://203.0.113.20/hook";

    @Test
    void cliCreatesListsAndDeletesWebhooks() throws Exception {
        Account a = account();
        try (TestDevice device = cloud.claimedDevice(a.api())) {
            Run create = particle(a.home(), "webhook", "create", "cli-temp", URL);
            assertThat(create.exit()).as(create.toString()).isZero();
            assertThat(create.stdout()).as(create.toString()).containsPattern("Successfully created webhook with ID [0-9a-f]{24}");

            Path file = tmp.resolve("hook.json");
            Files.writeString(file, """
                    {"event": "cli-file", "url": "%s", "deviceid": "%s", "requestType": "PUT",
                     "json": {"v": "{{{PARTICLE_EVENT_VALUE}}}"}, "headers": {"X-Key": "k"},
                     "responseTopic": "cli-answer", "noDefaults": true, "rejectUnauthorized": false}
                    """.formatted(URL, device.id));
            Run fromFile = particle(a.home(), "webhook", "create", file.toString());
            assertThat(fromFile.exit()).as(fromFile.toString()).isZero();
            assertThat(fromFile.stdout()).as(fromFile.toString()).contains("Using settings from the file");

            JsonNode hooks = a.api().get("/v1/webhooks").json();
            assertThat(hooks).hasSize(2);
            JsonNode made = hooks.get(1);
            assertThat(made.get("event").asText()).isEqualTo("cli-file");
            assertThat(made.get("deviceID").asText()).isEqualTo(device.id);
            assertThat(made.get("requestType").asText()).isEqualTo("PUT");
            assertThat(made.get("json").get("v").asText()).isEqualTo("{{{PARTICLE_EVENT_VALUE}}}");
            assertThat(made.get("responseTopic").asText()).isEqualTo("cli-answer");
            assertThat(made.get("noDefaults").asBoolean()).isTrue();
            String first = hooks.get(0).get("id").asText();

            Run list = particle(a.home(), "webhook", "list");
            assertThat(list.exit()).as(list.toString()).isZero();
            assertThat(list.stdout()).as(list.toString()).contains("Found 2 hooks registered")
                    .contains("Hook ID " + first + " is watching for \"cli-temp\"").contains("sending to: " + URL)
                    .contains("for device " + device.id);

            Run delete = particle(a.home(), "webhook", "delete", first);
            assertThat(delete.exit()).as(delete.toString()).isZero();
            assertThat(delete.stdout()).as(delete.toString()).contains("Successfully deleted webhook!");
            assertThat(a.api().get("/v1/webhooks").json()).hasSize(1);

            Run refused = particle(a.home(), "webhook", "create", "cli-bad", "http://10.0.0.5/hook");
            assertThat(refused.exit()).as(refused.toString()).isNotZero();
            assertThat(refused.stdout() + refused.stderr()).as(refused.toString()).contains("--webhook-allow");
        }
    }

    @Test
    void apiJsCreatesListsAndDeletesWebhooks() throws Exception {
        Account a = account();
        long product = cloud.newProduct(a.api(), "ApiJs Hooks");
        try (TestDevice device = cloud.claimedDevice(a.api())) {
            Map<String, String> env = Map.of("BOSON_BASE_URL", cloud.baseUrl(), "BOSON_TOKEN", a.api().token(),
                    "BOSON_PRODUCT", Long.toString(product), "BOSON_DEVICE", device.id, "BOSON_URL", URL);
            try (Proc script = start("node api-js-webhooks.mjs", List.of("node", compat.resolve("api-js-webhooks.mjs").toString()),
                    env, tmp)) {
                Run run = script.waitFor(Duration.ofSeconds(60));
                assertThat(run.failedSteps()).as(run.toString()).isEmpty();
                Map<String, JsonNode> ok = run.okSteps();
                assertThat(ok.keySet()).containsExactly("createWebhook", "createWebhook:product", "listWebhooks",
                        "listWebhooks:product", "deleteWebhook", "deleteWebhook:product", "listWebhooks:after");
                JsonNode created = ok.get("createWebhook");
                assertThat(created.get("ok").asBoolean()).isTrue();
                assertThat(created.get("id").asText()).matches("[0-9a-f]{24}");
                assertThat(created.get("event").asText()).isEqualTo("apijs/temp");
                assertThat(created.get("url").asText()).isEqualTo(URL);
                assertThat(created.get("created_at").asText()).isNotBlank();
                JsonNode listed = ok.get("listWebhooks");
                assertThat(listed).hasSize(1);
                JsonNode h = listed.get(0);
                assertThat(h.get("requestType").asText()).isEqualTo("PUT");
                assertThat(h.get("deviceID").asText()).isEqualTo(device.id);
                assertThat(h.get("headers").get("X-Source").asText()).isEqualTo("{{PARTICLE_DEVICE_ID}}");
                assertThat(h.get("auth").get("username").asText()).isEqualTo("u");
                assertThat(h.get("responseTopic").asText()).isEqualTo("apijs-response");
                assertThat(h.get("errorResponseTopic").asText()).isEqualTo("apijs-error");
                assertThat(h.get("rejectUnauthorized").asBoolean()).isFalse();
                assertThat(ok.get("listWebhooks:product")).hasSize(1);
                assertThat(ok.get("listWebhooks:product").get(0).get("event").asText()).isEqualTo("apijs/product");
                assertThat(ok.get("deleteWebhook").get("ok").asBoolean()).isTrue();
                assertThat(ok.get("listWebhooks:after")).isEmpty();
                assertThat(a.api().get("/v1/products/" + product + "/webhooks").json()).isEmpty();
            }
        }
    }
}
