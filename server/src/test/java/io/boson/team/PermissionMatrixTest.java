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

    /** Developer devices of the owner's, claimed by the route walk. */
    static final List<TestDevice> ownDevices = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterAll
    static void stop() {
        ownDevices.forEach(TestDevice::close);
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
        // The event history API is allowed to exactly whom the streams are: the probe answers the
        // stream's status only when the product's and the device's history answer the same.
        m.put(Action.SUBSCRIBE_EVENTS, api -> {
            int stream;
            try (SseStream s = SseStream.open(cloud.baseUrl(), t.p() + "/events", api.token())) {
                stream = s.status();
            }
            int productHistory = api.get(t.p() + "/event-history").status();
            int deviceHistory = api.get(t.p() + "/devices/" + t.device().id + "/event-history").status();
            return stream == productHistory && stream == deviceHistory ? stream : -productHistory * 1000 - deviceHistory;
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
        m.put(Action.VIEW_INTEGRATIONS, api -> api.get(t.p() + "/webhooks").status());
        // A public address (TEST-NET-3): creating does not call it.
        m.put(Action.MANAGE_INTEGRATIONS, api -> api.postJson(t.p() + "/webhooks",
                Map.of("event", "matrix", "url", "https://203.0.113.9/hook")).status());
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

    // --- every registered route has a rule, and the rule holds -----------------------------------

    /**
     * Walks the routes the server registered: each must have a rule in {@link RouteRules} (and each
     * rule a route), every rule's action must have a probe above (so the matrix covers what the
     * route does), and then, through HTTP with real path parameters: without a token every guarded
     * route answers 401; a product or org route answers 403 to each role, API-user scope, product
     * token and customer the table denies, 404 to strangers, and lets the allowed ones past the check;
     * a route to someone's own thing never serves another user; admin routes refuse everyone else.
     */
    @TestFactory
    List<DynamicTest> everyRouteHasARuleAndTheRuleHolds() {
        List<String> registered = cloud.boson().routes().stream().filter(r -> !r.startsWith("BEFORE ")).distinct().toList();
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(named("every route has a rule", () -> assertThat(RouteRules.RULES.keySet())
                .as("routes without a rule in RouteRules").containsAll(registered)));
        tests.add(named("every rule has a route", () -> assertThat(registered)
                .as("rules in RouteRules for routes that do not exist").containsAll(RouteRules.RULES.keySet())));
        java.util.Set<Action> probed = probes(new Target(product, device)).keySet();
        for (RouteRules.Rule rule : RouteRules.RULES.values()) {
            Action a = rule instanceof RouteRules.Product pr ? pr.action() : rule instanceof RouteRules.Org o ? o.action() : null;
            if (a != null) {
                tests.add(named("the matrix probes " + a, () -> assertThat(probed).contains(a)));
            }
        }

        Routes params = Routes.create();
        Api anonymous = cloud.anonymous();
        Api forged = cloud.anonymous().as("0123456789abcdef0123456789abcdef01234567");
        Api stranger = cloud.newUser();
        Api customer = customerOf(owner, product);
        Api productToken = productToken(owner, product);
        Map<Role, Api> members = new EnumMap<>(Role.class);
        Map<Role, Api> orgMembers = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            if (role == Role.API_USER) continue;
            members.put(role, role == Role.OWNER ? owner : memberWith(role));
            orgMembers.put(role, role == Role.OWNER ? owner : orgMemberWith(role));
        }
        Map<String, Api> scopes = new java.util.TreeMap<>();
        for (String scope : Scopes.GRANTS.keySet()) scopes.put(scope, apiUserWith(scope));
        Api otherOrgAdmin = cloud.newUser();
        assertThat(otherOrgAdmin.postJson("/v1/orgs", Map.of("name", "Rival of routes")).status()).isEqualTo(201);

        for (Map.Entry<String, RouteRules.Rule> e : RouteRules.RULES.entrySet()) {
            String route = e.getKey();
            if (!registered.contains(route)) continue;
            RouteRules.Rule rule = e.getValue();
            boolean stream = RouteRules.STREAMS.contains(route);
            boolean destructive = route.startsWith("DELETE ");
            if (!(rule instanceof RouteRules.Public)) {
                // As Particle: no token is a bad request (400 invalid_request), a token that is not one is 401.
                tests.add(named(route + " × no token → 400", () -> assertThat(params.call(anonymous, route, stream)).isEqualTo(400)));
                tests.add(named(route + " × unknown token → 401", () -> assertThat(params.call(forged, route, stream)).isEqualTo(401)));
            }
            switch (rule) {
                case RouteRules.Product(Action action, boolean customers, boolean tokens) -> {
                    members.forEach((role, api) -> tests.add(expect(route + " × " + role, params, api, route, stream,
                            Roles.allows(role, action), destructive)));
                    scopes.forEach((scope, api) -> tests.add(expect(route + " × API user [" + scope + "]", params, api, route,
                            stream, Scopes.allows(java.util.Set.of(scope), action), destructive)));
                    tests.add(expect(route + " × product token", params, productToken, route, stream,
                            tokens && Roles.allows(Role.DEVELOPER, action), destructive));
                    tests.add(expect(route + " × customer", params, customer, route, stream, customers, destructive));
                    tests.add(named(route + " × non-member → 404",
                            () -> assertThat(params.call(stranger, route, stream)).isEqualTo(404)));
                }
                case RouteRules.Org(Action action) -> {
                    orgMembers.forEach((role, api) -> tests.add(expect(route + " × org " + role, params, api, route, stream,
                            Roles.allows(role, action), destructive)));
                    tests.add(named(route + " × member of another org → 404",
                            () -> assertThat(params.call(otherOrgAdmin, route, stream)).isEqualTo(404)));
                }
                case RouteRules.Own(String target) -> {
                    if (target != null) {
                        // Another user aims at the owner's thing: refused, whatever the route.
                        tests.add(named(route + " × another user's " + target + " → refused",
                                () -> assertThat(params.call(stranger, route, stream)).isIn(403, 404)));
                    } else if (!stream && route.startsWith("GET ")) {
                        tests.add(named(route + " × another user → only their own", () -> {
                            Api.Response r = params.send(stranger, route);
                            assertThat(r.status()).isBetween(200, 299);
                            assertThat(r.body()).doesNotContain(params.ownDevice.id).doesNotContain(params.ownerName);
                        }));
                    }
                }
                case RouteRules.Admin() -> tests.add(named(route + " × a user who is not the admin → 403",
                        () -> assertThat(params.call(owner, route, stream)).isEqualTo(403)));
                case RouteRules.Public(String why) -> tests.add(named(route + " × no token → answered (" + why + ")",
                        () -> assertThat(params.call(anonymous, route, stream)).isNotEqualTo(401).isLessThan(500)));
            }
        }
        return tests;
    }

    /** A dynamic test whose failure names its route and caller (surefire reports dynamic tests by number). */
    private static DynamicTest named(String name, org.junit.jupiter.api.function.Executable check) {
        return DynamicTest.dynamicTest(name, () -> {
            try {
                check.execute();
            } catch (AssertionError e) {
                throw new AssertionError(name + ": " + e.getMessage().strip(), e);
            }
        });
    }

    /** Denied: exactly 403. Allowed: past the check (neither 401 nor 403, no 5xx); a DELETE is not made for real. */
    private static DynamicTest expect(String name, Routes params, Api api, String route, boolean stream, boolean allowed,
                                      boolean destructive) {
        return named(name + " → " + (allowed ? "allowed" : "403"), () -> {
            if (!allowed) {
                assertThat(params.call(api, route, stream)).isEqualTo(403);
            } else if (!destructive) {
                assertThat(params.call(api, route, stream)).isNotIn(401, 403).isLessThan(500);
            }
        });
    }

    /** Real values for every path parameter, and the call of a route with an empty JSON body. */
    static final class Routes {
        TestDevice ownDevice;
        String ownerName;
        final Map<String, String> values = new java.util.HashMap<>();

        static Routes create() {
            Routes r = new Routes();
            r.ownDevice = cloud.claimedDevice(owner);
            ownDevices.add(r.ownDevice);
            r.ownerName = owner.get("/v1/user").json().get("username").asText();
            String email = "route-customer-" + UUID.randomUUID() + "@example.com";
            Map<String, String> form = new java.util.HashMap<>(productClient(owner, product));
            form.put("email", email);
            form.put("no_password", "true");
            assertThat(cloud.anonymous().postForm("/v1/products/" + product + "/customers", form).status()).isEqualTo(201);
            String member = memberWith(Role.SUPPORT).get("/v1/user").json().get("username").asText();
            String orgMember = orgMemberWith(Role.SUPPORT).get("/v1/user").json().get("username").asText();
            String productClientId = productClient(owner, product).get("client_id");
            String userClientId = owner.postJson("/v1/clients", Map.of("name", "routes", "type", "installed")).json()
                    .get("client").get("id").asText();
            // A second token of the owner's: the one another user tries to delete.
            String spareToken = cloud.login(r.ownerName, "password-123").token();
            r.values.put("{product}", Long.toString(product));
            r.values.put("{function}", "led");
            r.values.put("{variable}", "temp");
            r.values.put("{version}", "1");
            r.values.put("{name}", "existing");
            r.values.put("{email}", email);
            r.values.put("{iccid}", "89014103211118510720");
            r.values.put("{metric}", "signal_strength");
            r.values.put("<prefix>", "matrix");
            r.values.put("{org}", org);
            r.values.put("{kind}", "user");
            r.values.put("{file}", "devices.csv");
            r.values.put("product-username", member);
            r.values.put("org-username", orgMember);
            r.values.put("product-client", productClientId);
            r.values.put("user-client", userClientId);
            r.values.put("{token}", spareToken);
            // A webhook of each kind, so that webhook routes are called with an id that exists (a public
            // address, TEST-NET-3: creating calls nothing).
            java.util.function.BiFunction<Api, String, String> hook = (api, base) -> {
                Api.Response h = api.postJson(base + "/webhooks", Map.of("event", "routes", "url", "https://203.0.113.9/hook"));
                assertThat(h.status()).as(h.toString()).isEqualTo(201);
                return h.json().get("id").asText();
            };
            r.values.put("user-webhook", hook.apply(owner, "/v1"));
            r.values.put("product-webhook", hook.apply(owner, "/v1/products/" + product));
            r.values.put("org-webhook", hook.apply(owner, "/v1/products/" + orgProduct));
            return r;
        }

        String path(String route) {
            String path = route.substring(route.indexOf(' ') + 1);
            boolean orgRoute = path.startsWith("/v1/orgs/");
            boolean productRoute = path.startsWith("/v1/products/{product}");
            if (orgRoute) path = path.replace("{product}", Long.toString(orgProduct));
            if (path.contains("/fleet_health/")) path = path.replace("{metric}", "connects");
            path = path.replace("{username}", values.get(orgRoute ? "org-username" : "product-username"));
            if (path.contains("webhooks/{id}")) {
                path = path.replace("{id}", values.get(orgRoute ? "org-webhook" : productRoute ? "product-webhook" : "user-webhook"));
            }
            if (path.contains("clients/{id}")) path = path.replace("{id}", values.get(productRoute ? "product-client" : "user-client"));
            if (path.contains("{id}")) path = path.replace("{id}", productRoute ? device.id : ownDevice.id);
            for (Map.Entry<String, String> v : values.entrySet()) {
                if (v.getKey().startsWith("{") || v.getKey().startsWith("<")) path = path.replace(v.getKey(), v.getValue());
            }
            return path;
        }

        Api.Response send(Api api, String route) {
            String method = route.substring(0, route.indexOf(' '));
            HttpRequest.Builder b = api.request(path(route)).header("Content-Type", "application/json");
            return api.send(method.equals("GET") ? b.GET() : b.method(method, HttpRequest.BodyPublishers.ofString("{}")));
        }

        int call(Api api, String route, boolean stream) {
            if (!stream) return send(api, route).status();
            try (SseStream s = SseStream.open(cloud.baseUrl(), path(route), api.token())) {
                return s.status();
            }
        }
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
