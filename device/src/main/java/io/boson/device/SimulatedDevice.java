package io.boson.device;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One simulated device's firmware: the functions, variables and sensor that the {@link Simulator}
 * gives every device, so a fleet looks alike to dashboards and benchmarks. The temperature is a
 * function of wall-clock time (a slow sine with a per-device phase) rather than a random walk, so
 * that it is reproducible and needs no per-device timer.
 */
final class SimulatedDevice {

    static final String EVENT = "temperature";
    private static final double MEAN = 21.0;
    private static final double AMPLITUDE = 4.0;
    private static final double PERIOD_SECONDS = 600;

    private final int index;
    private final Clock clock;
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean ledOn;
    private final BosonDevice device;

    SimulatedDevice(DeviceCredentials credentials, int index, SimulatorOptions options, Clock clock) {
        this(credentials, index, options, clock, settings -> DeviceLink.open(options.mqttVersion(), settings));
    }

    SimulatedDevice(DeviceCredentials credentials, int index, SimulatorOptions options, Clock clock,
                    Function<DeviceLink.Settings, DeviceLink> links) {
        this.index = index;
        this.clock = clock;
        BosonDeviceBuilder builder = BosonDevice.builder()
                .deviceId(credentials.id())
                .secret(credentials.secret())
                .host(options.host())
                .port(options.port())
                .mqttVersion(options.mqttVersion())
                .systemVersion("boson-sim")
                .function("led", this::led)
                .function("reset", arg -> reset())
                .variable("temp", VariableType.DOUBLE, this::temperature)
                .variable("count", VariableType.INT32, count::get)
                .variable("label", VariableType.STRING, () -> "sim-" + index)
                .variable("armed", VariableType.BOOL, () -> index % 2 == 0)
                .otaFaults(options.otaFaults());
        if (options.productId() != null) {
            builder.productId(options.productId()).productVersion(options.productVersion());
        }
        this.device = builder.build(links);
    }

    BosonDevice device() {
        return device;
    }

    /** "on" → 1, "off" → 0, anything else → -1 (Particle's convention for a bad argument). */
    int led(String argument) {
        return switch (argument) {
            case "on" -> {
                ledOn = true;
                yield 1;
            }
            case "off" -> {
                ledOn = false;
                yield 0;
            }
            default -> -1;
        };
    }

    /** Forgets the published-event count and turns the LED off, as a restart would. */
    int reset() {
        count.set(0);
        ledOn = false;
        return 0;
    }

    /** Degrees Celsius, two decimals; drifts by at most ~0.05 per second. */
    double temperature() {
        double seconds = clock.millis() / 1000.0;
        double phase = index * 0.7; // spread the fleet over the cycle
        double value = MEAN + AMPLITUDE * Math.sin(2 * Math.PI * seconds / PERIOD_SECONDS + phase);
        return Math.round(value * 100) / 100.0;
    }

    /** Publishes the temperature if connected; a disconnected device just skips its turn. */
    void publishTemperature() {
        if (!device.isConnected()) {
            return;
        }
        device.publish(EVENT, VariableType.DOUBLE.format(temperature())).thenAccept(ack -> {
            if (ack.isAccepted()) {
                count.incrementAndGet();
            }
        });
    }
}
