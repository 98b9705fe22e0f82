package io.boson.store;

import io.boson.devices.Device;
import io.boson.devices.DeviceRepository;
import io.boson.testing.PassStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upgrade keeps what devices reported: V80 moves each device's describe and vitals from its row
 * to device_reports. A store at V75 with a described device and an undescribed one is opened by
 * the current Boson (which migrates it), on the embedded store or on PostgreSQL as the pass runs.
 */
class DeviceReportsMigrationTest {

    static final String DESCRIBED = "0123456789abcdef01234567";
    static final String SILENT = "0123456789abcdef0123456f";

    @TempDir
    Path dir;

    @Test
    void describesAndVitalsSurviveTheMoveToTheirOwnTable() throws Exception {
        try (PassStore store = PassStore.create(dir).migratedTo("75")) {
            try (Connection c = store.connect(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO devices(id, secret_hash, platform_id, registered_at, describe_json, vitals_json, vitals_at,"
                        + " system_firmware_version) VALUES ('" + DESCRIBED + "', 'h', 13, 1, '{\"f\":[\"led\"]}', '{\"v\":1}', 42, '6.2.0')");
                s.execute("INSERT INTO devices(id, secret_hash, platform_id, registered_at) VALUES ('" + SILENT + "', 'h', 13, 1)");
            }
            try (Database db = Database.open(store.config())) {
                DeviceRepository devices = new DeviceRepository(db.jdbi());
                Device d = devices.find(DESCRIBED).orElseThrow();
                assertThat(d.describeJson()).isEqualTo("{\"f\":[\"led\"]}");
                assertThat(d.vitalsJson()).isEqualTo("{\"v\":1}");
                assertThat(d.vitalsAt()).isEqualTo(42L);
                assertThat(d.systemFirmwareVersion()).isEqualTo("6.2.0");
                Device silent = devices.find(SILENT).orElseThrow();
                assertThat(silent.describeJson()).isNull();
                assertThat(silent.vitalsJson()).isNull();
                // A first report after the upgrade makes the row; the next one updates it.
                devices.saveVitals(SILENT, "{\"v\":2}", 7);
                devices.saveDescribe(SILENT, "{\"f\":[]}", "6.3.0", 2);
                devices.saveVitals(SILENT, "{\"v\":3}", 8);
                silent = devices.find(SILENT).orElseThrow();
                assertThat(silent.vitalsJson()).isEqualTo("{\"v\":3}");
                assertThat(silent.vitalsAt()).isEqualTo(8L);
                assertThat(silent.describeJson()).isEqualTo("{\"f\":[]}");
                assertThat(silent.productVersion()).isEqualTo(2);
                // A report for a device that does not exist stores nothing and fails nothing.
                devices.saveVitals("ffffffffffffffffffffffff", "{}", 1);
                assertThat(devices.find("ffffffffffffffffffffffff")).isEmpty();
            }
        }
    }

    @Test
    void aFirstDescribeAndFirstVitalsWrittenAtOnceAreBothKept() throws Exception {
        try (PassStore store = PassStore.create(dir)) {
            try (Database db = Database.open(store.config());
                 var workers = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                DeviceRepository devices = new DeviceRepository(db.jdbi());
                // The gateway writes a device's first describe and first vitals on two workers at once.
                for (int round = 0; round < 50; round++) {
                    String id = String.format("%024x", 0xabc000L + round);
                    devices.register(java.util.List.of(new DeviceRepository.NewDevice(id, "h", 13)), 1);
                    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                    var describe = workers.submit(() -> {
                        start.await();
                        devices.saveDescribe(id, "{\"f\":[\"r" + id + "\"]}", "6.2.0", 1);
                        return null;
                    });
                    var vitals = workers.submit(() -> {
                        start.await();
                        devices.saveVitals(id, "{\"v\":\"" + id + "\"}", 5);
                        return null;
                    });
                    describe.get();
                    vitals.get();
                    Device d = devices.find(id).orElseThrow();
                    assertThat(d.describeJson()).isEqualTo("{\"f\":[\"r" + id + "\"]}");
                    assertThat(d.vitalsJson()).isEqualTo("{\"v\":\"" + id + "\"}");
                }
            }
        }
    }
}
