package io.boson.webhooks;

import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes (PostgreSQL + NATS): a webhook created through one node fires for a device on the
 * other, once per event, and its response reaches the device on its node.
 */
class WebhooksClusterTest {

    static TestCloud a;
    static TestCloud b;

    @BeforeAll
    static void start() {
        a = TestCloud.startCluster("hooks-a", c -> c.webhooks(WebhookSettings.defaults().withAllow(List.of("127.0.0.0/8"))
                .withBackoff(Duration.ofMillis(50))));
        b = a.join("hooks-b");
    }

    @AfterAll
    static void stop() {
        if (b != null) b.close();
        if (a != null) a.close();
    }

    @Test
    void eachEventFiresOnceFromTheNodeItEntered() {
        Api user = a.newUser();
        try (Endpoint endpoint = new Endpoint()) {
            endpoint.answer = r -> new Endpoint.Answer(200, "for " + r.form().get("data"));
            assertThat(user.postJson("/v1/webhooks", Map.of("event", "both", "url", endpoint.url("/both"))).status()).isEqualTo(201);
            TestCloud.Credentials c = a.registerDevice();
            // Claimed through node A while it is connected to B (a claim needs the device online). B hears
            // of the claim over NATS a moment after the API answers, and an event published in that moment
            // still belongs to the unclaimed device (no webhook of the user's): the device reconnects, and
            // B reads its owner at CONNECT.
            try (TestDevice unclaimed = TestDevice.connect(b.mqttPort(), c)) {
                assertThat(user.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
            }
            try (TestDevice device = TestDevice.connect(b.mqttPort(), c)) {
                device.publish("both", "from-device-on-b");
                assertThat(new String(device.next("c/e/hook-response/both/0", Duration.ofSeconds(10)).getPayloadAsBytes(),
                        StandardCharsets.UTF_8)).isEqualTo("for from-device-on-b");
                Api onB = new Api(b.baseUrl(), user.token());
                assertThat(onB.postJson("/v1/devices/events", Map.of("name", "both", "data", "from-api-on-b")).status()).isEqualTo(200);
                assertThat(user.postJson("/v1/devices/events", Map.of("name", "both", "data", "from-api-on-a")).status()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.requests.size() >= 3);
                // Both nodes hear every event; a second firing would follow within milliseconds.
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> endpoint.requests.size() == 3);
                assertThat(endpoint.requests.stream().map(r -> r.form().get("data")))
                        .containsExactlyInAnyOrder("from-device-on-b", "from-api-on-b", "from-api-on-a");
            }
        }
    }
}
