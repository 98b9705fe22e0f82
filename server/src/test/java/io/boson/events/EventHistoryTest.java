package io.boson.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Event history on one node: SSE ids, resuming with Last-Event-ID (header or parameter), the
 * history API with its range and pages, retention, and isolation between tenants.
 */
class EventHistoryTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static TestCloud cloud;

    @BeforeAll
    static void start() {
        cloud = TestCloud.start();
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    static void publish(Api api, long product, String name) {
        Api.Response r = api.postJson("/v1/products/" + product + "/events", Map.of("name", name, "data", name + "-data"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    static List<String> names(List<SseStream.Received> rs) {
        return rs.stream().map(SseStream.Received::name).toList();
    }

    @Test
    void everyEventHasAnIdAndAStreamResumesRightAfterTheOneItNames() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Ids");
        String path = "/v1/products/" + product + "/events";
        String afterSecond;
        try (SseStream s = SseStream.open(cloud.baseUrl(), path, owner.token())) {
            for (int i = 1; i <= 5; i++) publish(owner, product, "e" + i);
            List<SseStream.Received> got = s.upTo("e5", WAIT);
            assertThat(names(got)).containsExactly("e1", "e2", "e3", "e4", "e5");
            assertThat(got).allSatisfy(r -> assertThat(r.id()).matches("[0-9]+"));
            assertThat(got.stream().map(r -> Long.parseLong(r.id())).toList()).isSorted().doesNotHaveDuplicates();
            afterSecond = got.get(1).id();
        }
        // The header, as EventSource sends it: what came after e2, then live events, each once.
        try (SseStream s = SseStream.open(cloud.baseUrl(), path, owner.token(), afterSecond)) {
            assertThat(names(s.upTo("e5", WAIT))).containsExactly("e3", "e4", "e5");
            publish(owner, product, "e6");
            assertThat(names(s.upTo("e6", WAIT))).containsExactly("e6");
        }
        // The parameter, for clients that cannot set headers; the stream's name prefix still applies.
        try (SseStream s = SseStream.open(cloud.baseUrl(), path + "/e?last_event_id=" + afterSecond, owner.token())) {
            assertThat(names(s.upTo("e6", WAIT))).containsExactly("e3", "e4", "e5", "e6");
        }
        try (SseStream s = SseStream.open(cloud.baseUrl(), path + "/e4", owner.token(), afterSecond)) {
            publish(owner, product, "e4-live");
            assertThat(names(s.upTo("e4-live", WAIT))).containsExactly("e4", "e4-live");
        }
        // Without an id, a stream is live only, as before.
        try (SseStream s = SseStream.open(cloud.baseUrl(), path, owner.token())) {
            publish(owner, product, "e7");
            assertThat(names(s.upTo("e7", WAIT))).containsExactly("e7");
        }
    }

    @Test
    void aClientAwayFiveSecondsAtAHundredEventsASecondGetsEveryEventOnce() throws Exception {
        ResumeScenario.run(cloud, cloud, cloud);
    }

    @Test
    void aDeviceStreamResumesWithTheDevicesEventsOnly() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "Device resume");
        try (TestDevice d1 = TestDevice.connect(cloud, cloud.productDevice(owner, product));
             TestDevice d2 = TestDevice.connect(cloud, cloud.productDevice(owner, product))) {
            String path = "/v1/products/" + product + "/devices/" + d1.id + "/events/r";
            String id;
            try (SseStream s = SseStream.open(cloud.baseUrl(), path, owner.token())) {
                assertThat(d1.publish("r1", "x").getCode()).isZero();
                id = s.next("r1", WAIT).id();
            }
            assertThat(d2.publish("r2", "other device").getCode()).isZero();
            assertThat(d1.publish("r3", "x").getCode()).isZero();
            try (SseStream s = SseStream.open(cloud.baseUrl(), path, owner.token(), id)) {
                assertThat(d1.publish("r4", "x").getCode()).isZero();
                assertThat(names(s.upTo("r4", WAIT))).containsExactly("r3", "r4");
            }
        }
    }

    @Test
    void anOrganizationsStreamResumesAcrossItsOwnAndItsProductsScopes() {
        Api owner = cloud.newUser();
        String org = owner.postJson("/v1/orgs", Map.of("name", "Resume Org " + System.nanoTime())).json()
                .get("organization").get("slug").asText();
        long product = owner.postJson("/v1/orgs/" + org + "/products", Map.of("product", Map.of("name", "Org product",
                "platform_id", 13))).json().get("product").get("id").asLong();
        String path = "/v1/orgs/" + org + "/events";
        String id;
        try (SseStream s = SseStream.open(cloud.baseUrl(), path, owner.token())) {
            publish(owner, product, "p1");
            assertThat(owner.postJson(path, Map.of("name", "o1")).status()).isEqualTo(200);
            List<SseStream.Received> got = s.upTo("o1", WAIT);
            assertThat(names(got)).containsExactly("p1", "o1");
            id = s.lastEventId();
            assertThat(id).as("the org's own scope bare, the product's named").contains("p" + product + ":");
        }
        publish(owner, product, "p2");
        assertThat(owner.postJson(path, Map.of("name", "o2")).status()).isEqualTo(200);
        // An org-wide event also goes to each product's scope; the org stream gets it once, from its own.
        try (SseStream s = SseStream.open(cloud.baseUrl(), path, owner.token(), id)) {
            assertThat(owner.postJson(path, Map.of("name", "o3")).status()).isEqualTo(200);
            assertThat(names(s.upTo("o3", WAIT))).containsExactly("p2", "o2", "o3");
        }
    }

    @Test
    void historyListsARangeNewestFirstInPages() {
        Api owner = cloud.newUser();
        long product = cloud.newProduct(owner, "History");
        try (TestDevice d1 = TestDevice.connect(cloud, cloud.productDevice(owner, product));
             TestDevice d2 = TestDevice.connect(cloud, cloud.productDevice(owner, product))) {
            Instant t0 = cloud.clock.instant();
            for (int i = 1; i <= 5; i++) {
                TestDevice d = i % 2 == 1 ? d1 : d2;
                assertThat(d.publish("h" + i, "v" + i).getCode()).isZero();
                cloud.clock.advance(Duration.ofMinutes(1));
            }
            String base = "/v1/products/" + product + "/event-history";
            Api.Response page1 = owner.get(base + "?limit=2");
            assertThat(page1.status()).as(page1.toString()).isEqualTo(200);
            assertThat(eventNames(page1.json(), "h")).containsExactly("h5", "h4");
            JsonNode first = page1.json().get("events").get(0);
            assertThat(first.get("data").asText()).isEqualTo("v5");
            assertThat(first.get("coreid").asText()).isEqualTo(d1.id);
            assertThat(first.get("productID").asLong()).isEqualTo(product);
            assertThat(Instant.parse(first.get("published_at").asText())).isEqualTo(t0.plus(Duration.ofMinutes(4)));
            // Device connect events (spark/status) are history too; page by name-agnostic ids.
            List<String> all = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            String before = null;
            int pages = 0;
            do {
                Api.Response r = owner.get(base + "?limit=2" + (before == null ? "" : "&before=" + before));
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.json().get("events").size()).isLessThanOrEqualTo(2);
                r.json().get("events").forEach(e -> {
                    all.add(e.get("name").asText());
                    ids.add(e.get("id").asText());
                });
                before = r.json().get("next_before").isNull() ? null : r.json().get("next_before").asText();
                pages++;
            } while (before != null && pages < 20);
            assertThat(before).isNull();
            assertThat(all.stream().filter(n -> n.startsWith("h")).toList()).containsExactly("h5", "h4", "h3", "h2", "h1");
            assertThat(ids).doesNotHaveDuplicates();
            assertThat(ids.stream().map(Long::parseLong).toList()).isSortedAccordingTo(java.util.Comparator.reverseOrder());

            Api.Response range = owner.get(base + "?from=" + t0.plus(Duration.ofMinutes(1)) + "&to="
                    + t0.plus(Duration.ofMinutes(3)).toEpochMilli());
            assertThat(eventNames(range.json(), "h")).containsExactly("h3", "h2");

            Api.Response device = owner.get("/v1/products/" + product + "/devices/" + d1.id + "/event-history?from=" + t0);
            assertThat(device.status()).as(device.toString()).isEqualTo(200);
            assertThat(eventNames(device.json(), "h")).containsExactly("h5", "h3", "h1");
            assertThat(device.json().get("events")).allSatisfy(e -> assertThat(e.get("coreid").asText()).isEqualTo(d1.id));
            Api.Response inProduct = owner.get("/v1/products/" + product + "/devices/" + d2.id + "/event-history");
            assertThat(eventNames(inProduct.json(), "h")).containsExactly("h4", "h2");

            assertThat(owner.get(base + "?limit=0").status()).isEqualTo(400);
            assertThat(owner.get(base + "?limit=1001").status()).isEqualTo(400);
            assertThat(owner.get(base + "?from=yesterday").status()).isEqualTo(400);
            assertThat(owner.get(base + "?before=abc").status()).isEqualTo(400);
            Api.Response reversed = owner.get(base + "?from=" + t0.plusSeconds(60) + "&to=" + t0);
            assertThat(reversed.status()).isEqualTo(400);
            assertThat(reversed.json().has("error")).isTrue();
        }
    }

    static List<String> eventNames(JsonNode page, String prefix) {
        List<String> out = new ArrayList<>();
        page.get("events").forEach(e -> {
            if (e.get("name").asText().startsWith(prefix)) out.add(e.get("name").asText());
        });
        return out;
    }

    @Test
    void eventsOlderThanTheRetentionArePruned() {
        try (TestCloud own = TestCloud.start(b -> b.eventRetention(Duration.ofHours(24)))) {
            Api owner = own.newUser();
            long product = own.newProduct(owner, "Retention");
            String path = "/v1/products/" + product + "/events";
            String oldId;
            try (SseStream s = SseStream.open(own.baseUrl(), path, owner.token())) {
                publish(owner, product, "old1");
                publish(owner, product, "old2");
                oldId = s.next("old1", WAIT).id();
            }
            own.clock.advance(Duration.ofHours(23));
            publish(owner, product, "kept");
            own.clock.advance(Duration.ofHours(2)); // old1 and old2 are 25 h old, "kept" 2 h
            publish(owner, product, "new");
            own.boson().eventHistory().flush();
            assertThat(own.boson().eventHistory().prune()).isEqualTo(2);
            Api.Response all = owner.get("/v1/products/" + product + "/event-history?from=0");
            assertThat(eventNames(all.json(), "")).containsExactly("new", "kept");
            // A stream resuming from a pruned event gets what is still kept, then live events.
            try (SseStream s = SseStream.open(own.baseUrl(), path, owner.token(), oldId)) {
                publish(owner, product, "live");
                assertThat(names(s.upTo("live", WAIT))).containsExactly("kept", "new", "live");
            }
        }
    }

    @Test
    void aBusyFleetsEventsAreWrittenBeforeTheIntervalIsUpEachOnceAndFoundByDevice() {
        // An interval no test waits for: only the number of events waiting can start this flush.
        try (TestCloud own = TestCloud.start(b -> b.eventFlushInterval(Duration.ofHours(1)))) {
            Api owner = own.newUser();
            long product = own.newProduct(owner, "Busy");
            String scope = io.boson.devices.Scope.product(product);
            EventHistory history = own.boson().eventHistory();
            int devices = 500;
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < EventHistory.FLUSH_AT - 1; i++) {
                String device = String.format("%024x", i % devices);
                history.publish(new Event("busy", Integer.toString(i), false, 60, own.clock.millis(), device, scope,
                        (int) product, device), ids::add);
            }
            assertThat(history.queued()).isEqualTo(EventHistory.FLUSH_AT - 1);
            history.publish(new Event("busy", "last", false, 60, own.clock.millis(), "api", scope, (int) product, null), ids::add);
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> history.queued() == 0);

            // Written sorted by device, listed in id order: every event once, none lost. (The test clock
            // stands still, so these ids run ahead of it: the range ends an hour on.)
            String to = Long.toString(own.clock.millis() + 3_600_000);
            List<Long> listed = new ArrayList<>();
            Long before = null;
            do {
                EventHistory.Page page = history.list(new EventService.Filter(scope, null, null), "0", to,
                        before == null ? null : before.toString(), "1000");
                page.events().forEach(e -> listed.add(e.id()));
                before = page.nextBefore();
            } while (before != null);
            assertThat(listed).hasSize(EventHistory.FLUSH_AT).doesNotHaveDuplicates()
                    .isSortedAccordingTo(java.util.Comparator.reverseOrder());
            assertThat(new java.util.HashSet<>(listed)).isEqualTo(new java.util.HashSet<>(ids));
            // One device's page, by the index the flush wrote in its order.
            String device = String.format("%024x", 7);
            EventHistory.Page mine = history.list(new EventService.Filter(scope, device, null), "0", to, null, "1000");
            assertThat(mine.events()).hasSize(EventHistory.FLUSH_AT / devices)
                    .allSatisfy(e -> assertThat(e.event().coreid()).isEqualTo(device));
        }
    }

    @Test
    void noOneResumesIntoOrListsAnothersEvents() {
        Api alice = cloud.newUser();
        Api bob = cloud.newUser();
        long aliceProduct = cloud.newProduct(alice, "Alice's");
        try (TestDevice aliceDevice = cloud.claimedDevice(alice)) {
            String aliceId;
            try (SseStream s = SseStream.open(cloud.baseUrl(), "/v1/devices/events/secret", alice.token())) {
                assertThat(aliceDevice.publish("secret-1", "alice's").getCode()).isZero();
                aliceId = s.next("secret-1", WAIT).id();
            }
            assertThat(aliceDevice.publish("secret-2", "alice's").getCode()).isZero();
            publish(alice, aliceProduct, "secret-3");
            // Bob's own stream with Alice's id, and with an id naming Alice's product scope: only Bob's events.
            for (String id : List.of(aliceId, "p" + aliceProduct + ":1", aliceId + ".p" + aliceProduct + ":1")) {
                try (SseStream s = SseStream.open(cloud.baseUrl(), "/v1/devices/events", bob.token(), id)) {
                    assertThat(s.status()).isEqualTo(200);
                    assertThat(bob.postJson("/v1/devices/events", Map.of("name", "bobs")).status()).isEqualTo(200);
                    assertThat(names(s.upTo("bobs", WAIT))).containsExactly("bobs");
                }
            }
            // Alice's own resume does get them.
            try (SseStream s = SseStream.open(cloud.baseUrl(), "/v1/devices/events/secret", alice.token(), aliceId)) {
                assertThat(names(s.upTo("secret-2", WAIT))).containsExactly("secret-2");
            }
            // Someone else's device: refused as its stream and the device itself are (Particle answers 403).
            try (SseStream s = SseStream.open(cloud.baseUrl(), "/v1/devices/" + aliceDevice.id + "/events", bob.token())) {
                assertThat(s.status()).isEqualTo(403);
            }
            assertThat(bob.get("/v1/devices/" + aliceDevice.id + "/event-history").status()).isEqualTo(403);
            assertThat(bob.get("/v1/products/" + aliceProduct + "/event-history").status()).isEqualTo(404);
            assertThat(bob.get("/v1/products/" + aliceProduct + "/devices/" + aliceDevice.id + "/event-history").status())
                    .isEqualTo(404);
            assertThat(alice.get("/v1/devices/" + aliceDevice.id + "/event-history").status()).isEqualTo(200);
            // No token: as every API without one (Particle's 400 invalid_request).
            assertThat(cloud.anonymous().get("/v1/products/" + aliceProduct + "/event-history").status())
                    .isEqualTo(cloud.anonymous().get("/v1/products/" + aliceProduct).status()).isBetween(400, 401);
        }
    }

    @Test
    void anIdThatIsNotOursIsRefusedBeforeTheStreamOpens() {
        Api user = cloud.newUser();
        for (String bad : List.of("abc", "12.x", "1:2", "99999999999999999999")) {
            try (SseStream s = SseStream.open(cloud.baseUrl(), "/v1/devices/events", user.token(), bad)) {
                assertThat(s.status()).as(bad).isEqualTo(400);
            }
        }
    }
}
