package io.boson.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A device ID and the secret the cloud issued for it, as listed by the admin API's credentials
 * export: {@code {"devices":[{"id":"…","secret":"…"}, …]}}. Other fields are ignored so the export
 * can grow without breaking older simulators.
 */
public record DeviceCredentials(String id, String secret) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public DeviceCredentials {
        if (id == null || id.isEmpty() || secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("device id and secret are required");
        }
    }

    public static List<DeviceCredentials> read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException when the JSON is not a credentials export */
    public static List<DeviceCredentials> parse(InputStream json) throws IOException {
        JsonNode devices = JSON.readTree(json).path("devices");
        if (!devices.isArray()) {
            throw new IllegalArgumentException("expected {\"devices\":[{\"id\":…,\"secret\":…}]}");
        }
        List<DeviceCredentials> result = new ArrayList<>(devices.size());
        for (int i = 0; i < devices.size(); i++) {
            JsonNode device = devices.get(i);
            String id = device.path("id").asText(null);
            String secret = device.path("secret").asText(null);
            if (id == null || secret == null || id.isEmpty() || secret.isEmpty()) {
                throw new IllegalArgumentException("devices[" + i + "] needs a non-empty \"id\" and \"secret\"");
            }
            result.add(new DeviceCredentials(id, secret));
        }
        return List.copyOf(result);
    }

    @Override
    public String toString() {
        return "DeviceCredentials[id=" + id + ", secret=***]"; // keep secrets out of logs
    }
}
