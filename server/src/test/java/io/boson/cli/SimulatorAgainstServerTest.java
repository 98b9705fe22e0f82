package io.boson.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.device.BosonDevice;
import io.boson.device.DeviceCredentials;
import io.boson.device.PublishAck;
import io.boson.device.Simulator;
import io.boson.device.SimulatorOptions;
import io.boson.device.VariableType;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The project's own device SDK and simulator against the real server. */
class SimulatorAgainstServerTest extends CloudTest {

    @Test
    void simulatedFleetPublishesAndAnswersThroughTheCloud() throws Exception {
        List<TestCloud.Credentials> creds = cloud.registerDevices(5);
        List<DeviceCredentials> fleet = creds.stream().map(c -> new DeviceCredentials(c.id(), c.secret())).toList();
        SimulatorOptions options = SimulatorOptions.defaults("127.0.0.1", cloud.mqttPort())
                .withPublishInterval(Duration.ofMillis(200));
        try (Simulator simulator = new Simulator(options, fleet)) {
            simulator.start().get(10, TimeUnit.SECONDS);
            for (DeviceCredentials c : fleet) {
                assertThat(cloud.admin().postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
            }
            try (SseStream stream = SseStream.open(cloud.baseUrl(), "/v1/devices/events/temperature", cloud.admin().token())) {
                Set<String> publishers = new HashSet<>();
                while (publishers.size() < fleet.size()) {
                    publishers.add(stream.next("temperature", Duration.ofSeconds(10)).data().get("coreid").asText());
                }
            }
            String id = fleet.get(0).id();
            Api.Response call = cloud.admin().postJson("/v1/devices/" + id + "/led", Map.of("args", "on"));
            assertThat(call.json().get("return_value").asInt()).isEqualTo(1);
            JsonNode temp = cloud.admin().get("/v1/devices/" + id + "/temp").json();
            assertThat(temp.get("result").isNumber()).isTrue();
            assertThat(cloud.admin().get("/v1/devices/" + id + "/label").json().get("result").asText()).startsWith("sim-");
            // The test clock stands still, so each device's bucket of 4 runs dry and stays dry.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> simulator.stats().eventsRateLimited() > 0);
            assertThat(simulator.stats().connected()).isEqualTo(5);
        }
    }

    @Test
    void demoFleetIsClaimedToTheAdminAndPublishes() throws Exception {
        try (Simulator demo = Demo.start(cloud.boson())) {
            assertThat(demo.devices()).hasSize(Demo.DEVICES);
            for (BosonDevice d : demo.devices()) {
                JsonNode device = cloud.admin().get("/v1/devices/" + d.id()).json();
                assertThat(device.get("owner").asText()).isEqualTo(TestCloud.ADMIN);
                assertThat(device.get("online").asBoolean()).isTrue();
            }
            try (SseStream stream = SseStream.open(cloud.baseUrl(), "/v1/devices/events/temperature", cloud.admin().token())) {
                assertThat(stream.next("temperature", Duration.ofSeconds(10)).data().get("coreid").asText())
                        .isIn(demo.devices().stream().map(BosonDevice::id).toList());
            }
        }
    }

    @Test
    void sdkDeviceReceivesSubscribedEventsAndSignals() throws Exception {
        TestCloud.Credentials c = cloud.registerDevice();
        CompletableFuture<String> received = new CompletableFuture<>();
        BosonDevice device = BosonDevice.builder().deviceId(c.id()).secret(c.secret()).host("127.0.0.1")
                .port(cloud.mqttPort())
                .variable("answer", VariableType.INT32, () -> 42)
                .subscribe("alerts", (name, data) -> received.complete(name + "=" + new String(data, StandardCharsets.UTF_8)))
                .build();
        device.connect().get(10, TimeUnit.SECONDS);
        try {
            Api user = cloud.newUser();
            assertThat(user.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
            user.postJson("/v1/devices/events", Map.of("name", "alerts/fire", "data", "kitchen"));
            assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("alerts/fire=kitchen");
            assertThat(user.get("/v1/devices/" + c.id() + "/answer").json().get("result").asInt()).isEqualTo(42);
            user.putJson("/v1/devices/" + c.id(), Map.of("signal", "1"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(device::isSignaling);
            PublishAck ack = device.publish("spark/forged", "x").get(5, TimeUnit.SECONDS);
            assertThat(ack.isAccepted()).isFalse();
        } finally {
            device.disconnect().get(5, TimeUnit.SECONDS);
        }
    }
}
