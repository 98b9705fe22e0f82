package io.boson.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Particle's API limits, per client address and per token, with 429 {@code rate_limit_exceeded}, a
 * Retry-After that is right (the clock moved by it lets the next request through) and the limit
 * named; and the same limits held across two nodes.
 */
class ApiLimitsTest {

    @Test
    void theDefaultsAreParticles() {
        ApiLimits particle = ApiLimits.particle();
        assertThat(particle.requestsPerWindow()).isEqualTo(10_000);
        assertThat(particle.oauthPerWindow()).isEqualTo(100);
        assertThat(particle.streamOpensPerWindow()).isEqualTo(100);
        assertThat(particle.streamsOpenAtOnce()).isEqualTo(100);
        assertThat(particle.window()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void tokenRequestsAreLimitedPerAddressAndRetryAfterIsRight() {
        try (TestCloud cloud = TestCloud.start(b -> b.apiLimits(ApiLimits.particle()))) {
            // TestCloud logged the admin in once already.
            for (int i = 1; i < 100; i++) {
                assertThat(login(cloud).status()).as("token request %d", i + 1).isEqualTo(200);
            }
            Api.Response refused = login(cloud);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.json().path("error").asText()).isEqualTo("rate_limit_exceeded");
            assertThat(refused.json().path("error_description").asText())
                    .contains("token requests by address").contains("100 per 5 minutes");
            long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
            assertThat(retryAfter).isBetween(1L, 600L);

            cloud.clock.advance(Duration.ofSeconds(retryAfter - 1));
            assertThat(login(cloud).status()).as("a second early").isEqualTo(429);
            cloud.clock.advance(Duration.ofSeconds(1));
            assertThat(login(cloud).status()).as("after Retry-After").isEqualTo(200);
            // Other calls from the address are not token requests: they still work.
            assertThat(cloud.admin().get("/v1/user").status()).isEqualTo(200);
        }
    }

    @Test
    void requestsAreLimitedPerAddressAndPerToken() throws Exception {
        int max = 300;
        try (TestCloud cloud = TestCloud.start(b -> b.apiLimits(new ApiLimits(max, 0, 0, 0, ApiLimits.PARTICLE_WINDOW)))) {
            Api alice = cloud.newUser();
            HttpClient second = from("127.0.0.2");
            HttpClient third = from("127.0.0.3");
            int used = (int) cloud.boson().requestLimits().requestsFrom("127.0.0.1");
            // Alice's token, half of its limit from each of two addresses (neither reaches its own limit)...
            for (int i = 0; i < max / 2; i++) {
                assertThat(status(second, cloud, alice.token())).isEqualTo(200);
                assertThat(status(third, cloud, alice.token())).isEqualTo(200);
            }
            // ...is now held from any address, while another token from those addresses still works.
            HttpResponse<String> held = send(from("127.0.0.4"), cloud, alice.token());
            assertThat(held.statusCode()).isEqualTo(429);
            assertThat(held.body()).contains("requests with this access token").contains("300 per 5 minutes");
            assertThat(status(second, cloud, cloud.admin().token())).isEqualTo(200);

            // 127.0.0.1 reaches the address limit with any token.
            int fromHere = (int) cloud.boson().requestLimits().requestsFrom("127.0.0.1");
            assertThat(fromHere).isGreaterThanOrEqualTo(used);
            Api bob = cloud.newUser();
            Api.Response last = null;
            for (int i = 0; i <= max; i++) {
                last = bob.get("/v1/user");
                if (last.status() == 429) break;
            }
            assertThat(last.status()).isEqualTo(429);
            assertThat(last.json().path("error_description").asText()).contains("requests by address").contains("300 per 5 minutes");
            assertThat(cloud.boson().requestLimits().requestsFrom("127.0.0.1")).isEqualTo(max);
        }
    }

    @Test
    void eventStreamsOpenAtOnceAreLimitedPerAddress() {
        try (TestCloud cloud = TestCloud.start(b -> b.apiLimits(new ApiLimits(0, 0, 0, 5, ApiLimits.PARTICLE_WINDOW)))) {
            Api user = cloud.newUser();
            List<SseStream> open = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    SseStream s = SseStream.open(cloud.baseUrl(), "/v1/devices/events", user.token());
                    assertThat(s.status()).isEqualTo(200);
                    open.add(s);
                }
                Api.Response sixth = user.get("/v1/devices/events");
                assertThat(sixth.status()).isEqualTo(429);
                assertThat(sixth.headers().firstValue("Retry-After")).isPresent();
                assertThat(sixth.json().path("error_description").asText()).contains("event streams open").contains("at most 5");
                // Publishing is not a stream.
                assertThat(user.postJson("/v1/devices/events", Map.of("name", "x", "data", "y")).status()).isEqualTo(200);

                // Once one closes (the server notices at its next keep-alive), another may open.
                open.remove(0).close();
                await().atMost(Duration.ofSeconds(15)).until(() -> {
                    SseStream s = SseStream.open(cloud.baseUrl(), "/v1/devices/events", user.token());
                    if (s.status() == 200) open.add(s);
                    else s.close();
                    return s.status() == 200;
                });
            } finally {
                open.forEach(SseStream::close);
            }
        }
    }

    @Test
    void eventStreamsOpenedAreLimitedPerWindow() {
        try (TestCloud cloud = TestCloud.start(b -> b.apiLimits(new ApiLimits(0, 0, 3, 0, ApiLimits.PARTICLE_WINDOW)))) {
            Api user = cloud.newUser();
            for (int i = 0; i < 3; i++) {
                try (SseStream s = SseStream.open(cloud.baseUrl(), "/v1/devices/events", user.token())) {
                    assertThat(s.status()).isEqualTo(200);
                }
            }
            Api.Response fourth = user.get("/v1/devices/events");
            assertThat(fourth.status()).isEqualTo(429);
            assertThat(fourth.json().path("error_description").asText())
                    .contains("event streams opened by address").contains("3 per 5 minutes");
            long retryAfter = Long.parseLong(fourth.headers().firstValue("Retry-After").orElseThrow());
            cloud.clock.advance(Duration.ofSeconds(retryAfter));
            try (SseStream s = SseStream.open(cloud.baseUrl(), "/v1/devices/events", user.token())) {
                assertThat(s.status()).isEqualTo(200);
            }
        }
    }

    @Test
    void twoNodesHoldOneLimit() {
        assumeTrue("postgres".equals(System.getProperty("boson.test.db")), "the cluster test runs in the PostgreSQL pass");
        int max = 200;
        try (TestCloud a = TestCloud.startCluster("limits-a", b -> b.apiLimits(new ApiLimits(max, 0, 0, 0, ApiLimits.PARTICLE_WINDOW)));
             TestCloud b = a.join("limits-b")) {
            Api onA = a.admin();
            int before = (int) a.boson().requestLimits().requestsFrom("127.0.0.1");
            for (int i = before; i < 150; i++) assertThat(onA.get("/v1/user").status()).isEqualTo(200);
            long countedOnA = a.boson().requestLimits().requestsFrom("127.0.0.1");
            a.boson().requestLimits().share();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> b.boson().requestLimits().requestsFrom("127.0.0.1") >= countedOnA);
            // B knows what A served: only the rest of the limit is left for B.
            Api onB = b.admin();
            int acceptedOnB = 0;
            while (onB.get("/v1/user").status() == 200) acceptedOnB++;
            long countedOnB = b.boson().requestLimits().requestsFrom("127.0.0.1");
            assertThat(countedOnB).isEqualTo(max);
            assertThat(acceptedOnB).isLessThanOrEqualTo(max - (int) countedOnA);
        }
    }

    private static Api.Response login(TestCloud cloud) {
        return cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "password", "username", TestCloud.ADMIN,
                "password", TestCloud.ADMIN_PASSWORD, "client_id", "particle", "client_secret", "particle"));
    }

    private static HttpClient from(String address) throws java.net.UnknownHostException {
        return HttpClient.newBuilder().localAddress(InetAddress.getByName(address)).build();
    }

    private static int status(HttpClient client, TestCloud cloud, String token) throws Exception {
        return send(client, cloud, token).statusCode();
    }

    private static HttpResponse<String> send(HttpClient client, TestCloud cloud, String token) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(cloud.baseUrl() + "/v1/user"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
