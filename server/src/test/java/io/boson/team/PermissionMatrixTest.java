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
    /** A product of an organization, for the rows of org members (their roles cascade to it). */
    static String org;
    static long orgProduct;
    static TestDevice orgDevice;

    /** The product a probe acts on, and one of its connected devices. */
    record Target(long product, TestDevice device) {
        String p() {
            return "/v1/products/" + product;
        }
    }

    @BeforeAll
    static void start() {
        cloud = TestCloud.start();
        owner = cloud.newUser();
        product = cloud.newProduct(owner, "Matrix");
        device = TestDevice.connect(cloud, cloud.productDevice(owner, product));
        assertThat(owner.postJson("/v1/products/" + product + "/groups", Map.of("name", "existing")).status()).isEqualTo(201);
        org = owner.postJson("/v1/orgs", Map.of("name", "Matrix Org")).json().get("organization").get("slug").asText();
        orgProduct = owner.postJson("/v1/orgs/" + org + "/products", Map.of("product", Map.of("name", "Org Matrix",
                "platform_id", 13))).json().get("product").get("id").asLong();
        orgDevice = TestDevice.connect(cloud, cloud.productDevice(owner, orgProduct));
        assertThat(owner.postJson("/v1/products/" + orgProduct + "/groups", Map.of("name", "existing")).status()).isEqualTo(201);
        for (long p : new long[] {product, orgProduct}) {
            assertThat(owner.multipart("POST", "/v1/products/" + p + "/firmware", "firmware.bin", new byte[] {0, 1, 2, (byte) 0xff},
                    Map.of("version", "1")).status()).isEqualTo(201);
        }
    }

    static final java.util.concurrent.atomic.AtomicInteger VERSIONS = new java.util.concurrent.atomic.AtomicInteger(100);

    @AfterAll
    static void stop() {
        device.close();
        orgDevice.close();
        cloud.close();
    }

    /** One HTTP call per action; each builds what it needs so that the probes do not depend on each other. */
    static Map<Action, Function<Api, Integer>> probes(Target t) {
        Map<Action, Function<Api, Integer>> m = new EnumMap<>(Action.class);
        m.put(Action.VIEW_TEAM, api -> api.get(t.p() + "/team").status());
        m.put(Action.MANAGE_TEAM, api -> api.postJson(t.p() + "/team",
                Map.of("username", cloud.newUser().get("/v1/user").json().get("username").asText())).status());
        m.put(Action.VIEW_DEVICE, api -> api.get(t.p() + "/devices").status());
        m.put(Action.SUBSCRIBE_EVENTS, api -> {
            try (SseStream s = SseStream.open(cloud.baseUrl(), t.p() + "/events", api.token())) {
                return s.status();
            }
        });
        m.put(Action.VIEW_FLEET_HEALTH, api -> api.get(t.p() + "/fleet_health/connects").status());
        m.put(Action.VIEW_VITALS, api -> api.get(t.p() + "/diagnostics/" + t.device().id + "/last").status());
        m.put(Action.REFRESH_VITALS, api -> api.postJson(t.p() + "/diagnostics/" + t.device().id + "/update", Map.of()).status());
        m.put(Action.READ_VARIABLES, api -> api.get(t.p() + "/devices/" + t.device().id + "/temp").status());
        m.put(Action.CALL_FUNCTIONS, api -> api.postJson(t.p() + "/devices/" + t.device().id + "/led", Map.of("args", "on")).status());
        m.put(Action.PING, api -> api.send(api.request(t.p() + "/devices/" + t.device().id + "/ping")
                .PUT(HttpRequest.BodyPublishers.noBody())).status());
        m.put(Action.IMPORT_DEVICES, api -> api.postJson(t.p() + "/devices", Map.of("id", cloud.registerDevice().id())).status());
        m.put(Action.EDIT_DEVICE, api -> api.putJson(t.p() + "/devices/" + t.device().id, Map.of("notes", "edited")).status());
        m.put(Action.REMOVE_DEVICES, api -> {
            String id = cloud.productDevice(owner, t.product()).id();
            return api.deleteJson(t.p() + "/devices/" + id, Map.of()).status();
        });
        m.put(Action.CREATE_GROUP, api -> api.postJson(t.p() + "/groups",
                Map.of("name", "g-" + UUID.randomUUID().toString().substring(0, 8))).status());
        m.put(Action.EDIT_GROUP, api -> api.putJson(t.p() + "/groups/existing", Map.of("description", "d")).status());
        m.put(Action.PUBLISH_EVENT, api -> api.postJson(t.p() + "/events", Map.of("name", "matrix")).status());
        m.put(Action.VIEW_SETTINGS, api -> api.get(t.p()).status());
        m.put(Action.VIEW_CLIENTS, api -> api.get(t.p() + "/clients").status());
        m.put(Action.MANAGE_CLIENTS, api -> api.postJson(t.p() + "/clients", Map.of("name", "matrix")).status());
        m.put(Action.VIEW_CUSTOMERS, api -> api.get(t.p() + "/customers").status());
        m.put(Action.MANAGE_CUSTOMERS, api -> api.postJson(t.p() + "/customers",
                Map.of("email", UUID.randomUUID() + "@example.com", "no_password", true)).status());
        m.put(Action.READ_AUDIT, api -> api.get(t.p() + "/audit").status());
        m.put(Action.VIEW_BILLING, api -> api.get(t.p() + "/usage").status());
        m.put(Action.VIEW_SIM, api -> api.get(t.p() + "/sims/data_usage").status());
        m.put(Action.EDIT_SETTINGS, api -> api.putJson(t.p(), Map.of("description", "changed")).status());
        m.put(Action.VIEW_FIRMWARE, api -> api.get(t.p() + "/firmware").status());
        m.put(Action.MANAGE_FIRMWARE, api -> api.multipart("POST", t.p() + "/firmware", "firmware.bin", new byte[] {0, 7, (byte) 0x80},
                Map.of("version", Integer.toString(VERSIONS.incrementAndGet()))).status());
        m.put(Action.FLASH_DEVICES, api -> api.putJson(t.p() + "/devices/" + t.device().id,
                Map.of("desired_firmware_version", 1, "flash", true)).status());
        return m;
    }

    @TestFactory
    List<DynamicTest> everyRoleAgainstEveryAction() {
        List<DynamicTest> tests = new ArrayList<>();
        Map<Action, Function<Api, Integer>> probes = probes(new Target(product, device));
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
        // A product token acts as a Developer of its product.
        Api productToken = productToken(owner, product);
        for (Map.Entry<Action, Function<Api, Integer>> probe : probes.entrySet()) {
            boolean allowed = Roles.allows(Role.DEVELOPER, probe.getKey());
            tests.add(DynamicTest.dynamicTest("product token × " + probe.getKey() + " → " + (allowed ? "allowed" : "403"), () -> {
                int status = probe.getValue().apply(productToken);
                if (allowed) assertThat(status).isBetween(200, 299);
                else assertThat(status).isEqualTo(403);
            }));
        }
        // The product's own customers are refused every product API; other tenants do not see it at all.
        Api customer = customerOf(owner, product);
        for (Map.Entry<Action, Function<Api, Integer>> probe : probes.entrySet()) {
            tests.add(DynamicTest.dynamicTest("customer × " + probe.getKey() + " → 403",
                    () -> assertThat(probe.getValue().apply(customer)).isEqualTo(403)));
        }
        Api otherOwner = cloud.newUser();
        Map<String, Api> strangers = Map.of("non-member", cloud.newUser(),
                "customer of another product", customerOf(otherOwner, cloud.newProduct(otherOwner, "Other")),
                "token of another product", productToken(owner, cloud.newProduct(owner, "Owner's other")));
        strangers.forEach((who, api) -> {
            for (Map.Entry<Action, Function<Api, Integer>> probe : probes.entrySet()) {
                tests.add(DynamicTest.dynamicTest(who + " × " + probe.getKey() + " → 404",
                        () -> assertThat(probe.getValue().apply(api)).isEqualTo(404)));
            }
        });
        return tests;
    }

    /** A rollout the owner makes for one probe (waiting for approval, running, or paused) and cancels after it. */
    static int withRollout(Target t, String state, java.util.function.ToIntFunction<Long> probe) {
        Api.Response c = owner.postJson(t.p() + "/rollouts", Map.of("version", 1, "requires_approval", state.equals("created"),
                "waves", List.of(Map.of("percent", 100))));
        assertThat(c.status()).as(c.toString()).isEqualTo(201);
        long id = c.json().at("/rollout/id").asLong();
        if (state.equals("paused")) assertThat(owner.postJson(t.p() + "/rollouts/" + id + "/pause", Map.of()).status()).isEqualTo(200);
        try {
            return probe.applyAsInt(id);
        } finally {
            owner.postJson(t.p() + "/rollouts/" + id + "/cancel", Map.of());
        }
    }

    /** Staged rollouts (a Boson extension) follow the firmware rows: reading is VIEW_FIRMWARE, every change MANAGE_FIRMWARE. */
    static Map<String, Map.Entry<Action, Function<Api, Integer>>> rolloutProbes(Target t) {
        Map<String, Map.Entry<Action, Function<Api, Integer>>> m = new java.util.LinkedHashMap<>();
        String r = t.p() + "/rollouts";
        m.put("list rollouts", Map.entry(Action.VIEW_FIRMWARE, api -> api.get(r).status()));
        m.put("get a rollout", Map.entry(Action.VIEW_FIRMWARE, api -> withRollout(t, "created", id -> api.get(r + "/" + id).status())));
        m.put("create a rollout", Map.entry(Action.MANAGE_FIRMWARE, api -> {
            Api.Response c = api.postJson(r, Map.of("version", 1, "requires_approval", true, "waves", List.of(Map.of("percent", 100))));
            if (c.status() == 201) owner.postJson(r + "/" + c.json().at("/rollout/id").asLong() + "/cancel", Map.of());
            return c.status();
        }));
        for (String[] change : new String[][] {{"approve", "created"}, {"pause", "running"}, {"resume", "paused"}, {"cancel", "created"}}) {
            m.put(change[0] + " a rollout", Map.entry(Action.MANAGE_FIRMWARE, api -> withRollout(t, change[1],
                    id -> api.postJson(r + "/" + id + "/" + change[0], Map.of()).status())));
        }
        return m;
    }

    @TestFactory
    List<DynamicTest> everyRoleAgainstEveryRolloutAction() {
        List<DynamicTest> tests = new ArrayList<>();
        Map<String, Map.Entry<Action, Function<Api, Integer>>> probes = rolloutProbes(new Target(product, device));
        Map<String, Map.Entry<Api, Role>> callers = new java.util.LinkedHashMap<>();
        for (Role role : Role.values()) {
            if (role != Role.API_USER) callers.put(role.toString(), Map.entry(role == Role.OWNER ? owner : memberWith(role), role));
        }
        callers.put("product token", Map.entry(productToken(owner, product), Role.DEVELOPER));
        callers.forEach((who, caller) -> probes.forEach((name, probe) -> {
            boolean allowed = Roles.allows(caller.getValue(), probe.getKey());
            tests.add(DynamicTest.dynamicTest(who + " × " + name + " (" + probe.getKey() + ") → " + (allowed ? "allowed" : "403"), () -> {
                int status = probe.getValue().apply(caller.getKey());
                if (allowed) assertThat(status).isBetween(200, 299);
                else assertThat(status).isEqualTo(403);
            }));
        }));
        Api stranger = cloud.newUser();
        probes.forEach((name, probe) -> tests.add(DynamicTest.dynamicTest("non-member × " + name + " → 404",
                () -> assertThat(probe.getValue().apply(stranger)).isEqualTo(404))));
        return tests;
    }

    /**
     * Organization members: their org role applies to every org product exactly as the role table
     * says; a member of another organization is not let in.
     */
    @TestFactory
    List<DynamicTest> everyOrgRoleAgainstEveryActionOnAnOrgProduct() {
        List<DynamicTest> tests = new ArrayList<>();
        Map<Action, Function<Api, Integer>> probes = probes(new Target(orgProduct, orgDevice));
        for (Role role : Role.values()) {
            if (role == Role.API_USER) continue;
            Api member = role == Role.OWNER ? owner : orgMemberWith(role);
            for (Map.Entry<Action, Function<Api, Integer>> probe : probes.entrySet()) {
                boolean allowed = Roles.allows(role, probe.getKey());
                tests.add(DynamicTest.dynamicTest("org " + role + " × " + probe.getKey() + " → " + (allowed ? "allowed" : "403"),
                        () -> {
                            int status = probe.getValue().apply(member);
                            if (allowed) assertThat(status).isBetween(200, 299);
                            else assertThat(status).isEqualTo(403);
                        }));
            }
        }
        Api otherOrgAdmin = cloud.newUser();
        assertThat(otherOrgAdmin.postJson("/v1/orgs", Map.of("name", "Rival")).status()).isEqualTo(201);
        for (Map.Entry<Action, Function<Api, Integer>> probe : probes.entrySet()) {
            tests.add(DynamicTest.dynamicTest("member of another org × " + probe.getKey() + " → 404",
                    () -> assertThat(probe.getValue().apply(otherOrgAdmin)).isEqualTo(404)));
        }
        return tests;
    }

    static Api orgMemberWith(Role role) {
        Api user = cloud.newUser();
        String username = user.get("/v1/user").json().get("username").asText();
        Api.Response r = owner.postJson("/v1/orgs/" + org + "/team", Map.of("username", username, "role", role.displayName()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return user;
    }

    static Map<String, String> productClient(Api productOwner, long productId) {
        Api.Response c = productOwner.postJson("/v1/products/" + productId + "/clients", Map.of("name", "matrix app"));
        assertThat(c.status()).as(c.toString()).isEqualTo(200);
        return Map.of("client_id", c.json().get("client").get("id").asText(),
                "client_secret", c.json().get("client").get("secret").asText());
    }

    static Api productToken(Api productOwner, long productId) {
        Map<String, String> form = new java.util.HashMap<>(productClient(productOwner, productId));
        form.put("grant_type", "client_credentials");
        Api.Response t = cloud.anonymous().postForm("/oauth/token", form);
        assertThat(t.status()).as(t.toString()).isEqualTo(200);
        return cloud.anonymous().as(t.json().get("access_token").asText());
    }

    static Api customerOf(Api productOwner, long productId) {
        Map<String, String> form = new java.util.HashMap<>(productClient(productOwner, productId));
        form.put("email", "customer-" + UUID.randomUUID() + "@example.com");
        form.put("password", "customer-password");
        Api.Response t = cloud.anonymous().postForm("/v1/products/" + productId + "/customers", form);
        assertThat(t.status()).as(t.toString()).isEqualTo(201);
        return cloud.anonymous().as(t.json().get("access_token").asText());
    }

    static Api apiUserWith(String scope) {
        Api.Response r = owner.postJson("/v1/products/" + product + "/team", Map.of("friendly_name", "matrix " + scope, "scopes", List.of(scope)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return owner.as(r.json().get("created").get("tokens").get(0).get("token").asText());
    }

    static Api memberWith(Role role) {
        Api user = cloud.newUser();
        String username = user.get("/v1/user").json().get("username").asText();
        Api.Response r = owner.postJson("/v1/products/" + product + "/team",
                Map.of("username", username, "role", role.displayName()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return user;
    }
}
