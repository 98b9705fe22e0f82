package io.boson.device;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The describe message {@code d} (protocol section 5): what the device can be asked and which
 * firmware it runs. Product fields are null for developer firmware and then left out, because the
 * cloud treats their presence as "this is product firmware". {@code otaChunk} (Boson's {@code ota_chunk})
 * asks for firmware chunks of up to that many bytes; null leaves it out (the protocol's 32 KiB).
 */
record Describe(
        List<String> functions,
        Map<String, VariableType> variables,
        Integer platformId,
        Integer productId,
        Integer productVersion,
        String systemVersion,
        boolean updatesEnabled,
        Integer otaChunk) {

    private static final ObjectMapper JSON = new ObjectMapper();

    Describe(List<String> functions, Map<String, VariableType> variables, Integer platformId, Integer productId,
             Integer productVersion, String systemVersion, boolean updatesEnabled) {
        this(functions, variables, platformId, productId, productVersion, systemVersion, updatesEnabled, null);
    }

    Describe {
        functions = List.copyOf(functions);
        variables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    }

    Describe withUpdatesEnabled(boolean enabled) {
        return new Describe(functions, variables, platformId, productId, productVersion, systemVersion, enabled, otaChunk);
    }

    /** The same firmware identity after an update to {@code version} (null keeps the current one). */
    Describe withProductVersion(Integer version) {
        return version == null ? this
                : new Describe(functions, variables, platformId, productId, version, systemVersion, updatesEnabled, otaChunk);
    }

    byte[] toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("f", functions);
        Map<String, String> types = new LinkedHashMap<>();
        variables.forEach((name, type) -> types.put(name, type.wireName()));
        json.put("v", types);
        putIfPresent(json, "platform_id", platformId);
        putIfPresent(json, "product_id", productId);
        putIfPresent(json, "product_version", productVersion);
        putIfPresent(json, "system_version", systemVersion);
        json.put("updates_enabled", updatesEnabled);
        putIfPresent(json, "ota_chunk", otaChunk);
        try {
            return JSON.writeValueAsString(json).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps of strings always serialise", e);
        }
    }

    private static void putIfPresent(Map<String, Object> json, String key, Object value) {
        if (value != null) {
            json.put(key, value);
        }
    }
}
