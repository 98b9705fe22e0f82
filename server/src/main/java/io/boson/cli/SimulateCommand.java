package io.boson.cli;

import io.boson.device.MqttVersion;
import io.boson.device.Simulator;
import io.boson.device.SimulatorOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code boson simulate}: a fleet of simulated devices against a running cloud. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run simulated devices (the Java device SDK) against a Boson cloud.")
public final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--credentials", required = true,
            description = "JSON from POST /v1/admin/devices: {\"devices\":[{\"id\",\"secret\"}, ...]}.")
    Path credentials;

    @Option(names = "--devices", defaultValue = "0", description = "How many devices to run (default: all in the file).")
    int devices;

    @Option(names = "--mqtt-host", defaultValue = "${env:BOSON_MQTT_HOST:-127.0.0.1}", description = "Cloud MQTT host.")
    String host;

    @Option(names = "--mqtt-port", defaultValue = "${env:BOSON_MQTT_PORT:-8884}", description = "Cloud MQTT port.")
    int port;

    @Option(names = "--interval", defaultValue = "5",
            description = "Seconds between each device's temperature events (0 = never).")
    double intervalSeconds;

    @Option(names = "--connect-rate", defaultValue = "200", description = "Connections per second, fleet-wide.")
    int connectRate;

    @Option(names = "--mqtt3", description = "Use MQTT 3.1.1 instead of MQTT 5.")
    boolean mqtt3;

    @Option(names = "--product-id", description = "Run product firmware of this product (needs --product-version).")
    Integer productId;

    @Option(names = "--product-version", description = "The product firmware version the devices start with (1-65535).")
    Integer productVersion;

    @Option(names = "--ota-fail-at", defaultValue = "-1",
            description = "Report every firmware update as failed at this fraction of the image (0-1).")
    double otaFailAt;

    @Option(names = "--ota-disconnect-at", defaultValue = "-1",
            description = "Drop the connection once per update at this fraction of the image (0-1), then resume.")
    double otaDisconnectAt;

    @Option(names = "--ota-corrupt", description = "Corrupt one chunk of every update (the SHA-256 check fails).")
    boolean otaCorrupt;

    @Override
    public Integer call() throws Exception {
        SimulatorOptions options = SimulatorOptions.defaults(host, port).withDeviceCount(devices)
                .withPublishInterval(Duration.ofMillis((long) (intervalSeconds * 1000)))
                .withConnectsPerSecond(connectRate)
                .withMqttVersion(mqtt3 ? MqttVersion.MQTT_3_1_1 : MqttVersion.MQTT_5)
                .withOtaFaults(new io.boson.device.OtaFaults(otaDisconnectAt, otaFailAt, otaCorrupt));
        if ((productId == null) != (productVersion == null)) {
            System.err.println("boson simulate: --product-id and --product-version go together");
            return 2;
        }
        if (productId != null) options = options.withProduct(productId, productVersion);
        Simulator simulator = Simulator.fromCredentialsFile(credentials, options);
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::stop, "simulator-stop"));
        System.out.printf("Simulating %d devices against %s:%d (Ctrl-C stops)%n", simulator.devices().size(), host, port);
        simulator.runUntilInterrupted(Duration.ofSeconds(10), stats -> System.out.println(stats.summary()));
        return 0;
    }
}
