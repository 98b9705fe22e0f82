package io.boson.devices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boson.errors.DomainException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a device says about itself (device protocol section 5): its functions, its typed variables
 * and its firmware identity. Parsed strictly, since it decides what the cloud will forward.
 */
public record Describe(List<String> functions, Map<String, String> variables, Integer platformId,
                       Integer productId, Integer productVersion, String systemVersion, boolean updatesEnabled,
                       Integer otaChunk) {

    public static final int MAX_FUNCTIONS = 100;
    public static final int MAX_VARIABLES = 100;
    public static final Set<String> VARIABLE_TYPES = Set.of("int32", "double", "string", "bool");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** The payload is stored as text (device_reports.describe_json): larger ones are refused, not failed on. */
    public static final int MAX_STORED_CHARS = 60_000;
    /** The stored system version (devices.system_firmware_version, fleet health's series keys). */
    public static final int MAX_SYSTEM_VERSION_CHARS = 40;

    public static final Describe EMPTY = new Describe(List.of(), Map.of(), null, null, null, null, true, null);

    public static Describe parse(ObjectMapper json, byte[] payload) {
        // UTF-8 never has fewer bytes than the text has chars, so this bounds the stored text.
        if (payload.length > MAX_STORED_CHARS) throw DomainException.invalid("describe is larger than " + MAX_STORED_CHARS + " bytes");
        JsonNode root;
        try {
            root = json.readTree(payload);
        } catch (IOException e) {
            throw DomainException.invalid("describe is not valid JSON");
        }
        if (!(root instanceof ObjectNode)) throw DomainException.invalid("describe must be a JSON object");
        List<String> functions = new ArrayList<>();
        JsonNode f = root.get("f");
        if (f != null && !f.isNull()) {
            if (!f.isArray()) throw DomainException.invalid("describe.f must be an array of names");
            if (f.size() > MAX_FUNCTIONS) throw DomainException.invalid("at most " + MAX_FUNCTIONS + " functions");
            for (JsonNode n : f) {
                if (!n.isTextual() || !NAME.matcher(n.asText()).matches()) {
                    throw DomainException.invalid("function names are 1-64 characters of A-Z a-z 0-9 _ -");
                }
                if (!functions.contains(n.asText())) functions.add(n.asText());
            }
        }
        Map<String, String> variables = new LinkedHashMap<>();
        JsonNode v = root.get("v");
        if (v != null && !v.isNull()) {
            if (!v.isObject()) throw DomainException.invalid("describe.v must be an object of name: type");
            if (v.size() > MAX_VARIABLES) throw DomainException.invalid("at most " + MAX_VARIABLES + " variables");
            Iterator<Map.Entry<String, JsonNode>> it = v.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!NAME.matcher(e.getKey()).matches()) {
                    throw DomainException.invalid("variable names are 1-64 characters of A-Z a-z 0-9 _ -");
                }
                String type = e.getValue().asText();
                if (!VARIABLE_TYPES.contains(type)) {
                    throw DomainException.invalid("variable " + e.getKey() + " has unknown type " + type);
                }
                variables.put(e.getKey(), type);
            }
        }
        Integer productVersion = optionalInt(root, "product_version", 1, 65535);
        if (root.hasNonNull("system_version") && root.get("system_version").asText().length() > MAX_SYSTEM_VERSION_CHARS) {
            throw DomainException.invalid("system_version is at most " + MAX_SYSTEM_VERSION_CHARS + " characters");
        }
        return new Describe(List.copyOf(functions), java.util.Collections.unmodifiableMap(variables), optionalInt(root, "platform_id", 0, Integer.MAX_VALUE),
                optionalInt(root, "product_id", 1, Integer.MAX_VALUE), productVersion,
                root.hasNonNull("system_version") ? root.get("system_version").asText() : null,
                !root.has("updates_enabled") || root.get("updates_enabled").asBoolean(true),
                // A Boson addition: the largest OTA chunk the device takes (absent: the protocol's 32 KiB).
                optionalInt(root, "ota_chunk", 1, Integer.MAX_VALUE));
    }

    /**
     * Parsed stored describes by their text. A fleet running one firmware stores one text many
     * times over, and every function call and variable read consults it; the parse is cached, not
     * the device (a describe's text is its whole identity, so an entry is never stale). Bounded by
     * text length: at most 4 million characters of keys.
     */
    private static final com.github.benmanes.caffeine.cache.Cache<String, Describe> STORED =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                    .maximumWeight(4_000_000).weigher((String text, Describe d) -> text.length()).build();

    /** The stored form of a describe that was already validated; lenient, never throws. */
    public static Describe fromStored(ObjectMapper json, String stored) {
        if (stored == null) return EMPTY;
        return STORED.get(stored, text -> {
            try {
                return parse(json, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (DomainException e) {
                return EMPTY;
            }
        });
    }

    private static Integer optionalInt(JsonNode root, String field, int min, int max) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.canConvertToInt() || !n.isIntegralNumber()) throw DomainException.invalid(field + " must be an integer");
        int value = n.intValue();
        if (value < min || value > max) throw DomainException.invalid(field + " must be between " + min + " and " + max);
        return value;
    }
}
