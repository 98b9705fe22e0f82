package io.boson.firmware;

import io.boson.devices.DeviceJson;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The firmware fields of a product device in the API: Particle's {@code desired_firmware_version}
 * and {@code targeted_firmware_release_version}, and Boson's {@code firmware_update} with the
 * current, target and last-attempt versions, the job's state, error and back-off.
 */
public final class DeviceFirmwareJson {

    private final FirmwareService firmware;

    public DeviceFirmwareJson(FirmwareService firmware) {
        this.firmware = firmware;
    }

    /**
     * The fields of each device, in one pass over the product, with the devices' groups in the
     * product as the caller's page already read them (id → group names, absent for none).
     */
    public Map<String, Map<String, Object>> of(long productId, Collection<String> deviceIds, Map<String, List<String>> groups) {
        Map<String, Map<String, Object>> out = new HashMap<>();
        if (deviceIds.isEmpty()) return out;
        List<DeviceFirmware> ds = firmware.deviceFirmware(productId, deviceIds, groups);
        Map<String, Precedence.Target> targets = firmware.targets(productId, ds);
        for (DeviceFirmware d : ds) out.put(d.deviceId(), fields(d, targets.get(d.deviceId())));
        return out;
    }

    /** A device's fields (developer devices have only a flash job, no target). */
    public Map<String, Object> of(DeviceFirmware d) {
        return fields(d, firmware.target(d));
    }

    private Map<String, Object> fields(DeviceFirmware d, Precedence.Target t) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (d.productId() != null) {
            m.put("desired_firmware_version", d.lockedVersion());
            m.put("targeted_firmware_release_version", t == null ? null : t.version());
            m.put("firmware_updates_forced", d.updatesForced());
        }
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("current_version", d.productVersion());
        u.put("target_version", t == null ? null : t.version());
        u.put("target_source", t == null ? null : t.source().name().toLowerCase());
        String status;
        if (d.state() != null && d.state().active()) status = "in_progress";
        else if (t == null) status = "none";
        else if (Objects.equals(d.productVersion(), t.version())) status = "up_to_date";
        else if (d.state() != null && d.state().failed() && Objects.equals(d.jobVersion(), t.version())) status = "failing";
        else status = "pending";
        u.put("status", status);
        if (d.job() != null) {
            Map<String, Object> last = new LinkedHashMap<>();
            last.put("job", d.job());
            last.put("version", d.jobVersion());
            last.put("developer_flash", d.directJob());
            last.put("from_version", d.fromVersion());
            last.put("state", d.state() == null ? null : d.state().wire());
            last.put("error", d.lastError());
            last.put("size", d.jobSize());
            long sent = firmware.progress(d.job()).map(OtaDelivery.Progress::bytesServed)
                    .orElse(d.bytesSent() == null ? 0L : d.bytesSent());
            last.put("bytes_sent", sent);
            last.put("consecutive_failures", d.attempts());
            last.put("started_at", DeviceJson.iso(d.startedAt()));
            last.put("updated_at", DeviceJson.iso(d.updatedAt()));
            last.put("next_attempt_at", DeviceJson.iso(d.nextAttemptAt()));
            u.put("last_attempt", last);
        } else {
            u.put("last_attempt", null);
        }
        m.put("firmware_update", u);
        return m;
    }
}
