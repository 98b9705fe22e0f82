package io.boson.team;

import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every role × every product action that has an endpoint, through the real HTTP API, with the
 * expectation generated from the role table: allowed → 2xx, a member without the right → 403,
 * someone off the team → 404 (the product's existence does not leak).
 */
class PermissionMatrixTest {

    static TestCloud cloud;
    static Api owner;
    static long product;
    static TestDevice device;

    @BeforeAll
    static void start() {
        cloud = TestCloud.start();
        owner = cloud.newUser();
        product = cloud.newProduct(owner, "Matrix");
        device = TestDevice.connect(cloud, cloud.productDevice(owner, product));
        assertThat(owner.postJson("/v1/products/" + product + "/groups", Map.of("name", "existing")).status()).isEqualTo(201);
        assertThat(owner.multipart("POST", p() + "/firmware", "firmware.bin", new byte[] {0, 1, 2, (byte) 0xff},
                Map.of("version", "1")).status()).isEqualTo(201);
    }

    static final java.util.concurrent.atomic.AtomicInteger VERSIONS = new java.util.concurrent.atomic.AtomicInteger(100);

    @AfterAll
    static void stop() {
        device.close();
        cloud.close();
    }

    static String p() {
        return "/v1/products/" + product;
    }

    /** One HTTP call per action; each builds what it needs so that the probes do not depend on each other. */
    static Map<Action, Function<Api, Integer>> probes() {
        Map<Action, Function<Api, Integer>> m = new EnumMap<>(Action.class);
        m.put(Action.VIEW_TEAM, api -> api.get(p() + "/team").status());
        m.put(Action.MANAGE_TEAM, api -> api.postJson(p() + "/team",
                Map.of("username", cloud.newUser().get("/v1/user").json().get("username").asText())).status());
        m.put(Action.VIEW_DEVICE, api -> api.get(p() + "/devices").status());
        m.put(Action.SUBSCRIBE_EVENTS, api -> {
            try (SseStream s = SseStream.open(cloud.baseUrl(), p() + "/events", api.token())) {
                return s.status();
            }
        });
        m.put(Action.READ_VARIABLES, api -> api.get(p() + "/devices/" + device.id + "/temp").status());
        m.put(Action.CALL_FUNCTIONS, api -> api.postJson(p() + "/devices/" + device.id + "/led", Map.of("args", "on")).status());
        m.put(Action.PING, api -> api.send(api.request(p() + "/devices/" + device.id + "/ping")
                .PUT(HttpRequest.BodyPublishers.noBody())).status());
        m.put(Action.IMPORT_DEVICES, api -> api.postJson(p() + "/devices", Map.of("id", cloud.registerDevice().id())).status());
        m.put(Action.EDIT_DEVICE, api -> api.putJson(p() + "/devices/" + device.id, Map.of("notes", "edited")).status());
        m.put(Action.REMOVE_DEVICES, api -> {
            String id = cloud.productDevice(owner, product).id();
            return api.deleteJson(p() + "/devices/" + id, Map.of()).status();
        });
        m.put(Action.CREATE_GROUP, api -> api.postJson(p() + "/groups",
                Map.of("name", "g-" + UUID.randomUUID().toString().substring(0, 8))).status());
        m.put(Action.EDIT_GROUP, api -> api.putJson(p() + "/groups/existing", Map.of("description", "d")).status());
        m.put(Action.PUBLISH_EVENT, api -> api.postJson(p() + "/events", Map.of("name", "matrix")).status());
        m.put(Action.VIEW_SETTINGS, api -> api.get(p()).status());
        m.put(Action.VIEW_CLIENTS, api -> api.get(p() + "/clients").status());
        m.put(Action.MANAGE_CLIENTS, api -> api.postJson(p() + "/clients", Map.of("name", "matrix")).status());
        m.put(Action.READ_AUDIT, api -> api.get(p() + "/audit").status());
        m.put(Action.EDIT_SETTINGS, api -> api.putJson(p(), Map.of("description", "changed")).status());
        m.put(Action.VIEW_FIRMWARE, api -> api.get(p() + "/firmware").status());
        m.put(Action.MANAGE_FIRMWARE, api -> api.multipart("POST", p() + "/firmware", "firmware.bin", new byte[] {0, 7, (byte) 0x80},
                Map.of("version", Integer.toString(VERSIONS.incrementAndGet()))).status());
        m.put(Action.FLASH_DEVICES, api -> api.putJson(p() + "/devices/" + device.id,
                Map.of("desired_firmware_version", 1, "flash", true)).status());
        return m;
    }

    @TestFactory
    List<DynamicTest> everyRoleAgainstEveryAction() {
        List<DynamicTest> tests = new ArrayList<>();
        Map<Action, Function<Api, Integer>> probes = probes();
        for (Role role : Role.values()) {
            if (role == Role.API_USER) continue;
            Api member = role == Role.OWNER ? owner : memberWith(role);
            for (Map.Entry<Action, Function<Api, Integer>> probe : probes.entrySet()) {
                boolean allowed = Roles.allows(role, probe.getKey());
                tests.add(DynamicTest.dynamicTest(role + " × " + probe.getKey() + " → " + (allowed ? "allowed" : "403"), () -> {
                    int status = probe.getValue().apply(member);
                    if (allowed) assertThat(status).isBetween(200, 299);
                    else assertThat(status).isEqualTo(403);
                }));
            }
        }
        // API users: each scope alone allows exactly the actions it grants.
        for (String scope : Scopes.GRANTS.keySet().stream().sorted().toList()) {
            Api apiUser = apiUserWith(scope);
            for (Map.Entry<Action, Function<Api, Integer>> probe : probes.entrySet()) {
                boolean allowed = Scopes.allows(java.util.Set.of(scope), probe.getKey());
                tests.add(DynamicTest.dynamicTest("API user [" + scope + "] × " + probe.getKey() + " → "
                        + (allowed ? "allowed" : "403"), () -> {
                    int status = probe.getValue().apply(apiUser);
                    if (allowed) assertThat(status).isBetween(200, 299);
                    else assertThat(status).isEqualTo(403);
                }));
            }
        }
        Api stranger = cloud.newUser();
        for (Map.Entry<Action, Function<Api, Integer>> probe : probes.entrySet()) {
            tests.add(DynamicTest.dynamicTest("non-member × " + probe.getKey() + " → 404",
                    () -> assertThat(probe.getValue().apply(stranger)).isEqualTo(404)));
        }
        return tests;
    }

    static Api apiUserWith(String scope) {
        Api.Response r = owner.postJson(p() + "/team", Map.of("friendly_name", "matrix " + scope, "scopes", List.of(scope)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return owner.as(r.json().get("created").get("tokens").get(0).get("token").asText());
    }

    static Api memberWith(Role role) {
        Api user = cloud.newUser();
        String username = user.get("/v1/user").json().get("username").asText();
        Api.Response r = owner.postJson(p() + "/team", Map.of("username", username, "role", role.displayName()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return user;
    }
}
