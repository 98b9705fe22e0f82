package io.boson.products;

import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.CloudTest;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Product events live in the product's scope: nothing leaks to another product or to an account. */
class ProductScopeTest extends CloudTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void productEventsStayInTheirProduct() {
        Api alice = cloud.newUser();
        Api bob = cloud.newUser();
        long pa = cloud.newProduct(alice, "A");
        long pb = cloud.newProduct(bob, "B");
        try (TestDevice a1 = TestDevice.connect(cloud, cloud.productDevice(alice, pa));
             TestDevice a2 = TestDevice.connect(cloud, cloud.productDevice(alice, pa));
             TestDevice b1 = TestDevice.connect(cloud, cloud.productDevice(bob, pb));
             TestDevice aliceOwn = cloud.claimedDevice(alice);
             SseStream productA = SseStream.open(cloud.baseUrl(), "/v1/products/" + pa + "/events", alice.token());
             SseStream oneDevice = SseStream.open(cloud.baseUrl(), "/v1/products/" + pa + "/devices/" + a1.id + "/events/tem",
                     alice.token());
             SseStream productB = SseStream.open(cloud.baseUrl(), "/v1/products/" + pb + "/events", bob.token());
             SseStream aliceMine = SseStream.open(cloud.baseUrl(), "/v1/devices/events", alice.token());
             SseStream bobIntoA = SseStream.open(cloud.baseUrl(), "/v1/products/" + pa + "/events", bob.token())) {
            assertThat(bobIntoA.status()).isEqualTo(404);

            a1.publish("temp", "20");
            SseStream.Received e = productA.next("temp", WAIT);
            assertThat(e.data().get("coreid").asText()).isEqualTo(a1.id);
            assertThat(e.data().get("productID").asLong()).isEqualTo(pa);
            assertThat(oneDevice.next("temp", WAIT).data().get("data").asText()).isEqualTo("20");
            assertThat(new String(a2.next("c/e/temp", WAIT).getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("20");

            Api.Response sent = alice.postJson("/v1/products/" + pa + "/events", Map.of("name", "cmd", "data", "go"));
            assertThat(sent.status()).isEqualTo(200);
            assertThat(new String(a1.next("c/e/cmd", WAIT).getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("go");
            assertThat(productA.next("cmd", WAIT).data().get("productID").asLong()).isEqualTo(pa);
            assertThat(bob.postJson("/v1/products/" + pa + "/events", Map.of("name", "x")).status()).isEqualTo(404);

            // Barriers: a marker in each other scope, published after; when it arrives, a leak would have too.
            bob.postJson("/v1/products/" + pb + "/events", Map.of("name", "marker-b"));
            assertThat(productB.upTo("marker-b", WAIT)).noneMatch(x -> x.name().equals("temp") || x.name().equals("cmd"));
            b1.next("c/e/marker-b", WAIT);
            assertThat(b1.receivedTopics("c/e/temp")).isEmpty();
            assertThat(b1.receivedTopics("c/e/cmd")).isEmpty();
            alice.postJson("/v1/devices/events", Map.of("name", "marker-u"));
            assertThat(aliceMine.upTo("marker-u", WAIT)).noneMatch(x -> x.name().equals("temp") || x.name().equals("cmd"));
            aliceOwn.next("c/e/marker-u", WAIT);
            assertThat(aliceOwn.receivedTopics("c/e/temp")).isEmpty();
            assertThat(a1.receivedTopics("c/e/marker-u")).isEmpty();
        }
    }

    @Test
    void productScopedFunctionsVariablesAndPing() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Calls");
        try (TestDevice d = TestDevice.connect(cloud, cloud.productDevice(owner, p))) {
            String base = "/v1/products/" + p + "/devices/" + d.id;
            assertThat(owner.postJson(base + "/led", Map.of("args", "on")).json().get("return_value").asInt()).isEqualTo(1);
            assertThat(owner.get(base + "/temp").json().get("result").asDouble()).isEqualTo(21.5);
            assertThat(owner.send(owner.request(base + "/ping").PUT(java.net.http.HttpRequest.BodyPublishers.noBody()))
                    .json().get("online").asBoolean()).isTrue();
            Api stranger = cloud.newUser();
            assertThat(stranger.postJson(base + "/led", Map.of("args", "on")).status()).isEqualTo(404);
            assertThat(stranger.get(base + "/temp").status()).isEqualTo(404);
            // Not claimed by the owner: the owner's own device paths do not reach it.
            assertThat(owner.get("/v1/devices/" + d.id + "/temp").status()).isEqualTo(403);
        }
    }
}
