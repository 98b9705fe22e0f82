package io.boson.firmware;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.device.BosonDevice;
import io.boson.device.OtaFaults;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Over-the-air delivery to real MQTT devices (the SDK's BosonDevice) through the real gateway. */
class OtaTest {

    static TestCloud cloud;
    private final List<BosonDevice> devices = new ArrayList<>();

    @BeforeAll
    static void start() {
        cloud = TestCloud.start();
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @AfterEach
    void disconnect() {
        devices.forEach(d -> d.disconnect().join());
    }

    private BosonDevice device(TestCloud.Credentials c, Long product, Integer version, OtaFaults faults) {
        var b = BosonDevice.builder().deviceId(c.id()).secret(c.secret()).host("127.0.0.1").port(cloud.mqttPort())
                .otaFaults(faults);
        if (product != null) b.productId(product.intValue()).productVersion(version);
        BosonDevice d = b.build();
        devices.add(d);
        return d;
    }

    private BosonDevice online(TestCloud.Credentials c, long product, int version) {
        BosonDevice d = device(c, product, version, OtaFaults.NONE);
        d.connect().join();
        return d;
    }

    static void await(String what, BooleanSupplier condition) {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }

    private static JsonNode update(Api api, long p, String id) {
        return api.get("/v1/products/" + p + "/devices/" + id).json().get("firmware_update");
    }

    @Test
    void intelligentGroupReleaseReachesOnlineGroupDevicesNowAndTheDefaultTheRestOnReconnect() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Rollout");
        TestCloud.Credentials ca = cloud.productDevice(owner, p);
        TestCloud.Credentials cb = cloud.productDevice(owner, p);
        owner.putJson("/v1/products/" + p + "/devices/" + ca.id(), Map.of("groups", List.of("beta")));
        BosonDevice a = online(ca, p, 1);
        BosonDevice b = online(cb, p, 1);
        Firmwares.uploaded(owner, p, 2, Firmwares.image(100_000, 2));
        try (SseStream events = SseStream.open(cloud.baseUrl(), "/v1/products/" + p + "/events/spark/flash", owner.token())) {
            assertThat(Firmwares.release(owner, p, 2, false, List.of("beta"), true).status()).isEqualTo(200);
            await("a runs v2", () -> a.productVersion() == 2 && a.isConnected());
            await("a confirmed", () -> update(owner, p, ca.id()).at("/last_attempt/state").asText().equals("success"));
            assertThat(events.next("spark/flash/status", Duration.ofSeconds(5)).data().get("data").asText()).isEqualTo("started");
            assertThat(events.next("spark/flash/status", Duration.ofSeconds(5)).data().get("data").asText()).isEqualTo("success");
        }
        JsonNode ua = update(owner, p, ca.id());
        assertThat(ua.get("current_version").asInt()).isEqualTo(2);
        assertThat(ua.get("status").asText()).isEqualTo("up_to_date");
        assertThat(ua.at("/last_attempt/bytes_sent").asLong()).isEqualTo(100_000);
        assertThat(owner.get("/v1/products/" + p + "/devices/" + ca.id()).json().get("firmware_version").asInt()).isEqualTo(2);
        assertThat(b.firmwareOffers()).isZero();

        // A standard default release waits for b's next connection.
        assertThat(Firmwares.release(owner, p, 2, true, List.of("beta"), false).status()).isEqualTo(200);
        assertThat(update(owner, p, cb.id()).get("status").asText()).isEqualTo("pending");
        assertThat(b.firmwareOffers()).isZero();
        b.disconnect().join();
        b.connect().join();
        await("b runs v2", () -> b.productVersion() == 2);
        await("b confirmed", () -> update(owner, p, cb.id()).at("/last_attempt/state").asText().equals("success"));
        JsonNode v2 = owner.get("/v1/products/" + p + "/firmware/2").json();
        assertThat(v2.at("/rollout/updated").asInt()).isEqualTo(2);
        assertThat(v2.get("device_count").asInt()).isEqualTo(2);
    }

    @Test
    void deletingAGroupMovesItsOnlineDevicesToTheirNextTargetAtOnce() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Group Delete");
        TestCloud.Credentials c = cloud.productDevice(owner, p);
        owner.putJson("/v1/products/" + p + "/devices/" + c.id(), Map.of("groups", List.of("canary")));
        Firmwares.uploaded(owner, p, 2, Firmwares.image(20_000, 2));
        Firmwares.uploaded(owner, p, 3, Firmwares.image(20_000, 3));
        Firmwares.release(owner, p, 2, true, List.of(), true);
        Firmwares.release(owner, p, 3, false, List.of("canary"), true);
        BosonDevice d = online(c, p, 1);
        await("the canary runs its group's v3", () -> d.productVersion() == 3);
        // Confirmed means the device came back and described itself: its session is settled.
        await("v3 confirmed", () -> update(owner, p, c.id()).at("/last_attempt/state").asText().equals("success")
                && update(owner, p, c.id()).get("current_version").asInt() == 3);
        assertThat(owner.delete("/v1/products/" + p + "/groups/canary").status()).isEqualTo(204);
        // The group's release no longer applies: the intelligent product default (v2) reaches it now.
        await("the former canary runs the default v2", () -> d.productVersion() == 2);
        assertThat(update(owner, p, c.id()).get("target_source").asText()).isEqualTo("default");
    }

    /**
     * Offer decisions keep the product's releases in memory; a change of what they say must reach
     * the very next decision. Renaming a group renames it in its releases too: a device of the
     * renamed group still gets the group's release at its next handshake (a list kept from before
     * the rename would name the old group, match nothing, and offer nothing).
     */
    @Test
    void aRenamedGroupKeepsItsReleaseForTheNextDecision() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Group Rename");
        TestCloud.Credentials member = cloud.productDevice(owner, p);
        TestCloud.Credentials other = cloud.productDevice(owner, p);
        owner.putJson("/v1/products/" + p + "/devices/" + member.id(), Map.of("groups", List.of("beta")));
        Firmwares.uploaded(owner, p, 3, Firmwares.image(20_000, 3));
        // A standard release: delivered at a device's next handshake.
        assertThat(Firmwares.release(owner, p, 3, false, List.of("beta"), false).status()).isEqualTo(200);
        // Another device's handshake decides with the releases of now (connect() returns once it is decided).
        BosonDevice bystander = online(other, p, 1);
        assertThat(bystander.firmwareOffers()).isZero();
        assertThat(owner.putJson("/v1/products/" + p + "/groups/beta", Map.of("name", "gamma")).status()).isEqualTo(200);
        BosonDevice d = online(member, p, 1);
        await("the renamed group's device runs its release v3", () -> d.productVersion() == 3 && d.isConnected());
        assertThat(update(owner, p, member.id()).get("target_source").asText()).isEqualTo("group");
        assertThat(bystander.firmwareOffers()).isZero();
    }

    @Test
    void forcedUpdatesReachADeviceWhoseFirmwareDisabledThem() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Forced");
        TestCloud.Credentials c = cloud.productDevice(owner, p);
        Firmwares.uploaded(owner, p, 2, Firmwares.image(20_000, 2));
        Firmwares.release(owner, p, 2, true, List.of(), true);
        BosonDevice d = BosonDevice.builder().deviceId(c.id()).secret(c.secret()).host("127.0.0.1").port(cloud.mqttPort())
                .productId((int) p).productVersion(1).updatesEnabled(false).build();
        devices.add(d);
        d.connect().join(); // the handshake's decision is made before the describe is acknowledged
        assertThat(d.firmwareOffers()).as("no offer to a device with updates disabled").isZero();
        assertThat(owner.get("/v1/products/" + p + "/devices/" + c.id()).json().get("firmware_updates_enabled").asBoolean())
                .isFalse();

        Api.Response forced = owner.putJson("/v1/products/" + p + "/devices/" + c.id(), Map.of("firmware_updates_forced", true));
        assertThat(forced.status()).as(forced.toString()).isEqualTo(200);
        assertThat(forced.json().get("firmware_updates_forced").asBoolean()).isTrue();
        await("the forced device runs v2", () -> d.productVersion() == 2);
        assertThat(owner.get("/v1/products/" + p + "/devices/" + c.id()).json().get("firmware_updates_forced").asBoolean())
                .isTrue();
        // Forcing is a Developer's edit: a Support member may not.
        Api support = cloud.newUser();
        owner.postJson("/v1/products/" + p + "/team", Map.of("username",
                support.get("/v1/user").json().get("username").asText(), "role", "Support"));
        assertThat(support.putJson("/v1/products/" + p + "/devices/" + c.id(), Map.of("firmware_updates_forced", false))
                .status()).isEqualTo(403);
    }

    @Test
    void developmentDevicesAreLeftAloneAndLockedDevicesGetTheirVersionAtOnceWithFlash() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Locks");
        TestCloud.Credentials cdev = cloud.productDevice(owner, p);
        TestCloud.Credentials clocked = cloud.productDevice(owner, p);
        owner.putJson("/v1/products/" + p + "/devices/" + cdev.id(), Map.of("development", true));
        Firmwares.uploaded(owner, p, 2, Firmwares.image(20_000, 2));
        Firmwares.uploaded(owner, p, 3, Firmwares.image(20_000, 3));
        Firmwares.release(owner, p, 2, true, List.of(), true);
        BosonDevice dev = online(cdev, p, 1);
        BosonDevice locked = online(clocked, p, 1);
        await("locked runs the default", () -> locked.productVersion() == 2);

        Api.Response lock = owner.putJson("/v1/products/" + p + "/devices/" + clocked.id(),
                Map.of("desired_firmware_version", 3, "flash", true));
        assertThat(lock.status()).as(lock.toString()).isEqualTo(200);
        await("locked runs v3", () -> locked.productVersion() == 3);
        assertThat(update(owner, p, clocked.id()).get("target_source").asText()).isEqualTo("lock");
        dev.disconnect().join();
        dev.connect().join();
        assertThat(dev.firmwareOffers()).isZero();
        assertThat(update(owner, p, cdev.id()).get("status").asText()).isEqualTo("none");

        // Unmarking development re-evaluates the device: the intelligent default reaches it at once.
        owner.putJson("/v1/products/" + p + "/devices/" + cdev.id(), Map.of("development", false));
        await("former development device runs v2", () -> dev.productVersion() == 2);
    }

    @Test
    void aTransferCutAtHalfResumesFromTheOffset() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Resume");
        TestCloud.Credentials c = cloud.productDevice(owner, p);
        int size = 8 * OtaDelivery.CHUNK_BYTES;
        Firmwares.uploaded(owner, p, 2, Firmwares.image(size, 7));
        BosonDevice d = device(c, p, 1, OtaFaults.disconnectingAt(0.5));
        d.connect().join();
        owner.putJson("/v1/products/" + p + "/devices/" + c.id(), Map.of("desired_firmware_version", 2, "flash", true));
        await("the device dropped at half", () -> !d.isConnected() && d.firmwareBytesReceived() >= size / 2);
        JsonNode half = update(owner, p, c.id());
        assertThat(half.at("/last_attempt/state").asText()).isEqualTo("in_progress");
        String job = half.at("/last_attempt/job").asText();

        d.connect().join();
        await("v2 after resuming", () -> d.productVersion() == 2 && d.isConnected());
        assertThat(d.firmwareResumedFrom()).isEqualTo(size / 2);
        assertThat(d.firmwareBytesReceived()).isEqualTo(size);
        await("confirmed", () -> update(owner, p, c.id()).at("/last_attempt/state").asText().equals("success"));
        JsonNode done = update(owner, p, c.id());
        assertThat(done.at("/last_attempt/job").asText()).isEqualTo(job);
        assertThat(done.at("/last_attempt/bytes_sent").asLong()).isEqualTo(size);
    }

    @Test
    void aCorruptedChunkFailsTheSha256CheckAndRetriesOnlyAfterBackOff() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Corrupt");
        TestCloud.Credentials c = cloud.productDevice(owner, p);
        Firmwares.uploaded(owner, p, 2, Firmwares.image(50_000, 9));
        BosonDevice d = device(c, p, 1, OtaFaults.corrupting());
        d.connect().join();
        try (SseStream events = SseStream.open(cloud.baseUrl(), "/v1/products/" + p + "/events/spark/flash", owner.token())) {
            Firmwares.release(owner, p, 2, true, List.of(), true);
            await("failure reported", () -> update(owner, p, c.id()).at("/last_attempt/state").asText().equals("failed"));
            assertThat(events.next("spark/flash/status", Duration.ofSeconds(5)).data().get("data").asText()).isEqualTo("started");
            assertThat(events.next("spark/flash/status", Duration.ofSeconds(5)).data().get("data").asText()).isEqualTo("failed");
        }
        JsonNode u = update(owner, p, c.id());
        assertThat(u.get("status").asText()).isEqualTo("failing");
        assertThat(u.at("/last_attempt/error").asText()).contains("sha256");
        assertThat(u.at("/last_attempt/consecutive_failures").asInt()).isEqualTo(1);
        assertThat(u.at("/last_attempt/next_attempt_at").asText()).isNotBlank();
        assertThat(d.productVersion()).isEqualTo(1);
        assertThat(owner.get("/v1/products/" + p + "/firmware/2").json().at("/rollout/failed").asInt()).isEqualTo(1);

        // Reconnecting during the back-off brings no new offer; after it, the device is offered again.
        d.disconnect().join();
        d.connect().join();
        assertThat(d.firmwareOffers()).isEqualTo(1);
        cloud.clock.advance(Duration.ofMinutes(2));
        d.disconnect().join();
        d.connect().join();
        await("second failure", () -> update(owner, p, c.id()).at("/last_attempt/consecutive_failures").asInt() == 2);
        assertThat(d.firmwareOffers()).isEqualTo(2);
    }

    @Test
    void developersFlashTheirOwnDeviceAndProductDevelopmentDevices() {
        Api owner = cloud.newUser();
        TestCloud.Credentials c = cloud.registerDevice();
        BosonDevice mine = device(c, null, null, OtaFaults.NONE);
        mine.connect().join();
        owner.postJson("/v1/devices", Map.of("id", c.id()));
        byte[] image = Firmwares.image(40_000, 4);
        Api.Response flash = owner.multipart("PUT", "/v1/devices/" + c.id(), "app.bin", image, Map.of("latest", "true"));
        assertThat(flash.status()).as(flash.toString()).isEqualTo(200);
        assertThat(flash.json().get("status").asText()).isEqualTo("Update started");
        await("flashed", () -> mine.firmwareApplied() == 1 && mine.isConnected());
        await("confirmed", () -> owner.get("/v1/devices/" + c.id()).json().at("/firmware_update/last_attempt/state").asText()
                .equals("success"));
        assertThat(cloud.newUser().multipart("PUT", "/v1/devices/" + c.id(), "app.bin", image, Map.of()).status()).isEqualTo(403);

        long p = cloud.newProduct(owner, "Flash");
        TestCloud.Credentials pc = cloud.productDevice(owner, p);
        BosonDevice pd = online(pc, p, 1);
        Api.Response notDev = owner.multipart("PUT", "/v1/products/" + p + "/devices/" + pc.id(), "app.bin", image, Map.of());
        assertThat(notDev.status()).isEqualTo(400);
        assertThat(notDev.json().get("error").asText()).contains("development");
        owner.putJson("/v1/products/" + p + "/devices/" + pc.id(), Map.of("development", true));
        Api.Response ok = owner.multipart("PUT", "/v1/products/" + p + "/devices/" + pc.id(), "app.bin", image, Map.of());
        assertThat(ok.json().get("status").asText()).isEqualTo("Update started");
        await("product development device flashed", () -> pd.firmwareApplied() == 1);
    }
}
