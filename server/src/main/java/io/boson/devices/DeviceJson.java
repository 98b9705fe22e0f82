package io.boson.devices;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The device object of Particle's API, with every field particle-cli and particle-api-js read. */
public final class DeviceJson {

    private static final Set<Integer> CELLULAR = Set.of(10, 13, 23, 25, 26, 35);

    private final ObjectMapper json;

    public DeviceJson(ObjectMapper json) {
        this.json = json;
    }

    public Map<String, Object> of(Device d) {
        return of(d, java.util.List.of(), false);
    }

    /** A device with its product's view: groups, development flag, quarantine. */
    public Map<String, Object> of(Device d, java.util.List<String> groups, boolean quarantined) {
        Describe describe = Describe.fromStored(json, d.describeJson());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("name", d.name());
        m.put("owner", d.ownerUsername());
        m.put("last_ip_address", d.lastIpAddress());
        m.put("last_heard", iso(d.lastHeard()));
        m.put("last_handshake_at", iso(d.lastHandshakeAt()));
        // Developer devices report product_id == platform_id; the CLI labels the platform from it.
        m.put("product_id", d.productId() != null ? d.productId() : d.platformId());
        m.put("online", d.online());
        m.put("connected", d.online());
        m.put("platform_id", d.platformId());
        m.put("cellular", CELLULAR.contains(d.platformId()));
        m.put("notes", d.notes());
        m.put("functions", describe.functions());
        m.put("variables", describe.variables());
        m.put("status", "normal");
        m.put("serial_number", null);
        m.put("iccid", null);
        m.put("imei", null);
        m.put("mac_wifi", null);
        m.put("system_firmware_version", d.systemFirmwareVersion());
        m.put("firmware_version", d.productVersion());
        m.put("firmware_updates_enabled", describe.updatesEnabled());
        m.put("firmware_updates_forced", false);
        m.put("last_disconnect_reason", d.lastDisconnectReason());
        if (d.productId() != null || quarantined) {
            m.put("groups", groups);
            m.put("development", d.development());
            m.put("quarantined", quarantined);
            m.put("denied", false);
            m.put("desired_firmware_version", null);
            m.put("targeted_firmware_release_version", null);
            m.put("firmware_product_id", describe.productId());
            m.put("first_connected_at", iso(d.firstConnectedAt()));
        }
        return m;
    }

    /**
     * The fields only a single device's detail carries in Particle (not lists): its build targets,
     * which for a device with no pinned target are both the Device OS version it runs, and its mobile
     * secret (the setup secret Particle prints on a device's sticker; Boson devices have none: null).
     */
    public Map<String, Object> detail(Device d, Map<String, Object> m) {
        m.put("current_build_target", d.systemFirmwareVersion());
        m.put("default_build_target", d.systemFirmwareVersion());
        m.put("mobile_secret", null);
        return m;
    }

    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Particle's timestamps: ISO 8601 in UTC with milliseconds. */
    public static String iso(Long millis) {
        return millis == null ? null : ISO_MILLIS.format(Instant.ofEpochMilli(millis));
    }
}
