package io.boson.gateway;

import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The gateway's socket transport: native epoll on Linux by default, NIO when asked for, devices served the same on both. */
class TransportTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void onLinuxTheGatewayRunsOnTheNativeEpollTransportThatShipsInTheJar() {
        assumeThat(System.getProperty("os.name")).isEqualTo("Linux");
        assumeThat(System.getProperty("os.arch")).isIn("amd64", "x86_64");
        servesADeviceOn(null, Transport.EPOLL);
    }

    @Test
    void anOperatorCanAskForTheJdksNioAndDevicesAreServedTheSame() {
        servesADeviceOn("nio", Transport.NIO);
    }

    @Test
    void anUnknownTransportIsRefusedByName() {
        String before = System.setProperty(Transport.PROPERTY, "kqueue");
        try {
            assertThatThrownBy(Transport::chosen).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("boson.mqtt.transport must be auto, epoll or nio, not 'kqueue'");
        } finally {
            restore(before);
        }
    }

    @Test
    void serveStopsWithOneLineNamingAnUnknownTransport(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + Transport.PROPERTY + "=bogus", "-cp", System.getProperty("java.class.path"), "io.boson.Main", "serve",
                "--data-dir", dir.toString(), "--bind", "127.0.0.1", "--http-port", "0", "--mqtt-port", "0", "--coap-port", "0")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("boson: boson.mqtt.transport must be auto, epoll or nio, not 'bogus'")
                .doesNotContain("\tat ").doesNotContain("Boson is up");
    }

    /**
     * With {@code boson.mqtt.transport} set to {@code asked} (null: unset), the gateway runs on {@code expected}, and a
     * claimed device connects, its event reaches its owner's stream, and a function call reaches it and back.
     */
    private static void servesADeviceOn(String asked, Transport expected) {
        String before = asked == null ? System.clearProperty(Transport.PROPERTY) : System.setProperty(Transport.PROPERTY, asked);
        try (TestCloud cloud = TestCloud.start()) {
            assertThat(cloud.boson().gateway().transport()).isEqualTo(expected);
            TestCloud.Credentials c = cloud.registerDevice();
            Api admin = cloud.admin();
            try (TestDevice device = TestDevice.connect(cloud, c)) {
                // Particle claims only a device that is online.
                assertThat(admin.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
                try (SseStream stream = SseStream.open(cloud.baseUrl(), "/v1/devices/events/transport", admin.token())) {
                    device.answer("led", arg -> arg.equals("on") ? 7 : -1);
                    assertThat(device.publish("transport/check", "over the wire")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
                    SseStream.Received e = stream.next("transport/check", WAIT);
                    assertThat(e.data().get("data").asText()).isEqualTo("over the wire");
                    assertThat(e.data().get("coreid").asText()).isEqualTo(c.id());
                    Api.Response call = admin.postJson("/v1/devices/" + c.id() + "/led", Map.of("arg", "on"));
                    assertThat(call.status()).isEqualTo(200);
                    assertThat(call.json().get("return_value").asInt()).isEqualTo(7);
                }
            }
        } finally {
            restore(before);
        }
    }

    private static void restore(String before) {
        if (before == null) System.clearProperty(Transport.PROPERTY);
        else System.setProperty(Transport.PROPERTY, before);
    }
}
