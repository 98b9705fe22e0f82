package io.boson.rollouts;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.device.BosonDevice;
import io.boson.device.OtaFaults;
import io.boson.testing.Api;
import io.boson.testing.TestCloud;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/** A product with simulated SDK devices, and the calls a rollout test makes. */
final class Fleet implements AutoCloseable {

    final TestCloud cloud;
    final Api owner;
    final long product;
    final List<TestCloud.Credentials> credentials = new ArrayList<>();
    final Map<String, BosonDevice> devices = new HashMap<>();

    Fleet(TestCloud cloud, String name, int size) {
        this.cloud = cloud;
        this.owner = cloud.newUser();
        this.product = cloud.newProduct(owner, name);
        for (int i = 0; i < size; i++) credentials.add(cloud.productDevice(owner, product));
    }

    String p() {
        return "/v1/products/" + product;
    }

    void upload(int version) {
        byte[] image = new byte[2 * io.boson.firmware.OtaDelivery.CHUNK_BYTES + 1000]; // several chunks, so a transfer can fail midway
        new Random(version).nextBytes(image);
        image[0] = 0;
        Api.Response r = owner.multipart("POST", p() + "/firmware", "firmware.bin", image,
                Map.of("version", Integer.toString(version), "title", "v" + version));
        if (r.status() != 201) throw new AssertionError("upload failed: " + r);
    }

    TestCloud.Credentials credentials(String id) {
        return credentials.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    /** Connects the device at {@code version} with these OTA faults (replacing an earlier simulator of it). */
    BosonDevice connect(String id, int version, OtaFaults faults) {
        BosonDevice old = devices.remove(id);
        if (old != null && old.isConnected()) old.disconnect().join();
        TestCloud.Credentials c = credentials(id);
        BosonDevice d = BosonDevice.builder().deviceId(c.id()).secret(c.secret()).host("127.0.0.1").port(cloud.mqttPort())
                .productId((int) product).productVersion(version).otaFaults(faults).build();
        devices.put(id, d);
        d.connect().join();
        return d;
    }

    BosonDevice device(String id) {
        return devices.get(id);
    }

    Api.Response create(Map<String, Object> body) {
        return owner.postJson(p() + "/rollouts", body);
    }

    long created(Map<String, Object> body) {
        Api.Response r = create(body);
        if (r.status() != 201) throw new AssertionError("create failed: " + r);
        return r.json().at("/rollout/id").asLong();
    }

    JsonNode rollout(long id) {
        Api.Response r = owner.get(p() + "/rollouts/" + id);
        if (r.status() != 200) throw new AssertionError(r.toString());
        return r.json().get("rollout");
    }

    String state(long id) {
        return rollout(id).get("state").asText();
    }

    /** Device ids by wave (1-based), as the API lists them. */
    Map<Integer, List<String>> waves(long id) {
        Map<Integer, List<String>> out = new TreeMap<>();
        for (JsonNode d : owner.get(p() + "/rollouts/" + id + "/devices").json().get("devices")) {
            out.computeIfAbsent(d.get("wave").asInt(), k -> new ArrayList<>()).add(d.get("id").asText());
        }
        return out;
    }

    Api.Response post(long id, String action) {
        return owner.postJson(p() + "/rollouts/" + id + "/" + action, Map.of());
    }

    /** Ticks the scheduler by hand until the condition holds (the timer ticks too; decisions use the test's clock). */
    void tickUntil(String what, BooleanSupplier condition) {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    cloud.boson().rollouts().scheduler().tick();
                    return condition.getAsBoolean();
                });
    }

    boolean allRun(List<String> ids, int version) {
        return ids.stream().allMatch(id -> java.util.Objects.equals(devices.get(id).productVersion(), version) && devices.get(id).isConnected());
    }

    long offers(List<String> ids) {
        return ids.stream().mapToLong(id -> devices.get(id).firmwareOffers()).sum();
    }

    @Override
    public void close() {
        devices.values().forEach(d -> {
            if (d.isConnected()) d.disconnect().join();
        });
    }
}
