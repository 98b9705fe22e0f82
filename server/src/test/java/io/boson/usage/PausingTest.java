package io.boson.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Free owner with Particle's numbers (100,000 Data Operations a month, 3 days of grace): warned
 * at 70, 90 and 100 %, paused after the grace period (refused at connect and at call, live sessions
 * closed), resumed by the next month or at once by a Growth block. Time moves by the test's clock.
 */
class PausingTest {

    static final int RECEIVERS = 40;
    static final Duration WAIT = Duration.ofSeconds(10);

    /** One owner's product: devices that only count the events they receive, and one that answers calls. */
    record Fleet(TestCloud cloud, Api owner, String base, long product, List<TestCloud.Credentials> creds,
                 List<Connections.Answer> receivers, AtomicLong received, TestCloud.Credentials callerCreds, TestDevice caller) {

        /** Data Operations per product event: one per receiving device. */
        long perEvent() {
            return RECEIVERS + 1;
        }

        /** Publishes product events until the owner's Data Operations reach {@code target}, then flushes. */
        void driveTo(long target) throws Exception {
            Usage.flush(cloud);
            long now = Usage.ownerOps(owner, base);
            long events = Math.max(0, (target - now + perEvent() - 1) / perEvent());
            long expectReceived = received.get() + events * RECEIVERS;
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    long share = events / 4 + (t < events % 4 ? 1 : 0);
                    done.add(pool.submit(() -> {
                        for (long i = 0; i < share; i++) {
                            Api.Response r = owner.postJson("/v1/products/" + product + "/events", Map.of("name", "load", "data", "1"));
                            if (r.status() != 200) throw new AssertionError(r.toString());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get(120, TimeUnit.SECONDS);
            } finally {
                pool.shutdown();
            }
            await().atMost(WAIT).until(() -> received.get() == expectReceived);
            Usage.flush(cloud);
        }
    }

    static Fleet fleet(TestCloud cloud, Api owner, String base, long product) {
        List<TestCloud.Credentials> creds = new ArrayList<>();
        List<Connections.Answer> receivers = new ArrayList<>();
        AtomicLong received = new AtomicLong();
        for (int i = 0; i < RECEIVERS; i++) {
            TestCloud.Credentials c = cloud.productDevice(owner, product);
            creds.add(c);
            receivers.add(Connections.receiver(cloud.mqttPort(), c, received));
        }
        TestCloud.Credentials callerCreds = cloud.productDevice(owner, product);
        TestDevice caller = TestDevice.connect(cloud, callerCreds);
        return new Fleet(cloud, owner, base, product, creds, receivers, received, callerCreds, caller);
    }

    static List<String> notices(Api caller, String base, String eventType) {
        String id = Usage.agreement(caller, base).get("id").asText();
        Api.Response r = caller.get(base + "/service_agreements/" + id + "/notifications");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (JsonNode n : r.json().get("data")) {
            JsonNode a = n.get("attributes");
            if (!a.get("event_type").asText().equals(eventType)) continue;
            out.add(a.get("resource_type").asText() + (a.get("threshold").isNull() ? "" : "@" + a.get("threshold").asText()));
        }
        return out;
    }

    @Test
    void aFreeOrgIsWarnedThenPausedAfterTheGracePeriodAndResumesNextMonth() throws Exception {
        try (TestCloud cloud = TestCloud.start(b -> b)) {
            Api owner = cloud.newUser();
            String org = Usage.newOrg(owner, "Free Org");
            String base = "/v1/orgs/" + org;
            long product = Usage.orgProduct(owner, org, "free product");
            Fleet fleet = fleet(cloud, owner, base, product);
            String fn = "/v1/products/" + product + "/devices/" + fleet.caller().id + "/led";
            try (SseStream usageEvents = SseStream.open(cloud.baseUrl(), base + "/events/spark/usage", owner.token())) {
                fleet.driveTo(69_950);
                assertThat(notices(owner, base, "usage_threshold")).isEmpty();
                fleet.driveTo(70_000);
                assertThat(notices(owner, base, "usage_threshold")).containsExactly("data_operations@70");
                fleet.driveTo(90_000);
                assertThat(notices(owner, base, "usage_threshold")).containsExactly("data_operations@90", "data_operations@70");
                fleet.driveTo(100_000);
                assertThat(notices(owner, base, "usage_threshold"))
                        .containsExactly("data_operations@100", "data_operations@90", "data_operations@70");
                for (int t : new int[]{70, 90, 100}) {
                    SseStream.Received e = usageEvents.next("spark/usage/threshold", WAIT);
                    assertThat(e.data().get("data").asText()).contains("\"threshold\":" + t).contains("data_operations");
                }
                assertThat(owner.get(base + "/audit").json().get("entries")).extracting(e -> e.get("action").asText())
                        .contains("usage.data_operations.70", "usage.data_operations.90", "usage.data_operations.100");

                // At 100 %: the grace period. Devices still talk.
                assertThat(owner.postJson(fn, Map.of("arg", "on")).status()).isEqualTo(200);
                cloud.clock.advance(Duration.ofDays(3).minusMinutes(5));
                Usage.flush(cloud);
                assertThat(owner.postJson(fn, Map.of("arg", "on")).status()).isEqualTo(200);
                assertThat(Usage.agreement(owner, base).get("attributes").get("state").asText()).isEqualTo("active");

                // Past the grace period: paused.
                cloud.clock.advance(Duration.ofMinutes(10));
                Usage.flush(cloud);
                usageEvents.next("spark/usage/paused", WAIT);
            }
            Throwable cause = fleet.caller().disconnectCause().get(10, TimeUnit.SECONDS);
            assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
            assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
                    .isEqualTo(Mqtt5DisconnectReasonCode.QUOTA_EXCEEDED);
            await().atMost(WAIT).until(() -> fleet.receivers().stream().noneMatch(r -> r.client().getState().isConnected()));
            Connections.Answer refused = Connections.connect(cloud.mqttPort(), fleet.creds().get(0));
            assertThat(refused.code()).isEqualTo(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED);
            assertThat(refused.reason()).contains("paused").contains("Data Operations");
            Api.Response call = owner.postJson(fn, Map.of("arg", "on"));
            assertThat(call.status()).as(call.toString()).isEqualTo(429);
            assertThat(call.json().get("error").asText()).contains("paused").contains("Data Operations");
            // The API itself keeps working: the owner sees why.
            JsonNode agreement = Usage.agreement(owner, base).get("attributes");
            assertThat(agreement.get("state").asText()).isEqualTo("paused");
            assertThat(agreement.get("current_usage_summary").get("communication_paused").asBoolean()).isTrue();
            assertThat(notices(owner, base, "communication_paused")).containsExactly("data_operations");

            // The next month resumes by itself.
            cloud.clock.advance(Duration.between(cloud.clock.instant(), Instant.parse("2026-12-01T00:05:00Z")));
            Connections.Answer back = Connections.connect(cloud.mqttPort(), fleet.creds().get(0));
            assertThat(back.accepted()).as(back.toString()).isTrue();
            back.close();
            try (TestDevice again = TestDevice.connect(cloud, fleet.callerCreds())) {
                assertThat(owner.postJson(fn, Map.of("arg", "on")).status()).isEqualTo(200);
            }
            assertThat(Usage.agreement(owner, base).get("attributes").get("current_billing_period_start").asText())
                    .isEqualTo("2026-12-01");
            fleet.receivers().forEach(Connections.Answer::close);
        }
    }

    @Test
    void addingAGrowthBlockResumesAtOnce() throws Exception {
        try (TestCloud cloud = TestCloud.start(b -> b)) {
            Api owner = cloud.newUser();
            long product = cloud.newProduct(owner, "paused product");
            Fleet fleet = fleet(cloud, owner, "/v1/user", product);
            fleet.driveTo(100_000);
            cloud.clock.advance(Duration.ofDays(3).plusMinutes(1));
            Usage.flush(cloud);
            Connections.Answer refused = Connections.connect(cloud.mqttPort(), fleet.creds().get(0));
            assertThat(refused.code()).isEqualTo(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED);

            // Only the platform admin assigns plans.
            String username = owner.get("/v1/user").json().get("username").asText();
            String planPath = "/v1/admin/usage/users/" + username + "/plan";
            assertThat(owner.putJson(planPath, Map.of("plan", "growth", "blocks", 1)).status()).isEqualTo(403);
            Api.Response upgraded = cloud.admin().putJson(planPath, Map.of("plan", "growth", "blocks", 1));
            assertThat(upgraded.status()).as(upgraded.toString()).isEqualTo(200);
            assertThat(upgraded.json().get("data").get("attributes").get("agreement_type").asText()).isEqualTo("growth");
            // At once: no tick, no waiting.
            Connections.Answer back = Connections.connect(cloud.mqttPort(), fleet.creds().get(0));
            assertThat(back.accepted()).as(back.toString()).isTrue();
            back.close();
            assertThat(notices(owner, "/v1/user", "communication_resumed")).hasSize(1);
            assertThat(Usage.agreement(owner, "/v1/user").get("attributes").get("state").asText()).isEqualTo("active");
            fleet.receivers().forEach(Connections.Answer::close);
            fleet.caller().close();
        }
    }
}
