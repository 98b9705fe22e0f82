package io.boson.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks end to end: a real server, real devices over MQTT, SSE streams, and the JDK's HTTP
 * server in the test as the customer's endpoint.
 */
class WebhooksTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static TestCloud cloud;
    Endpoint endpoint;

    @BeforeAll
    static void start() {
        cloud = TestCloud.start(b -> b.webhooks(WebhookSettings.defaults().withAllow(List.of("127.0.0.0/8"))
                .withBackoff(Duration.ofMillis(50)).withTimeout(Duration.ofSeconds(5)).withWorkers(4, 1000).withRate(50)
                .withCircuit(5, Duration.ofSeconds(30))));
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @BeforeEach
    void endpoint() {
        endpoint = new Endpoint();
    }

    @AfterEach
    void closeEndpoint() {
        endpoint.close();
    }

    static Map<String, Object> hook(String event, String url, Object... more) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        m.put("url", url);
        for (int i = 0; i < more.length; i += 2) m.put((String) more[i], more[i + 1]);
        return m;
    }

    static String create(Api api, String path, Map<String, Object> hook) {
        Api.Response r = api.postJson(path, hook);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().get("ok").asBoolean()).isTrue();
        return r.json().get("id").asText();
    }

    static String payload(Mqtt5Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void jsonTemplateHeadersQueryAndBasicAuthArrive() {
        Api user = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(user)) {
            create(user, "/v1/webhooks", hook("temp/", endpoint.url("/ingest/{{{room.name}}}"),
                    "json", Map.of("temperature", "{{{t}}}", "device", "{{PARTICLE_DEVICE_ID}}", "name", "{{PARTICLE_EVENT_NAME}}",
                            "at", "{{PARTICLE_PUBLISHED_AT}}", "product", "{{PRODUCT_ID}}", "escaped", "{{label}}",
                            "raw", "{{{label}}}", "kept", 7),
                    "headers", Map.of("X-Device", "{{PARTICLE_DEVICE_ID}}", "X-App", "boson-test"),
                    "query", Map.of("room", "{{{room.name}}}", "first", "{{list.0.v}}"),
                    "auth", Map.of("username", "hook-user", "password", "secret-{{{t}}}"),
                    "noDefaults", true));
            device.publish("temp/kitchen", "{\"t\":21.5,\"room\":{\"name\":\"kitchen\"},\"label\":\"a<b\",\"list\":[{\"v\":\"x\"}]}");
            await().atMost(WAIT).until(() -> !endpoint.requests.isEmpty());
            Endpoint.Request r = endpoint.requests.get(0);
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/ingest/kitchen");
            assertThat(r.queryParams()).containsEntry("room", "kitchen").containsEntry("first", "x").hasSize(2);
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            assertThat(r.header("X-Device")).isEqualTo(device.id);
            assertThat(r.header("X-App")).isEqualTo("boson-test");
            assertThat(r.header("Authorization")).isEqualTo("Basic "
                    + Base64.getEncoder().encodeToString("hook-user:secret-21.5".getBytes(StandardCharsets.UTF_8)));
            JsonNode body = Api.JSON.valueToTree(parse(r.body()));
            assertThat(body.get("temperature").asText()).isEqualTo("21.5");
            assertThat(body.get("device").asText()).isEqualTo(device.id);
            assertThat(body.get("name").asText()).isEqualTo("temp/kitchen");
            assertThat(body.get("at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(body.get("product").asText()).isEmpty();
            assertThat(body.get("escaped").asText()).isEqualTo("a&lt;b");
            assertThat(body.get("raw").asText()).isEqualTo("a<b");
            assertThat(body.get("kept").asInt()).isEqualTo(7);
            assertThat(body.has("coreid")).as("noDefaults leaves the default fields out").isFalse();
        }
    }

    static JsonNode parse(String s) {
        try {
            return Api.JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    @Test
    void defaultsAsFormJsonWithDefaultsFormAndGetQuery() {
        Api user = cloud.newUser();
        create(user, "/v1/webhooks", hook("plain", endpoint.url("/default")));
        create(user, "/v1/webhooks", hook("plain", endpoint.url("/json"), "json", Map.of("mine", "{{{PARTICLE_EVENT_VALUE}}}")));
        create(user, "/v1/webhooks", hook("plain", endpoint.url("/form"), "form", Map.of("From", "me", "Body", "{{{PARTICLE_EVENT_VALUE}}}")));
        create(user, "/v1/webhooks", hook("plain", endpoint.url("/get?fixed=1"), "requestType", "get"));
        create(user, "/v1/webhooks", hook("plain", endpoint.url("/body"), "body", "<v>{{{PARTICLE_EVENT_VALUE}}}</v>",
                "requestType", "PUT", "headers", Map.of("Content-Type", "application/xml")));
        try (TestDevice device = cloud.claimedDevice(user)) {
            device.publish("plain", "hello world & more");
            await().atMost(WAIT).until(() -> endpoint.requests.size() == 5);
            Endpoint.Request def = endpoint.to("/default").get(0);
            assertThat(def.method()).isEqualTo("POST");
            assertThat(def.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
            assertThat(def.form()).containsEntry("event", "plain").containsEntry("data", "hello world & more")
                    .containsEntry("coreid", device.id).containsKey("published_at").hasSize(4);

            JsonNode json = parse(endpoint.to("/json").get(0).body());
            assertThat(json.get("mine").asText()).isEqualTo("hello world & more");
            assertThat(json.get("event").asText()).isEqualTo("plain");
            assertThat(json.get("coreid").asText()).isEqualTo(device.id);
            assertThat(json.get("data").asText()).isEqualTo("hello world & more");

            Endpoint.Request form = endpoint.to("/form").get(0);
            assertThat(form.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
            assertThat(form.form()).containsEntry("From", "me").containsEntry("Body", "hello world & more")
                    .containsEntry("coreid", device.id);

            Endpoint.Request get = endpoint.to("/get").get(0);
            assertThat(get.method()).isEqualTo("GET");
            assertThat(get.body()).isEmpty();
            assertThat(get.queryParams()).containsEntry("fixed", "1").containsEntry("event", "plain")
                    .containsEntry("data", "hello world & more").containsEntry("coreid", device.id);

            Endpoint.Request body = endpoint.to("/body").get(0);
            assertThat(body.method()).isEqualTo("PUT");
            assertThat(body.header("Content-Type")).isEqualTo("application/xml");
            assertThat(body.body()).isEqualTo("<v>hello world & more</v>");
        }
    }

    @Test
    void serverErrorIsRetriedThenReportedAsHookErrorToStreamAndDevice() {
        Api user = cloud.newUser();
        endpoint.answer = r -> new Endpoint.Answer(500, "down");
        String id = create(user, "/v1/webhooks", hook("fail", endpoint.url("/down")));
        try (TestDevice device = cloud.claimedDevice(user);
             SseStream errors = SseStream.open(cloud.baseUrl(), "/v1/events/hook-error", user.token())) {
            device.publish("fail/now", "x");
            SseStream.Received e = errors.next("hook-error/fail/now/0", WAIT);
            assertThat(e.data().get("data").asText()).isEqualTo("error status 500 from 127.0.0.1");
            assertThat(e.data().get("coreid").asText()).isEqualTo("particle-internal");
            assertThat(endpoint.requests).as("three attempts, then the error").hasSize(3);
            assertThat(payload(device.next("c/e/hook-error/fail/now/0", WAIT))).isEqualTo("error status 500 from 127.0.0.1");
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode c = user.get("/v1/webhooks/" + id).json().get("counters");
                assertThat(c.get("sent").asLong()).isEqualTo(1);
                assertThat(c.get("failed").asLong()).isEqualTo(1);
                assertThat(c.get("succeeded").asLong()).isZero();
                assertThat(c.get("last_error").asText()).isEqualTo("error status 500 from 127.0.0.1");
            });
        }
    }

    @Test
    void aFailedTryIsRetriedAndTheSecondAnswerDelivered() {
        Api user = cloud.newUser();
        AtomicInteger calls = new AtomicInteger();
        endpoint.answer = r -> calls.incrementAndGet() == 1 ? new Endpoint.Answer(503, "busy") : new Endpoint.Answer(200, "fine");
        String id = create(user, "/v1/webhooks", hook("flaky", endpoint.url("/flaky")));
        try (TestDevice device = cloud.claimedDevice(user)) {
            device.publish("flaky", "1");
            assertThat(payload(device.next("c/e/hook-response/flaky/0", WAIT))).isEqualTo("fine");
            assertThat(endpoint.requests).hasSize(2);
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode c = user.get("/v1/webhooks/" + id).json().get("counters");
                assertThat(c.get("succeeded").asLong()).isEqualTo(1);
                assertThat(c.get("failed").asLong()).isZero();
                assertThat(c.get("success_rate").asDouble()).isEqualTo(1.0);
            });
        }
    }

    @Test
    void aResponseReachesOnlyThePublishingDeviceIn512ByteChunks() {
        Api user = cloud.newUser();
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 1300; i++) big.append((char) ('a' + i % 26));
        endpoint.answer = r -> new Endpoint.Answer(200, big.toString());
        create(user, "/v1/webhooks", hook("weather", endpoint.url("/weather")));
        try (TestDevice publisher = cloud.claimedDevice(user);
             TestDevice sibling = cloud.claimedDevice(user);
             SseStream mine = SseStream.open(cloud.baseUrl(), "/v1/devices/events/hook-", user.token())) {
            publisher.publish("weather", "now");
            String p0 = payload(publisher.next("c/e/hook-response/weather/0", WAIT));
            String p1 = payload(publisher.next("c/e/hook-response/weather/1", WAIT));
            String p2 = payload(publisher.next("c/e/hook-response/weather/2", WAIT));
            assertThat(p0).hasSize(512);
            assertThat(p1).hasSize(512);
            assertThat(p2).hasSize(276);
            assertThat(p0 + p1 + p2).isEqualTo(big.toString());
            // The stream sees hook-sent and every chunk, from particle-internal.
            List<SseStream.Received> seen = mine.upTo("hook-response/weather/2", WAIT);
            assertThat(seen.stream().map(SseStream.Received::name)).contains("hook-sent/weather", "hook-response/weather/0",
                    "hook-response/weather/1");
            // A barrier for the sibling: an API event it does receive comes after anything of the webhook's.
            assertThat(user.postJson("/v1/devices/events", Map.of("name", "barrier", "data", "b")).status()).isEqualTo(200);
            // (receivedTopics reads without consuming; next() would discard what it skips.)
            await().atMost(WAIT).until(() -> !sibling.receivedTopics("c/e/barrier").isEmpty());
            assertThat(sibling.receivedTopics("c/e/hook-")).isEmpty();
        }
    }

    @Test
    void responseTemplateAndResponseTopicShapeWhatTheDeviceGets() {
        Api user = cloud.newUser();
        endpoint.answer = r -> new Endpoint.Answer(200, "{\"results\":[{\"elevation\":1608.6,\"name\":\"x\"}],\"status\":\"OK\"}");
        create(user, "/v1/webhooks", hook("elev", endpoint.url("/elev"), "requestType", "GET", "noDefaults", true,
                "responseTemplate", "{{results.0.elevation}} m", "responseTopic", "{{PARTICLE_DEVICE_ID}}/elevation"));
        try (TestDevice device = cloud.claimedDevice(user)) {
            device.publish("elev", "39.7,-104.9");
            assertThat(payload(device.next("c/e/" + device.id + "/elevation/0", WAIT))).isEqualTo("1608.6 m");
            assertThat(endpoint.requests.get(0).query()).isNull();
        }
    }

    @Test
    void aSlowEndpointDelaysNeitherStreamsNorDevices() {
        Api user = cloud.newUser();
        CountDownLatch release = new CountDownLatch(1);
        endpoint.hold = release;
        create(user, "/v1/webhooks", hook("slow", endpoint.url("/slow")));
        try (TestDevice publisher = cloud.claimedDevice(user);
             TestDevice listener = cloud.claimedDevice(user);
             SseStream stream = SseStream.open(cloud.baseUrl(), "/v1/devices/events/fast", user.token())) {
            // More webhook deliveries than the 4 workers: every worker is stuck on the slow endpoint.
            for (int i = 0; i < 8; i++) {
                assertThat(user.postJson("/v1/devices/events", Map.of("name", "slow", "data", Integer.toString(i))).status())
                        .isEqualTo(200);
            }
            await().atMost(WAIT).until(() -> endpoint.requests.size() >= 4);
            long start = System.nanoTime();
            publisher.publish("fast", "go");
            assertThat(stream.next("fast", Duration.ofSeconds(2)).data().get("data").asText()).isEqualTo("go");
            assertThat(payload(listener.next("c/e/fast", Duration.ofSeconds(2)))).isEqualTo("go");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(release.getCount()).as("the endpoint was still holding every worker").isEqualTo(1);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aWebhookNeverFiresOnAnotherAccountsEvents() {
        Api alice = cloud.newUser();
        Api bob = cloud.newUser();
        String aliceHook = create(alice, "/v1/webhooks", hook("shared-name", endpoint.url("/alice")));
        try (TestDevice bobs = cloud.claimedDevice(bob);
             TestDevice alices = cloud.claimedDevice(alice)) {
            bobs.publish("shared-name", "bob-device");
            assertThat(bob.postJson("/v1/devices/events", Map.of("name", "shared-name", "data", "bob-api")).status()).isEqualTo(200);
            alices.publish("shared-name", "alice-device");
            await().atMost(WAIT).until(() -> !endpoint.requests.isEmpty());
            // Alice's own API event is the barrier: it was published after all of Bob's.
            assertThat(alice.postJson("/v1/devices/events", Map.of("name", "shared-name", "data", "alice-api")).status()).isEqualTo(200);
            await().atMost(WAIT).until(() -> endpoint.requests.size() >= 2);
            assertThat(endpoint.requests.stream().map(r -> r.form().get("data")))
                    .containsExactlyInAnyOrder("alice-device", "alice-api");
        }
        assertThat(bob.get("/v1/webhooks/" + aliceHook).status()).isEqualTo(404);
        assertThat(bob.delete("/v1/webhooks/" + aliceHook).status()).isEqualTo(404);
        assertThat(bob.get("/v1/webhooks").json()).isEmpty();
        assertThat(alice.get("/v1/webhooks").json()).hasSize(1);
    }

    @Test
    void deviceFilterFiresOnlyForThatDevice() {
        Api user = cloud.newUser();
        try (TestDevice chosen = cloud.claimedDevice(user);
             TestDevice other = cloud.claimedDevice(user)) {
            String id = create(user, "/v1/webhooks", hook("only", endpoint.url("/only"), "deviceid", chosen.id));
            assertThat(user.get("/v1/webhooks/" + id).json().get("deviceID").asText()).isEqualTo(chosen.id);
            other.publish("only", "other");
            chosen.publish("only", "chosen");
            await().atMost(WAIT).until(() -> !endpoint.requests.isEmpty());
            assertThat(user.postJson("/v1/devices/events", Map.of("name", "only", "data", "api")).status()).isEqualTo(200);
            assertThat(endpoint.requests).extracting(r -> r.form().get("data")).containsExactly("chosen");
            Api stranger = cloud.newUser();
            // Someone else's device, and one that does not exist, answered alike (as every device call answers them).
            assertThat(stranger.postJson("/v1/webhooks", hook("x", endpoint.url("/x"), "deviceID", chosen.id)).status())
                    .isEqualTo(403);
            assertThat(stranger.postJson("/v1/webhooks", hook("x", endpoint.url("/x"), "deviceID", "0123456789abcdef01234567"))
                    .status()).isEqualTo(403);
            assertThat(stranger.get("/v1/webhooks").json()).isEmpty();
        }
    }

    @Test
    void productWebhookRendersProductVariablesAndAnswersTheDeviceOnItsOwnTopic() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Hooks");
        endpoint.answer = r -> new Endpoint.Answer(200, "ack " + r.form().get("p"));
        String id = create(owner, "/v1/products/" + product + "/webhooks", hook("reading", endpoint.url("/product"),
                "form", Map.of("p", "{{PRODUCT_ID}}", "v", "{{PRODUCT_VERSION}}")));
        assertThat(owner.get("/v1/products/" + product + "/webhooks").json().get(0).get("id").asText()).isEqualTo(id);
        try (TestDevice device = TestDevice.connect(cloud, cloud.productDevice(owner, product))) {
            device.publish("reading", "42");
            assertThat(payload(device.next("c/e/" + device.id + "/hook-response/reading/0", WAIT))).isEqualTo("ack " + product);
            Endpoint.Request r = endpoint.requests.get(0);
            assertThat(r.form()).containsEntry("p", Long.toString(product)).containsEntry("coreid", device.id).containsKey("v");
        }
        Api outsider = cloud.newUser();
        assertThat(outsider.get("/v1/products/" + product + "/webhooks").status()).isEqualTo(404);
        assertThat(outsider.get("/v1/webhooks").json()).isEmpty();
        assertThat(owner.delete("/v1/products/" + product + "/webhooks/" + id).json().get("ok").asBoolean()).isTrue();
        assertThat(owner.get("/v1/products/" + product + "/webhooks").json()).isEmpty();
    }

    @Test
    void aDeletedWebhookStopsFiring() {
        Api user = cloud.newUser();
        String first = create(user, "/v1/webhooks", hook("gone", endpoint.url("/first")));
        create(user, "/v1/webhooks", hook("gone", endpoint.url("/second")));
        assertThat(user.delete("/v1/webhooks/" + first).json().get("ok").asBoolean()).isTrue();
        assertThat(user.postJson("/v1/devices/events", Map.of("name", "gone", "data", "1")).status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> !endpoint.to("/second").isEmpty());
        assertThat(endpoint.to("/first")).isEmpty();
        assertThat(user.get("/v1/webhooks/" + first).status()).isEqualTo(404);
    }

    @Test
    void hookEventsDoNotTriggerWebhooks() {
        Api user = cloud.newUser();
        create(user, "/v1/webhooks", hook("h", endpoint.url("/h")));
        create(user, "/v1/webhooks", hook("hook-", endpoint.url("/hook")));
        assertThat(user.postJson("/v1/devices/events", Map.of("name", "h", "data", "1")).status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> !endpoint.to("/h").isEmpty());
        // hook-sent/h and hook-response/h/0 were published; a barrier event after them fires /h again.
        assertThat(user.postJson("/v1/devices/events", Map.of("name", "h", "data", "2")).status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> endpoint.to("/h").size() == 2);
        assertThat(endpoint.to("/hook")).isEmpty();
    }

    @Test
    void perWebhookRateLimitSkipsAndCounts() {
        Api user = cloud.newUser();
        String id = create(user, "/v1/webhooks", hook("burst", endpoint.url("/burst")));
        // The test clock stands still: the bucket holds 50 and does not refill.
        for (int i = 0; i < 60; i++) {
            assertThat(user.postJson("/v1/devices/events", Map.of("name", "burst", "data", Integer.toString(i))).status()).isEqualTo(200);
        }
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode c = user.get("/v1/webhooks/" + id).json().get("counters");
            assertThat(c.get("skipped").asLong()).isEqualTo(10);
            assertThat(c.get("succeeded").asLong()).isEqualTo(50);
        });
        assertThat(endpoint.requests).hasSize(50);
        cloud.clock.advance(Duration.ofSeconds(1));
        assertThat(user.postJson("/v1/devices/events", Map.of("name", "burst", "data", "later")).status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> endpoint.requests.size() == 51);
    }

    @Test
    void theCircuitRestsADeadEndpointAndReportsIt() {
        Api user = cloud.newUser();
        endpoint.answer = r -> new Endpoint.Answer(404, "no");
        String id = create(user, "/v1/webhooks", hook("dead", endpoint.url("/dead")));
        try (SseStream errors = SseStream.open(cloud.baseUrl(), "/v1/events/hook-error", user.token())) {
            for (int i = 0; i < 5; i++) {
                assertThat(user.postJson("/v1/devices/events", Map.of("name", "dead", "data", "x")).status()).isEqualTo(200);
                assertThat(errors.next("hook-error/dead/0", WAIT).data().get("data").asText())
                        .isEqualTo("error status 404 from 127.0.0.1");
            }
            assertThat(endpoint.requests).as("a 4xx is not retried").hasSize(5);
            assertThat(user.postJson("/v1/devices/events", Map.of("name", "dead", "data", "x")).status()).isEqualTo(200);
            assertThat(errors.next("hook-error/dead/0", WAIT).data().get("data").asText())
                    .isEqualTo("Sleeping, too many errors, please wait and try again");
            assertThat(endpoint.requests).hasSize(5);
            cloud.clock.advance(Duration.ofSeconds(31));
            endpoint.answer = r -> new Endpoint.Answer(200, "back");
            assertThat(user.postJson("/v1/devices/events", Map.of("name", "dead", "data", "x")).status()).isEqualTo(200);
            await().atMost(WAIT).until(() -> endpoint.requests.size() == 6);
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode c = user.get("/v1/webhooks/" + id).json().get("counters");
                assertThat(c.get("failed").asLong()).isEqualTo(5);
                assertThat(c.get("skipped").asLong()).isEqualTo(1);
                assertThat(c.get("succeeded").asLong()).isEqualTo(1);
            });
        }
    }

    @Test
    void badSettingsAreRefusedWithParticleShapedErrors() {
        Api user = cloud.newUser();
        Map<String, Map<String, Object>> bad = new LinkedHashMap<>();
        bad.put("no url", Map.of("event", "x"));
        bad.put("no event", Map.of("url", endpoint.url("/")));
        bad.put("two bodies", hook("x", endpoint.url("/"), "json", Map.of("a", "b"), "form", Map.of("a", "b")));
        bad.put("bad method", hook("x", endpoint.url("/"), "requestType", "PATCH"));
        bad.put("bad scheme", hook("x", "ftp://example.com/"));
        bad.put("not a url", hook("x", "http://exa mple.com/"));
        bad.put("headers not an object", hook("x", endpoint.url("/"), "headers", List.of("a")));
        bad.put("bad boolean", hook("x", endpoint.url("/"), "noDefaults", "maybe"));
        bad.put("private address", hook("x", "http://10.1.2.3/hook"));
        bad.forEach((why, body) -> {
            Api.Response r = user.postJson("/v1/webhooks", body);
            assertThat(r.status()).as(why + ": " + r).isEqualTo(400);
            assertThat(r.json().get("error").asText()).as(why).isNotBlank();
        });
        // No token: refused as everywhere in the API (Particle's 400 "access token was not found").
        assertThat(cloud.anonymous().postJson("/v1/webhooks", hook("x", endpoint.url("/"))).status()).isIn(400, 401);
        assertThat(user.get("/v1/webhooks").json()).isEmpty();
    }
}
