package io.boson.device;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Simulator} runs its fleet.
 *
 * @param deviceCount       how many devices from the credentials to run, from the top; 0 runs all
 * @param publishInterval   each device publishes a {@code temperature} event this often; zero never
 * @param connectsPerSecond fleet-wide cap on connection attempts, reconnects included
 * @param productId         product firmware's product ID, or null for developer firmware
 * @param productVersion    product firmware version, or null for developer firmware
 * @param reconnect         whether a device that lost or failed its connection tries again (with backoff)
 * @param otaFaults         faults injected into firmware updates (fail or disconnect mid-transfer, corrupt a chunk)
 */
public record SimulatorOptions(
        String host,
        int port,
        int deviceCount,
        Duration publishInterval,
        int connectsPerSecond,
        MqttVersion mqttVersion,
        Integer productId,
        Integer productVersion,
        boolean reconnect,
        OtaFaults otaFaults) {

    public static final Duration DEFAULT_PUBLISH_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_CONNECTS_PER_SECOND = 200;

    public SimulatorOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(publishInterval, "publishInterval");
        Objects.requireNonNull(mqttVersion, "mqttVersion");
        Objects.requireNonNull(otaFaults, "otaFaults");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (deviceCount < 0) {
            throw new IllegalArgumentException("device count must not be negative: " + deviceCount);
        }
        if (publishInterval.isNegative()) {
            throw new IllegalArgumentException("publish interval must not be negative: " + publishInterval);
        }
        if (connectsPerSecond < 1) {
            throw new IllegalArgumentException("connect rate must be at least 1 per second: " + connectsPerSecond);
        }
        if ((productId == null) != (productVersion == null)) {
            throw new IllegalArgumentException("product firmware needs both productId and productVersion");
        }
    }

    /** All devices, a temperature every 5 s, 200 connects/s, MQTT 5, developer firmware, reconnecting. */
    public static SimulatorOptions defaults(String host, int port) {
        return new SimulatorOptions(host, port, 0, DEFAULT_PUBLISH_INTERVAL, DEFAULT_CONNECTS_PER_SECOND,
                MqttVersion.MQTT_5, null, null, true, OtaFaults.NONE);
    }

    public SimulatorOptions withDeviceCount(int count) {
        return new SimulatorOptions(host, port, count, publishInterval, connectsPerSecond, mqttVersion,
                productId, productVersion, reconnect, otaFaults);
    }

    public SimulatorOptions withPublishInterval(Duration interval) {
        return new SimulatorOptions(host, port, deviceCount, interval, connectsPerSecond, mqttVersion,
                productId, productVersion, reconnect, otaFaults);
    }

    public SimulatorOptions withConnectsPerSecond(int rate) {
        return new SimulatorOptions(host, port, deviceCount, publishInterval, rate, mqttVersion,
                productId, productVersion, reconnect, otaFaults);
    }

    public SimulatorOptions withMqttVersion(MqttVersion version) {
        return new SimulatorOptions(host, port, deviceCount, publishInterval, connectsPerSecond, version,
                productId, productVersion, reconnect, otaFaults);
    }

    public SimulatorOptions withProduct(int id, int version) {
        return new SimulatorOptions(host, port, deviceCount, publishInterval, connectsPerSecond, mqttVersion,
                id, version, reconnect, otaFaults);
    }

    public SimulatorOptions withReconnect(boolean enabled) {
        return new SimulatorOptions(host, port, deviceCount, publishInterval, connectsPerSecond, mqttVersion,
                productId, productVersion, enabled, otaFaults);
    }

    public SimulatorOptions withOtaFaults(OtaFaults faults) {
        return new SimulatorOptions(host, port, deviceCount, publishInterval, connectsPerSecond, mqttVersion,
                productId, productVersion, reconnect, faults);
    }
}
