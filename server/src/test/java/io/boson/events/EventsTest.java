package io.boson.events;

import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EventsTest extends CloudTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void deviceEventReachesTheOwnersStreamsInParticlesFormat() {
        Api user = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(user);
             SseStream mine = SseStream.open(cloud.baseUrl(), "/v1/devices/events?nonce=1233.5", user.token());
             SseStream ofDevice = SseStream.open(cloud.baseUrl(), "/v1/devices/" + device.id + "/events", user.token());
             SseStream all = SseStream.open(cloud.baseUrl(), "/v1/events/temp", user.token())) {
            assertThat(mine.status()).isEqualTo(200);
            assertThat(mine.contentType()).startsWith("text/event-stream");
            assertThat(device.publish("temp", "21.5").getCode()).isZero();
            for (SseStream s : new SseStream[]{mine, ofDevice, all}) {
                SseStream.Received e = s.next("temp", WAIT);
                assertThat(e.data().get("data").asText()).isEqualTo("21.5");
                assertThat(e.data().get("coreid").asText()).isEqualTo(device.id);
                assertThat(e.data().get("ttl").asInt()).isEqualTo(60);
                assertThat(e.data().get("published_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            }
        }
    }

    @Test
    void prefixFilteringIncludingEncodedSlash() {
        Api user = cloud.newUser();
        try (TestDevice device = cloud.claimedDevice(user);
             SseStream door = SseStream.open(cloud.baseUrl(), "/v1/devices/events/sensors%2Fdoor", user.token());
             SseStream raw = SseStream.open(cloud.baseUrl(), "/v1/devices/events/sensors/door", user.token());
             SseStream devicePrefix = SseStream.open(cloud.baseUrl(), "/v1/devices/" + device.id + "/events/sensors%2Fdo",
                     user.token())) {
            assertThat(door.status()).isEqualTo(200);
            device.publish("sensors/window", "open");
            device.publish("sensors/door", "closed");
            for (SseStream s : new SseStream[]{door, raw, devicePrefix}) {
                SseStream.Received e = s.next(WAIT);
                assertThat(e.name()).isEqualTo("sensors/door");
                assertThat(e.data().get("data").asText()).isEqualTo("closed");
            }
        }
    }

    @Test
    void apiEventsReachTheOwnersDevicesAndStreamsOnly() {
        Api alice = cloud.newUser();
        Api bob = cloud.newUser();
        try (TestDevice aliceDevice = cloud.claimedDevice(alice);
             TestDevice bobDevice = cloud.claimedDevice(bob);
             SseStream bobStream = SseStream.open(cloud.baseUrl(), "/v1/devices/events", bob.token())) {
            Api.Response r = alice.postJson("/v1/devices/events", Map.of("name", "cmd/go", "data", "now", "private", true));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("ok").asBoolean()).isTrue();
            assertThat(new String(aliceDevice.next("c/e/cmd/go", WAIT).getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("now");
            // A marker in Bob's own scope, published after Alice's event: when it arrives, Alice's would have too.
            bob.postJson("/v1/devices/events", Map.of("name", "marker", "data", "m"));
            assertThat(bobStream.upTo("marker", WAIT)).noneMatch(e -> e.name().equals("cmd/go"));
            bobDevice.next("c/e/marker", WAIT);
            assertThat(bobDevice.receivedTopics("c/e/cmd")).isEmpty();
        }
    }

    @Test
    void deviceToDeviceWithinOneOwnerButNeverToItselfOrAnotherOwner() {
        Api alice = cloud.newUser();
        Api bob = cloud.newUser();
        try (TestDevice a1 = cloud.claimedDevice(alice);
             TestDevice a2 = cloud.claimedDevice(alice);
             TestDevice b1 = cloud.claimedDevice(bob);
             SseStream bobStream = SseStream.open(cloud.baseUrl(), "/v1/devices/events", bob.token())) {
            a1.publish("alarm", "fire");
            assertThat(new String(a2.next("c/e/alarm", WAIT).getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("fire");
            b1.publish("marker", "m");
            var seen = bobStream.upTo("marker", WAIT);
            assertThat(seen.get(seen.size() - 1).data().get("coreid").asText()).isEqualTo(b1.id);
            assertThat(seen).noneMatch(e -> e.name().equals("alarm"));
            assertThat(b1.receivedTopics("c/e/alarm")).isEmpty();
            a2.publish("marker2", "m");
            a1.next("c/e/marker2", WAIT);
            assertThat(a1.receivedTopics("c/e/alarm")).isEmpty();
        }
    }

    @Test
    void deviceSubscriptionFiltersUseMqttWildcardsAndParticlePrefixes() throws Exception {
        Api user = cloud.newUser();
        TestCloud.Credentials c = cloud.registerDevice();
        var client = TestDevice.client(cloud, c.id());
        TestDevice.join(client.connectWith().simpleAuth().username(c.id()).password(c.secret().getBytes()).applySimpleAuth().send());
        java.util.concurrent.LinkedBlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
        client.toAsync().publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL, p -> got.add(p.getTopic().toString()));
        try {
            client.subscribeWith()
                    .addSubscription().topicFilter("c/e/temp").applySubscription()
                    .addSubscription().topicFilter("c/e/+/door").applySubscription()
                    .addSubscription().topicFilter("x/y").applySubscription()
                    .send().get(5, java.util.concurrent.TimeUnit.SECONDS);
            throw new AssertionError("x/y was accepted");
        } catch (java.util.concurrent.ExecutionException e) {
            var suback = ((com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException) e.getCause()).getMqttMessage();
            assertThat(suback.getReasonCodes().get(0).getCode()).isEqualTo(1);
            assertThat(suback.getReasonCodes().get(2).getCode()).isEqualTo(0x87);
        }
        assertThat(user.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
        for (String name : new String[]{"humidity", "temperature", "a/door", "a/b/door", "temp"}) {
            user.postJson("/v1/devices/events", Map.of("name", name, "data", "1"));
        }
        assertThat(got.poll(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("c/e/temperature");
        assertThat(got.poll(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("c/e/a/door");
        assertThat(got.poll(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("c/e/temp");
        assertThat(got).isEmpty();
        client.disconnect().get();
    }

    @Test
    void statusEventsWhenDevicesComeAndGo() {
        Api user = cloud.newUser();
        TestDevice device = cloud.claimedDevice(user);
        try (SseStream stream = SseStream.open(cloud.baseUrl(), "/v1/devices/events/spark", user.token())) {
            device.close();
            SseStream.Received offline = stream.next("spark/status", WAIT);
            assertThat(offline.data().get("data").asText()).isEqualTo("offline");
        }
    }

    @Test
    void badEventsFromTheApiAreRefused() {
        Api user = cloud.newUser();
        assertThat(user.postJson("/v1/devices/events", Map.of("data", "x")).status()).isEqualTo(400);
        assertThat(user.postJson("/v1/devices/events", Map.of("name", "n", "data", "x".repeat(1025))).status()).isEqualTo(400);
        assertThat(user.postJson("/v1/devices/events", Map.of("name", "x".repeat(65))).status()).isEqualTo(400);
        assertThat(user.postForm("/v1/devices/events", Map.of("name", "form", "data", "ok")).status()).isEqualTo(200);
    }

    @Test
    void streamsNeedAToken() {
        try (SseStream s = SseStream.open(cloud.baseUrl(), "/v1/devices/events", null);
             SseStream bad = SseStream.open(cloud.baseUrl(), "/v1/devices/events", "nope")) {
            assertThat(s.status()).isEqualTo(400);
            assertThat(bad.status()).isEqualTo(401);
        }
    }

    @Test
    void revokingOrExpiringTheTokenEndsItsStreams() {
        Api user = cloud.newUser();
        Api second = cloud.login(user.get("/v1/user").json().get("username").asText(), "password-123");
        Api.Response shortLived = cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "password",
                "username", user.get("/v1/user").json().get("username").asText(), "password", "password-123",
                "client_id", "particle", "client_secret", "particle", "expires_in", "30"));
        String expiring = shortLived.json().get("access_token").asText();
        try (SseStream revoked = SseStream.open(cloud.baseUrl(), "/v1/devices/events", user.token());
             SseStream other = SseStream.open(cloud.baseUrl(), "/v1/devices/events", second.token());
             SseStream expires = SseStream.open(cloud.baseUrl(), "/v1/devices/events", expiring)) {
            assertThat(user.delete("/v1/access_tokens/current").status()).isEqualTo(200);
            org.awaitility.Awaitility.await().atMost(WAIT).until(revoked::ended);
            cloud.clock.advance(Duration.ofSeconds(31));
            // Checked at the next keep-alive (2 s on the test server).
            org.awaitility.Awaitility.await().atMost(WAIT).until(expires::ended);
            second.postJson("/v1/devices/events", Map.of("name", "still", "data", "here"));
            assertThat(other.next("still", WAIT).data().get("data").asText()).isEqualTo("here");
            assertThat(other.ended()).isFalse();
        }
    }

    @Test
    void keepAlivesArriveOnIdleStreams() {
        Api user = cloud.newUser();
        try (SseStream s = SseStream.open(cloud.baseUrl(), "/v1/devices/events", user.token())) {
            // The test server sends a keep-alive every 2 s; a real server every 9 s.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(6)).until(() -> s.comments() >= 2);
        }
    }
}
