package io.boson.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.Boson;
import io.boson.auth.Principal;
import io.boson.device.DeviceCredentials;
import io.boson.device.Simulator;
import io.boson.device.SimulatorOptions;
import io.boson.devices.DeviceService;
import io.boson.errors.DomainException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code serve --demo}: three simulated devices, registered once (their credentials are kept in
 * the data directory), claimed to the platform admin, publishing a temperature every 5 seconds.
 */
final class Demo {

    static final int DEVICES = 3;
    private static final Duration ONLINE_WAIT = Duration.ofSeconds(10);

    private Demo() {
    }

    static Simulator start(Boson boson) throws IOException, InterruptedException {
        Principal admin = boson.auth().internalPrincipal(boson.config().adminUsername());
        Path file = boson.config().dataDir().resolve("demo-devices.json");
        List<DeviceCredentials> creds;
        if (Files.exists(file)) {
            creds = DeviceCredentials.read(file);
        } else {
            List<DeviceService.Credentials> registered = boson.devices().register(admin, 13, DEVICES, null);
            Files.createDirectories(file.getParent());
            new ObjectMapper().writeValue(file.toFile(), Map.of("devices", registered));
            creds = registered.stream().map(c -> new DeviceCredentials(c.id(), c.secret())).toList();
        }
        Simulator simulator = new Simulator(SimulatorOptions.defaults("127.0.0.1", boson.mqttPort()), creds);
        simulator.start();
        for (DeviceCredentials c : creds) claimWhenOnline(boson, admin, c.id());
        System.out.printf("Demo: %d simulated devices claimed to '%s': %s%n", creds.size(), admin.username(),
                String.join(", ", creds.stream().map(DeviceCredentials::id).toList()));
        return simulator;
    }

    private static void claimWhenOnline(Boson boson, Principal admin, String id) throws InterruptedException {
        long deadline = System.nanoTime() + ONLINE_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                boson.devices().claim(admin, id, false);
                return;
            } catch (DomainException.Invalid offline) {
                Thread.sleep(100); // the simulator is still connecting; poll with a deadline
            }
        }
        System.out.println("Demo: device " + id + " did not come online; it stays unclaimed");
    }
}
