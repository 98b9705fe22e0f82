package io.boson.webhooks;

import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.SseStream;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** With the default settings (no {@code --webhook-allow}) webhooks reach public addresses only. */
class BlockedDestinationsTest extends CloudTest {

    @Test
    void loopbackLinkLocalAndPrivateDestinationsAreRefusedAtCreation() {
        Api user = cloud.newUser();
        for (String url : List.of("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.0.0.1/hook",
                "http://172.16.5.4/hook", "http://192.168.1.1/hook", "http://169.254.169.254/latest/meta-data",
                "http://[::1]/hook", "http://[fd00::1]/hook", "http://0.0.0.0/hook", "http://100.64.0.1/hook",
                "https://[::ffff:127.0.0.1]/hook")) {
            Api.Response r = user.postJson("/v1/webhooks", Map.of("event", "e", "url", url));
            assertThat(r.status()).as(url + ": " + r).isEqualTo(400);
            assertThat(r.json().get("error").asText()).as(url).contains("--webhook-allow");
        }
        assertThat(user.get("/v1/webhooks").json()).isEmpty();
        // A public address (TEST-NET-3, nothing answers there) is accepted.
        Api.Response ok = user.postJson("/v1/webhooks", Map.of("event", "e", "url", "https://203.0.113.7/hook"));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
    }

    @Test
    void aTemplatedHostIsCheckedWhenSending() {
        Api user = cloud.newUser();
        try (Endpoint endpoint = new Endpoint();
             TestDevice device = cloud.claimedDevice(user);
             SseStream errors = SseStream.open(cloud.baseUrl(), "/v1/events/hook-error", user.token())) {
            String url = endpoint.url("/inside").replace("127.0.0.1", "{{{host}}}");
            Api.Response r = user.postJson("/v1/webhooks", Map.of("event", "probe", "url", url));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            device.publish("probe", "{\"host\":\"127.0.0.1\"}");
            assertThat(errors.next("hook-error/probe/0", Duration.ofSeconds(10)).data().get("data").asText())
                    .isEqualTo("destination not allowed: 127.0.0.1");
            assertThat(endpoint.requests).isEmpty();
        }
    }
}
