package io.boson.cluster;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.boson.device.BosonDevice;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two Boson nodes on one PostgreSQL schema and one NATS subject prefix serve one fleet: a device
 * on one node is claimed, called, read and streamed through the other, events cross both ways,
 * a device moving to the other node takes its session over, and revocations reach every node.
 * Runs in the PostgreSQL pass (it needs PostgreSQL and NATS; skipped when either is missing).
 */
class TwoNodeClusterTest {

    static final Duration WAIT = Duration.ofSeconds(5);
    static TestCloud a;
    static TestCloud b;

    @BeforeAll
    static void start() {
        assumeTrue("postgres".equals(System.getProperty("boson.test.db")), "the cluster test runs in the PostgreSQL pass");
        a = TestCloud.startCluster("node-a");
        b = a.join("node-b");
    }

    @AfterAll
    static void stop() {
        if (b != null) b.close();
        if (a != null) a.close();
    }

    @Test
    void aDeviceOnOneNodeIsServedThroughTheOther() throws Exception {
        Api onA = a.newUser();
        Api onB = new Api(b.baseUrl(), onA.token());
        TestCloud.Credentials c = a.registerDevice();
        try (TestDevice device = TestDevice.connect(a, c)) {
            assertThat(onB.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
            assertThat(onB.get("/v1/devices/" + c.id()).json().get("online").asBoolean()).isTrue();
            assertThat(onB.postJson("/v1/devices/" + c.id() + "/led", Map.of("arg", "on")).json().get("return_value").asInt())
                    .isEqualTo(1);
            assertThat(onB.get("/v1/devices/" + c.id() + "/temp").json().get("result").asDouble()).isEqualTo(21.5);

            try (SseStream stream = SseStream.open(b.baseUrl(), "/v1/devices/events", onA.token())) {
                assertThat(device.publish("crossing", "from-a").getCode()).isZero();
                assertThat(stream.next("crossing", WAIT).data().get("data").asText()).isEqualTo("from-a");
            }
            // An event published through node B reaches the device on node A.
            assertThat(onB.postJson("/v1/devices/events", Map.of("name", "to-device", "data", "hello")).status()).isEqualTo(200);
            assertThat(new String(device.next("c/e/to-device", WAIT).getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("hello");
        }
        // The device is gone from node A: calls through B answer "not connected", not a timeout.
        await().atMost(WAIT).until(() -> onB.postJson("/v1/devices/" + c.id() + "/led", Map.of("arg", "on")).status() == 404);
    }

    @Test
    void aDeviceThatReconnectsToTheOtherNodeTakesItsSessionOver() throws Exception {
        Api user = a.newUser();
        TestCloud.Credentials c = a.registerDevice();
        try (TestDevice first = TestDevice.connect(a, c)) {
            assertThat(user.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
            try (TestDevice second = TestDevice.connect(b, c)) {
                Throwable cause = first.disconnectCause().get(5, TimeUnit.SECONDS);
                assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
                assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
                // Calls through node A now reach the device's new session on node B.
                assertThat(user.postJson("/v1/devices/" + c.id() + "/led", Map.of("arg", "off")).json()
                        .get("return_value").asInt()).isZero();
                // The old session's close did not mark the device offline.
                assertThat(user.get("/v1/devices/" + c.id()).json().get("online").asBoolean()).isTrue();
                assertThat(second.connected()).isTrue();
            }
        }
    }

    @Test
    void aReleaseMadeThroughOneNodeUpdatesADeviceOnTheOther() {
        Api owner = a.newUser();
        Api ownerOnB = new Api(b.baseUrl(), owner.token());
        long product = a.newProduct(owner, "Cluster OTA");
        TestCloud.Credentials c = a.productDevice(owner, product);
        BosonDevice device = BosonDevice.builder().deviceId(c.id()).secret(c.secret()).host("127.0.0.1")
                .port(a.mqttPort()).productId((int) product).productVersion(1).build();
        try (SseStream status = SseStream.open(b.baseUrl(), "/v1/products/" + product + "/events/spark/flash", owner.token())) {
            device.connect().join();
            byte[] image = new byte[70_000];
            new java.util.Random(5).nextBytes(image);
            image[0] = 0;
            assertThat(ownerOnB.multipart("POST", "/v1/products/" + product + "/firmware", "firmware.bin", image,
                    Map.of("version", "2")).status()).isEqualTo(201);
            assertThat(ownerOnB.putJson("/v1/products/" + product + "/firmware/release", Map.of("version", 2,
                    "product_default", true, "intelligent", true)).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15)).until(() -> device.productVersion() == 2);
            assertThat(status.next("spark/flash/status", WAIT).data().get("data").asText()).isEqualTo("started");
            assertThat(status.next("spark/flash/status", WAIT).data().get("data").asText()).isEqualTo("success");
        } finally {
            device.disconnect().join();
        }
    }

    /**
     * Node A decides offers from its in-memory copy of the product's releases, which its own release
     * of v2 filled; a release of v3 made through node B must be seen by A's very next decision (the
     * nudge B sends when it releases), not one from a stale copy that says v2, which the device runs.
     */
    @Test
    void aReleaseThroughOneNodeReachesTheNextOfferDecisionOnTheOther() {
        Api owner = a.newUser();
        Api ownerOnB = new Api(b.baseUrl(), owner.token());
        long product = a.newProduct(owner, "Cluster releases");
        TestCloud.Credentials c = a.productDevice(owner, product);
        BosonDevice device = BosonDevice.builder().deviceId(c.id()).secret(c.secret()).host("127.0.0.1")
                .port(a.mqttPort()).productId((int) product).productVersion(1).build();
        try {
            device.connect().join();
            for (int v : new int[] {2, 3}) {
                byte[] image = new byte[40_000];
                new java.util.Random(v).nextBytes(image);
                image[0] = 0;
                assertThat(owner.multipart("POST", "/v1/products/" + product + "/firmware", "firmware.bin", image,
                        Map.of("version", Integer.toString(v))).status()).isEqualTo(201);
            }
            assertThat(owner.putJson("/v1/products/" + product + "/firmware/release", Map.of("version", 2,
                    "product_default", true, "intelligent", true)).status()).isEqualTo(200);
            // Updated, restarted and described again on node A: A's decisions have used the list with v2.
            await().atMost(Duration.ofSeconds(15)).until(() -> device.productVersion() == 2 && device.isConnected()
                    && "success".equals(owner.get("/v1/products/" + product + "/devices/" + c.id()).json()
                    .at("/firmware_update/last_attempt/state").asText()));
            long offers = device.firmwareOffers();
            assertThat(ownerOnB.putJson("/v1/products/" + product + "/firmware/release", Map.of("version", 3,
                    "product_default", true, "intelligent", true)).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15)).until(() -> device.productVersion() == 3 && device.isConnected());
            assertThat(device.firmwareOffers()).isEqualTo(offers + 1);
        } finally {
            device.disconnect().join();
        }
    }

    @Test
    void revokingATokenOnOneNodeEndsItsStreamsOnTheOther() {
        Api user = a.newUser();
        try (SseStream stream = SseStream.open(b.baseUrl(), "/v1/devices/events", user.token())) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(user.delete("/v1/access_tokens/current").status()).isEqualTo(200);
            await().atMost(WAIT).until(stream::ended);
        }
        assertThat(new Api(b.baseUrl(), user.token()).get("/v1/devices").status()).isEqualTo(401);
    }

    @Test
    void aTeamOrOrganizationChangeOnOneNodeIsEnforcedOnTheOtherWellBeforeItsCacheExpires() {
        // Standings are cached per node (MemberRepository); a change must reach the other node over the bus.
        Duration bound = io.boson.team.MemberRepository.CACHE_TTL.dividedBy(3);
        Api owner = a.newUser();
        long product = a.newProduct(owner, "Cached team");
        Api dev = a.newUser();
        String name = dev.get("/v1/user").json().get("username").asText();
        Api devOnB = new Api(b.baseUrl(), dev.token());
        assertThat(owner.postJson("/v1/products/" + product + "/team", Map.of("username", name, "role", "Developer")).status())
                .isEqualTo(200);
        assertThat(devOnB.postJson("/v1/products/" + product + "/groups", Map.of("name", "one")).status()).isEqualTo(201);
        assertThat(owner.putJson("/v1/products/" + product + "/team/" + name, Map.of("role", "View-only")).status()).isEqualTo(200);
        await().atMost(bound).until(() -> devOnB.postJson("/v1/products/" + product + "/groups", Map.of("name", "two")).status() == 403);
        assertThat(devOnB.get("/v1/products/" + product + "/devices").status()).isEqualTo(200);
        assertThat(owner.delete("/v1/products/" + product + "/team/" + name).status()).isEqualTo(204);
        await().atMost(bound).until(() -> devOnB.get("/v1/products/" + product + "/devices").status() == 404);

        // A member of the organization that owns a product, removed from the organization.
        Api.Response org = owner.postJson("/v1/orgs", Map.of("name", "Cached org"));
        assertThat(org.status()).isEqualTo(201);
        String slug = org.json().get("organization").get("slug").asText();
        Api.Response created = owner.postJson("/v1/orgs/" + slug + "/products", Map.of("product", Map.of("name", "Org product", "platform_id", 13)));
        long orgProduct = created.json().get("product").get("id").asLong();
        assertThat(owner.postJson("/v1/orgs/" + slug + "/team", Map.of("username", name, "role", "Support")).status()).isEqualTo(200);
        assertThat(devOnB.get("/v1/products/" + orgProduct + "/devices").status()).isEqualTo(200);
        assertThat(owner.delete("/v1/orgs/" + slug + "/team/" + name).status()).isEqualTo(204);
        await().atMost(bound).until(() -> devOnB.get("/v1/products/" + orgProduct + "/devices").status() == 404);
    }

    @Test
    void aProductEditedOnOneNodeReadsEditedOnTheOtherWellBeforeItsCacheExpires() {
        // Products are cached per node (ProductRepository); an edit must reach the other node over the bus.
        Duration bound = io.boson.products.ProductRepository.CACHE_TTL.dividedBy(3);
        Api owner = a.newUser();
        long product = a.newProduct(owner, "Before the edit");
        Api ownerOnB = new Api(b.baseUrl(), owner.token());
        assertThat(ownerOnB.get("/v1/products/" + product).json().get("product").get("name").asText()).isEqualTo("Before the edit");
        String slug = ownerOnB.get("/v1/products/" + product).json().get("product").get("slug").asText();
        assertThat(ownerOnB.get("/v1/products/" + slug).json().get("product").get("name").asText()).isEqualTo("Before the edit");
        assertThat(owner.putJson("/v1/products/" + product, Map.of("name", "After the edit")).status()).isEqualTo(200);
        assertThat(owner.get("/v1/products/" + product).json().get("product").get("name").asText()).isEqualTo("After the edit");
        await().atMost(bound).until(() ->
                ownerOnB.get("/v1/products/" + product).json().get("product").get("name").asText().equals("After the edit"));
        assertThat(ownerOnB.get("/v1/products/" + slug).json().get("product").get("name").asText()).isEqualTo("After the edit");
    }
}
