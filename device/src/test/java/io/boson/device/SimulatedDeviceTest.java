package io.boson.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatedDeviceTest {

    private static final DeviceCredentials CREDENTIALS = new DeviceCredentials("0123456789abcdef01234567", "s");
    private static final SimulatorOptions OPTIONS = SimulatorOptions.defaults("localhost", 8884);

    @Test
    void ledAnswersOnOffOrMinusOne() {
        SimulatedDevice device = simulated(0, Instant.EPOCH);

        assertThat(device.led("on")).isEqualTo(1);
        assertThat(device.led("off")).isEqualTo(0);
        assertThat(device.led("blink")).isEqualTo(-1);
        assertThat(device.led("")).isEqualTo(-1);
    }

    @Test
    void temperatureVariesSlowlyWithinItsBand() {
        Instant start = Instant.parse("2026-11-25T12:00:00Z");
        for (int second = 0; second < 1200; second += 7) {
            double now = simulated(3, start.plusSeconds(second)).temperature();
            double next = simulated(3, start.plusSeconds(second + 1)).temperature();

            assertThat(now).isBetween(17.0, 25.0);
            assertThat(Math.abs(next - now)).isLessThanOrEqualTo(0.06);
        }
    }

    @Test
    void devicesDoNotAllReadTheSameTemperature() {
        Instant at = Instant.parse("2026-11-25T12:00:00Z");

        assertThat(simulated(0, at).temperature()).isNotEqualTo(simulated(1, at).temperature());
    }

    @Test
    void describesTheSimulatorsFunctionsAndVariables() throws Exception {
        StubLink[] link = new StubLink[1];
        SimulatedDevice simulated = new SimulatedDevice(CREDENTIALS, 0, OPTIONS.withProduct(4021, 3),
                Clock.systemUTC(), settings -> link[0] = new StubLink(settings));

        simulated.device().connect().join();

        JsonNode describe = new ObjectMapper().readTree(link[0].last().payload());
        assertThat(describe.get("f").toString()).isEqualTo("[\"led\",\"reset\"]");
        assertThat(describe.get("v").toString())
                .isEqualTo("{\"temp\":\"double\",\"count\":\"int32\",\"label\":\"string\",\"armed\":\"bool\"}");
        assertThat(describe.get("product_id").asInt()).isEqualTo(4021);
        assertThat(describe.get("product_version").asInt()).isEqualTo(3);
    }

    @Test
    void countsAcceptedTemperatureEventsUntilReset() {
        StubLink[] link = new StubLink[1];
        SimulatedDevice simulated = new SimulatedDevice(CREDENTIALS, 4, OPTIONS,
                Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), settings -> link[0] = new StubLink(settings));

        simulated.publishTemperature(); // not connected yet: skipped
        simulated.device().connect().join();
        simulated.publishTemperature();
        simulated.publishTemperature();
        link[0].ack = new PublishAck(0x97, "QUOTA_EXCEEDED");
        simulated.publishTemperature();

        assertThat(link[0].sent.stream().filter(s -> s.topic().equals("e/temperature"))).hasSize(3);
        link[0].deliver("c/v/count/r1", "");
        assertThat(link[0].last().text()).isEqualTo("2");
        link[0].deliver("c/f/reset/r2", "");
        link[0].deliver("c/v/count/r3", "");
        assertThat(link[0].last().text()).isEqualTo("0");
        link[0].deliver("c/v/label/r4", "");
        assertThat(link[0].last().text()).isEqualTo("sim-4");
        link[0].deliver("c/v/temp/r5", "");
        assertThat(Double.parseDouble(link[0].last().text())).isEqualTo(simulated.temperature());
    }

    private static SimulatedDevice simulated(int index, Instant at) {
        return new SimulatedDevice(CREDENTIALS, index, OPTIONS, Clock.fixed(at, ZoneOffset.UTC));
    }
}
