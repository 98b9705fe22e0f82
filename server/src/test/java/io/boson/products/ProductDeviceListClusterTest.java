package io.boson.products;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two nodes on one PostgreSQL schema: page starts one node remembered are not used after the other
 * node changed the product's devices, and both read the same total. Runs in the PostgreSQL pass
 * (skipped when NATS is missing).
 */
class ProductDeviceListClusterTest {

    @Test
    void pagesAndTotalsStayExactWhenAnotherNodeChangesTheProduct() {
        assumeTrue("postgres".equals(System.getProperty("boson.test.db")), "the cluster test runs in the PostgreSQL pass");
        try (TestCloud a = TestCloud.startCluster("list-a"); TestCloud b = a.join("list-b")) {
            Api onA = a.newUser();
            Api onB = b.again(onA);
            long p = a.newProduct(onA, "clustered list");
            List<String> ids = a.registerDevices(40).stream().map(TestCloud.Credentials::id).toList();
            List<String> members = new ArrayList<>(ids.subList(0, 30));
            assertThat(onA.postJson("/v1/products/" + p + "/devices", Map.of("ids", members)).status()).isEqualTo(200);
            assertSlices(onB, p, members); // node B remembers where its pages start
            List<String> sorted = members.stream().sorted().toList();
            assertThat(onA.delete("/v1/products/" + p + "/devices/" + sorted.get(2)).status()).isEqualTo(204);
            members.remove(sorted.get(2));
            assertSlices(onB, p, members);
            assertThat(onA.postJson("/v1/products/" + p + "/devices", Map.of("ids", ids.subList(30, 40))).status()).isEqualTo(200);
            members.addAll(ids.subList(30, 40));
            assertSlices(onB, p, members);
            assertSlices(onA, p, members);
        }
    }

    private static void assertSlices(Api api, long p, List<String> members) {
        List<String> sorted = members.stream().sorted().toList();
        for (int page = 1; page <= 5; page++) {
            JsonNode body = api.get("/v1/products/" + p + "/devices?per_page=4&page=" + page).json();
            List<String> got = new ArrayList<>();
            body.get("devices").forEach(d -> got.add(d.get("id").asText()));
            int from = Math.min(sorted.size(), (page - 1) * 4);
            assertThat(got).as("page " + page).isEqualTo(sorted.subList(from, Math.min(sorted.size(), from + 4)));
            assertThat(body.get("meta").get("total").asLong()).isEqualTo(members.size());
        }
    }
}
