package io.boson.products;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The product device list reads pages in device-ID order from remembered page starts and takes the
 * total from the product's stored count: every page must still be exactly the slice OFFSET would
 * give, and every total exact, also after devices joined and left between two requests.
 */
class ProductDeviceListTest extends CloudTest {

    @Test
    void pagesByIdAreTheOffsetSlicesAcrossImportsAndRemovals() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Keyset");
        List<String> registered = ids(cloud.registerDevices(140));
        List<String> members = new ArrayList<>(registered.subList(0, 100));
        assertThat(importIds(owner, p, members)).isEqualTo(100);

        assertPagesMatch(owner, p, members, 7);
        // A page asked for directly, twice (the second from its remembered start), and the pages after it.
        for (int page : List.of(9, 9, 10, 15, 4)) assertPage(owner, p, members, 6, page, false);
        for (int page : List.of(12, 12, 3)) assertPage(owner, p, members, 6, page, true);

        // Devices leave from before, inside and after remembered pages; others join.
        List<String> sorted = members.stream().sorted().toList();
        for (String gone : List.of(sorted.get(0), sorted.get(40), sorted.get(55), sorted.get(99))) {
            assertThat(owner.delete("/v1/products/" + p + "/devices/" + gone).status()).isEqualTo(204);
            members.remove(gone);
            for (int page : List.of(9, 10, 15)) assertPage(owner, p, members, 6, page, false);
            assertPage(owner, p, members, 6, 12, true);
        }
        List<String> joining = registered.subList(100, 140);
        assertThat(importIds(owner, p, joining)).isEqualTo(40);
        members.addAll(joining);
        for (int page : List.of(9, 10, 15, 23, 24)) assertPage(owner, p, members, 6, page, false);
        assertPage(owner, p, members, 6, 12, true);
        assertPagesMatch(owner, p, members, 7);
        // A re-import adds nothing and changes no page.
        assertThat(importIds(owner, p, joining)).isZero();
        assertPage(owner, p, members, 6, 10, false);
    }

    @Test
    void pagesOfAnIdPrefixAreTheOffsetSlices() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Prefix");
        List<String> members = ids(cloud.registerDevices(60));
        importIds(owner, p, members);
        String prefix = members.get(0).substring(0, 1);
        List<String> matching = members.stream().filter(id -> id.startsWith(prefix)).sorted().toList();
        for (int page = 1; page <= matching.size() + 1; page++) {
            JsonNode body = owner.get("/v1/products/" + p + "/devices?per_page=1&page=" + page + "&deviceId=" + prefix).json();
            assertThat(idsOf(body)).isEqualTo(page <= matching.size() ? List.of(matching.get(page - 1)) : List.of());
            assertThat(body.get("meta").get("total").asLong()).isEqualTo(matching.size());
        }
    }

    @Test
    void theTotalFollowsImportsAndRemovals() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Counted");
        String devices = "/v1/products/" + p + "/devices";
        assertThat(total(owner, devices)).isZero();
        List<String> ids = ids(cloud.registerDevices(30));
        importIds(owner, p, ids.subList(0, 20));
        assertThat(total(owner, devices)).isEqualTo(20);
        importIds(owner, p, ids); // 10 new, 20 existing
        assertThat(total(owner, devices)).isEqualTo(30);
        owner.delete(devices + "/" + ids.get(3));
        assertThat(owner.delete(devices + "/" + ids.get(3)).status()).isEqualTo(400); // not in the product any more
        assertThat(total(owner, devices)).isEqualTo(29);
        // Removed devices come back by import only, and count again.
        importIds(owner, p, List.of(ids.get(3)));
        assertThat(total(owner, devices)).isEqualTo(30);
        // Filtered totals are counted.
        assertThat(owner.get(devices + "?deviceId=" + ids.get(5)).json().get("meta").get("total").asLong()).isEqualTo(1);
    }

    @Test
    void devicesWithoutANameOrAConnectionComeLastInBothDirections() throws Exception {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Sorted");
        List<TestCloud.Credentials> creds = cloud.registerDevices(7);
        List<String> ids = ids(creds);
        importIds(owner, p, ids);
        String devices = "/v1/products/" + p + "/devices";
        List<String> named = List.of(ids.get(4), ids.get(1), ids.get(6));
        for (int i = 0; i < named.size(); i++) {
            assertThat(owner.putJson(devices + "/" + named.get(i), Map.of("name", "n-" + i)).status()).isEqualTo(200);
        }
        List<String> unnamed = ids.stream().filter(id -> !named.contains(id)).sorted().toList();
        assertThat(walk(owner, devices + "?sortAttr=deviceName", 2)).isEqualTo(concat(named, unnamed));
        assertThat(walk(owner, devices + "?sortAttr=deviceName&sortDir=desc", 2))
                .isEqualTo(concat(named.reversed(), unnamed.reversed()));
        assertThat(owner.get(devices + "?sortAttr=deviceName&per_page=2&page=3").json().get("devices").size()).isEqualTo(2);

        List<String> heard = List.of(ids.get(2), ids.get(5));
        for (String id : heard) {
            TestCloud.Credentials c = creds.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
            try (TestDevice ignored = TestDevice.connect(cloud, c)) {
                assertThat(owner.get(devices + "/" + id).json().get("last_heard").isNull()).isFalse();
            }
            // The disconnect is recorded in the background (with the time it is heard at): only once it is
            // may the clock move, or this device would be heard a minute later, at the same time as the next.
            await().atMost(Duration.ofSeconds(10)).until(() -> !owner.get(devices + "/" + id).json().get("online").asBoolean());
            cloud.clock.advance(Duration.ofMinutes(1));
        }
        List<String> neverHeard = ids.stream().filter(id -> !heard.contains(id)).sorted().toList();
        for (int perPage : List.of(1, 2, 3, 10)) {
            assertThat(walk(owner, devices + "?sortAttr=lastConnection", perPage)).isEqualTo(concat(heard, neverHeard));
            assertThat(walk(owner, devices + "?sortAttr=lastConnection&sortDir=desc", perPage))
                    .isEqualTo(concat(heard.reversed(), neverHeard.reversed()));
        }
        // With a filter, the same order within the filter.
        assertThat(idsOf(owner.get(devices + "?sortAttr=lastConnection&sortDir=desc&deviceName=n-").json()))
                .isEqualTo(named.stream().sorted().toList().reversed());
    }

    @Test
    void aGroupFilterReadFromItsMembersListsWhatTheWalkOfTheProductLists() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Grouped");
        long other = cloud.newProduct(owner, "Elsewhere");
        List<String> ids = ids(cloud.registerDevices(24)).stream().sorted().toList();
        List<String> outside = ids(cloud.registerDevices(3));
        importIds(owner, p, ids);
        importIds(owner, other, outside);
        String devices = "/v1/products/" + p + "/devices";
        List<String> east = new ArrayList<>();
        List<String> west = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (i % 2 == 0) east.add(ids.get(i));
            if (i % 3 == 0) west.add(ids.get(i));
            if (i % 4 == 0) assertThat(owner.putJson(devices + "/" + ids.get(i), Map.of("name", "n-" + (50 - i))).status()).isEqualTo(200);
        }
        groups(owner, devices, east, "east");
        groups(owner, devices, west, "west");
        // The same group name in another product: not this product's members.
        groups(owner, "/v1/products/" + other + "/devices", outside, "east");

        org.jdbi.v3.core.Jdbi jdbi = cloud.boson().database().jdbi();
        // Some devices heard (the last-connection sort puts them first, the rest after in ID order).
        for (int i : List.of(0, 3, 4, 9)) {
            int at = i;
            jdbi.useHandle(h -> h.createUpdate("UPDATE devices SET last_heard = ? WHERE id = ?").bind(0, 1_000L + at % 5).bind(1, ids.get(at))
                    .execute());
        }
        boolean h2 = !cloud.boson().database().postgres();
        ProductDeviceListing members = new ProductDeviceListing(h2, 10_000);
        ProductDeviceListing walk = new ProductDeviceListing(h2, 0);
        ProductDeviceListing tooFew = new ProductDeviceListing(h2, east.size() - 1); // the group outgrows the limit: the walk
        int queries = 0;
        for (String groups : List.of("east", "east,west", "west", "nowhere")) {
            for (String sort : List.of("deviceId", "deviceName", "lastConnection")) {
                for (String dir : List.of("asc", "desc")) {
                    for (String[] filter : List.<String[]>of(new String[] {null, null}, new String[] {null, "n-"},
                            new String[] {ids.get(6).substring(0, 1), null})) {
                        for (int page = 1; page <= 4; page++) {
                            ProductDeviceQuery q = ProductDeviceQuery.of(filter[0], filter[1], groups, sort, dir, String.valueOf(page), "5");
                            ProductDeviceRepository.Page expected = jdbi.withHandle(h -> walk.list(h, p, q));
                            String what = groups + " " + sort + " " + dir + " " + java.util.Arrays.toString(filter) + " page " + page;
                            assertThat(pageIds(jdbi.withHandle(h -> members.list(h, p, q)))).as(what).isEqualTo(pageIds(expected));
                            assertThat(jdbi.withHandle(h -> members.list(h, p, q)).total()).as(what).isEqualTo(expected.total());
                            assertThat(pageIds(jdbi.withHandle(h -> tooFew.list(h, p, q)))).as(what).isEqualTo(pageIds(expected));
                            queries++;
                        }
                    }
                }
            }
        }
        assertThat(queries).isEqualTo(4 * 3 * 2 * 3 * 4);
        // And what they list is right.
        List<String> eastOrWest = Stream.concat(east.stream(), west.stream()).distinct().sorted().toList();
        assertThat(walk(owner, devices + "?groups=east,west", 5)).isEqualTo(eastOrWest);
        assertThat(owner.get(devices + "?groups=east,west").json().get("meta").get("total").asLong()).isEqualTo(eastOrWest.size());
        assertThat(walk(owner, devices + "?groups=east&sortDir=desc", 4)).isEqualTo(east.reversed());
        List<String> namedEast = east.stream().filter(id -> ids.indexOf(id) % 4 == 0).toList();
        // Heard: 0 at 1000, 3 at 1003, 4 and 9 at 1004 (a tie: by ID); the others after them.
        assertThat(walk(owner, devices + "?groups=east,west&sortAttr=lastConnection&sortDir=desc", 4))
                .startsWith(ids.get(9), ids.get(4), ids.get(3), ids.get(0)).hasSize(eastOrWest.size());
        assertThat(walk(owner, devices + "?groups=east&sortAttr=deviceName", 3))
                .isEqualTo(concat(namedEast.reversed(), east.stream().filter(id -> !namedEast.contains(id)).toList()));
    }

    private static void groups(Api owner, String devices, List<String> ids, String group) {
        assertThat(owner.putJson(devices, Map.of("action", "groups", "devices", ids, "metadata", Map.of("add", List.of(group))))
                .status()).isEqualTo(200);
    }

    private static List<String> pageIds(ProductDeviceRepository.Page page) {
        return page.devices().stream().map(io.boson.devices.Device::id).toList();
    }

    // --- helpers ----------------------------------------------------------------------------------

    private static void assertPagesMatch(Api owner, long p, List<String> members, int perPage) {
        List<String> sorted = members.stream().sorted().toList();
        String devices = "/v1/products/" + p + "/devices";
        assertThat(walk(owner, devices + "?sortAttr=deviceId", perPage)).isEqualTo(sorted);
        assertThat(walk(owner, devices + "?sortDir=desc", perPage)).isEqualTo(sorted.reversed());
    }

    /** One page, against the slice of the sorted members that OFFSET gives, and the total. */
    private static void assertPage(Api owner, long p, List<String> members, int perPage, int page, boolean desc) {
        List<String> sorted = members.stream().sorted(desc ? Comparator.<String>reverseOrder() : Comparator.naturalOrder()).toList();
        int from = Math.min(sorted.size(), (page - 1) * perPage);
        JsonNode body = owner.get("/v1/products/" + p + "/devices?per_page=" + perPage + "&page=" + page
                + (desc ? "&sortDir=desc" : "")).json();
        assertThat(idsOf(body)).as("page %d of %d", page, perPage).isEqualTo(sorted.subList(from, Math.min(sorted.size(), from + perPage)));
        assertThat(body.get("meta").get("total").asLong()).isEqualTo(members.size());
    }

    /** Every page of a list, in order, until an empty one. */
    private static List<String> walk(Api owner, String path, int perPage) {
        List<String> all = new ArrayList<>();
        for (int page = 1; ; page++) {
            List<String> ids = idsOf(owner.get(path + "&per_page=" + perPage + "&page=" + page).json());
            if (ids.isEmpty()) return all;
            assertThat(ids.size()).isLessThanOrEqualTo(perPage);
            all.addAll(ids);
        }
    }

    private static long total(Api owner, String devices) {
        return owner.get(devices).json().get("meta").get("total").asLong();
    }

    private static int importIds(Api owner, long p, List<String> ids) {
        Api.Response r = owner.postJson("/v1/products/" + p + "/devices", Map.of("ids", ids));
        assertThat(r.status()).isEqualTo(200);
        return r.json().get("updated").asInt();
    }

    private static List<String> idsOf(JsonNode body) {
        List<String> ids = new ArrayList<>();
        body.get("devices").forEach(d -> ids.add(d.get("id").asText()));
        return ids;
    }

    private static List<String> ids(List<TestCloud.Credentials> creds) {
        return creds.stream().map(TestCloud.Credentials::id).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }
}
