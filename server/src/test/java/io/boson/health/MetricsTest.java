package io.boson.health;

import io.boson.Boson;
import io.boson.Config;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.MutableClock;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code GET /metrics} parses as Prometheus text (a strict parser) and its counters move as the
 * test drives real devices, calls and streams; liveness and readiness answer.
 */
class MetricsTest extends CloudTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    static PrometheusText scrape(String base) {
        Api.Response r = new Api(base, null).get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        return PrometheusText.parse(r.body());
    }

    @Test
    void countersMoveWithTraffic() throws Exception {
        PrometheusText before = scrape(cloud.baseUrl());
        assertThat(before.types.get("boson_devices_connected")).isEqualTo("gauge");
        for (String always : new String[] {"jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total", "hikaricp_connections_active",
                "hikaricp_connections_max", "boson_sse_streams_open", "boson_ota_transfers_active", "boson_ota_bytes_served_bytes_total",
                "boson_events_in_total", "boson_device_connects_total", "boson_bus_published_total", "process_uptime_seconds",
                "boson_events_history_queued", "boson_events_history_dropped_total"}) {
            assertThat(before.has(always)).as(always).isTrue();
        }
        Api owner = cloud.newUser();
        TestCloud.Credentials bad = cloud.registerDevice();
        var refused = TestDevice.client(cloud, bad.id());
        assertThat(refused.connectWith().simpleAuth().username(bad.id()).password("wrong".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send().handle((ok, e) -> e).get(10, TimeUnit.SECONDS)).isNotNull();
        try (TestDevice device = cloud.claimedDevice(owner);
             SseStream stream = SseStream.open(cloud.baseUrl(), "/v1/devices/events", owner.token())) {
            PrometheusText during = scrape(cloud.baseUrl());
            assertThat(during.sum("boson_devices_connected")).isEqualTo(before.sum("boson_devices_connected") + 1);
            assertThat(during.sum("boson_sse_streams_open")).isEqualTo(before.sum("boson_sse_streams_open") + 1);
            assertThat(during.sum("boson_device_connects_total")).isEqualTo(before.sum("boson_device_connects_total") + 1);
            assertThat(during.sum("boson_device_connect_refusals_total", Map.of("reason", "not_authorized")))
                    .isEqualTo(before.sum("boson_device_connect_refusals_total", Map.of("reason", "not_authorized")) + 1);

            device.publish("one", "1");
            device.publish("two", "2");
            stream.next("one", WAIT);
            stream.next("two", WAIT);
            assertThat(owner.postJson("/v1/devices/" + device.id + "/led", Map.of("arg", "on")).status()).isEqualTo(200);
            device.silent();
            assertThat(owner.postJson("/v1/devices/" + device.id + "/led", Map.of("arg", "on")).status()).isEqualTo(408);
            await().atMost(WAIT).untilAsserted(() -> {
                PrometheusText after = scrape(cloud.baseUrl());
                assertThat(after.types.get("boson_calls_seconds")).isEqualTo("histogram");
                assertThat(after.sum("boson_events_in_total")).isEqualTo(before.sum("boson_events_in_total") + 2);
                assertThat(after.sum("boson_events_out_total", Map.of("to", "sse")))
                        .isGreaterThanOrEqualTo(before.sum("boson_events_out_total", Map.of("to", "sse")) + 2);
                Map<String, String> ok = Map.of("kind", "function", "result", "success");
                Map<String, String> timeout = Map.of("kind", "function", "result", "timeout");
                assertThat(after.sum("boson_calls_seconds_count", ok)).isEqualTo(before.sum("boson_calls_seconds_count", ok) + 1);
                assertThat(after.sum("boson_calls_seconds_count", timeout))
                        .isEqualTo(before.sum("boson_calls_seconds_count", timeout) + 1);
                assertThat(after.sum("boson_calls_seconds_sum", timeout) - before.sum("boson_calls_seconds_sum", timeout))
                        .isGreaterThanOrEqualTo(1.9); // the 2 s request timeout of the test cloud
                assertThat(after.sum("boson_calls_seconds_bucket", Map.of("kind", "function", "result", "success", "le", "+Inf")))
                        .isEqualTo(after.sum("boson_calls_seconds_count", ok));
                assertThat(after.sum("boson_bus_request_seconds_count", Map.of("outcome", "timeout")))
                        .isGreaterThanOrEqualTo(before.sum("boson_bus_request_seconds_count", Map.of("outcome", "timeout")) + 1);
                assertThat(after.sum("hikaricp_connections_usage_seconds_count"))
                        .isGreaterThan(before.sum("hikaricp_connections_usage_seconds_count"));
            });
        }
        await().atMost(WAIT).until(() -> scrape(cloud.baseUrl()).sum("boson_device_disconnects_total",
                Map.of("reason", "device disconnected")) >= 1);
    }

    @Test
    void livenessAndReadiness() {
        Api anon = cloud.anonymous();
        assertThat(anon.get("/health/live").status()).isEqualTo(200);
        Api.Response ready = anon.get("/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("status").asText()).isEqualTo("ready");
        assertThat(ready.json().get("checks").get("database").asText()).isEqualTo("up");
        assertThat(ready.json().get("checks").get("bus").asText()).isEqualTo("up");
    }

    @TempDir
    Path dir;

    @Test
    void metricsCanHaveAPortOfTheirOwn() {
        assumeFalse("postgres".equals(System.getProperty("boson.test.db")), "one embedded node is enough");
        Config config = Config.defaults().withDataDir(dir).withBindHost("127.0.0.1").withPorts(0, 0)
                .withClock(new MutableClock(Instant.parse("2026-11-25T12:00:00Z"))).toBuilder()
                .health(new Config.Health(true, Duration.ofDays(30), Duration.ofSeconds(2), Duration.ofSeconds(10), 0)).build();
        try (Boson boson = Boson.start(config)) {
            assertThat(boson.metricsPort()).isPositive().isNotEqualTo(boson.httpPort());
            PrometheusText text = scrape("http://127.0.0.1:" + boson.metricsPort());
            assertThat(text.sum("boson_devices_connected", Map.of("node", "embedded"))).isZero();
            assertThat(new Api("http://127.0.0.1:" + boson.metricsPort(), null).get("/health/ready").status()).isEqualTo(200);
        }
    }
}
