package io.boson.device;

import com.hivemq.client.mqtt.MqttClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A small fleet against the local Mosquitto, which stands in for the cloud. */
class SimulatorMqttTest {

    @BeforeAll
    static void needsBroker() {
        assumeTrue(BrokerCloud.brokerReachable(), "no MQTT broker on 127.0.0.1:1883");
    }

    @Test
    void runsTheFirstNDevicesOfACredentialsFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("devices.json");
        Files.writeString(file, """
                {"devices":[{"id":"%s","secret":"a"},{"id":"%s","secret":"b"},{"id":"%s","secret":"c"}]}"""
                .formatted(BrokerCloud.randomDeviceId(), BrokerCloud.randomDeviceId(), BrokerCloud.randomDeviceId()));
        SimulatorOptions options = SimulatorOptions.defaults(BrokerCloud.HOST, BrokerCloud.PORT)
                .withDeviceCount(2)
                .withPublishInterval(Duration.ofMillis(50));

        try (Simulator simulator = Simulator.fromCredentialsFile(file, options);
             BrokerCloud cloud = new BrokerCloud("r/#")) {
            simulator.start().get(5, TimeUnit.SECONDS);

            assertThat(simulator.stats().devices()).isEqualTo(2);
            assertThat(simulator.stats().connected()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(5)).until(() -> simulator.stats().eventsPublished() >= 4);

            String rid = BrokerCloud.token();
            var reply = cloud.expect("r/" + rid);
            cloud.send("c/f/led/" + rid, "on");
            assertThat(reply.get()).isEqualTo("1");

            simulator.stop();
            assertThat(simulator.stats().connected()).isZero();
            assertThat(simulator.stats().connectFailures()).isZero();
        }
    }

    @Test
    void reconnectsADeviceWhoseSessionWasTakenOver() throws Exception {
        DeviceCredentials credentials = new DeviceCredentials(BrokerCloud.randomDeviceId(), "s");
        SimulatorOptions options = SimulatorOptions.defaults(BrokerCloud.HOST, BrokerCloud.PORT)
                .withPublishInterval(Duration.ZERO);

        try (Simulator simulator = new Simulator(options, java.util.List.of(credentials))) {
            simulator.start().get(5, TimeUnit.SECONDS);
            BosonDevice device = simulator.devices().getFirst();
            var intruder = MqttClient.builder().useMqttVersion5().identifier(credentials.id())
                    .serverHost(BrokerCloud.HOST).serverPort(BrokerCloud.PORT).buildAsync();

            intruder.connect().get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> !device.isConnected());

            await().atMost(Duration.ofSeconds(5)).until(device::isConnected);
            assertThat(device.vitals()).containsEntry("connect_attempts", 2L).containsEntry("disconnects", 1L);
        }
    }

    @Test
    void refusesToRunMoreDevicesThanItHasCredentialsFor() {
        SimulatorOptions options = SimulatorOptions.defaults(BrokerCloud.HOST, BrokerCloud.PORT).withDeviceCount(3);

        assertThatThrownBy(() -> new Simulator(options, java.util.List.of(
                new DeviceCredentials(BrokerCloud.randomDeviceId(), "s"))))
                .hasMessageContaining("asked for 3 devices");
    }

    @Test
    void countsFailedConnectsWithoutRetryingWhenToldNotTo() throws Exception {
        // Port 1 on localhost: nothing listens there, so every attempt fails fast.
        SimulatorOptions options = new SimulatorOptions(BrokerCloud.HOST, 1, 0, Duration.ZERO,
                SimulatorOptions.DEFAULT_CONNECTS_PER_SECOND, MqttVersion.MQTT_5, null, null, false, OtaFaults.NONE);

        try (Simulator simulator = new Simulator(options, java.util.List.of(
                new DeviceCredentials(BrokerCloud.randomDeviceId(), "s")))) {
            simulator.start().get(5, TimeUnit.SECONDS);

            assertThat(simulator.stats().connected()).isZero();
            assertThat(simulator.stats().connectFailures()).isEqualTo(1);
            assertThat(simulator.stats().lastConnectFailure()).isNotBlank();
        }
    }
}
