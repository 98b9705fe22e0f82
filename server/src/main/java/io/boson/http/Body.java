package io.boson.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boson.errors.DomainException;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Request parameters, whichever way the client sent them: a JSON object, an urlencoded form or a
 * multipart form (Particle accepts all three on every endpoint). JSON wins when the body is JSON.
 */
public final class Body {

    private final ObjectNode json;
    private final Map<String, List<String>> form;

    private Body(ObjectNode json, Map<String, List<String>> form) {
        this.json = json;
        this.form = form;
    }

    public static Body of(Context ctx, ObjectMapper mapper) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase();
        if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
            return new Body(null, ctx.formParamMap());
        }
        String text = ctx.body();
        if (text.isBlank()) return new Body(JsonNodeFactory.instance.objectNode(), Map.of());
        try {
            JsonNode node = mapper.readTree(text);
            if (node instanceof ObjectNode obj) return new Body(obj, Map.of());
        } catch (IOException e) {
            // fall through
        }
        throw DomainException.invalid("The request body must be a JSON object or a form");
    }

    public boolean has(String key) {
        return json != null ? json.has(key) : form.containsKey(key);
    }

    /** True when the key is present with an explicit JSON null. */
    public boolean isNull(String key) {
        return json != null && json.has(key) && json.get(key).isNull();
    }

    public String string(String key) {
        if (json != null) {
            JsonNode n = json.get(key);
            if (n == null || n.isNull()) return null;
            if (n.isValueNode()) return n.asText();
            throw DomainException.invalid(key + " must be a string");
        }
        List<String> values = form.get(key);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public Integer integer(String key) {
        String s = string(key);
        if (s == null || s.isBlank()) return null;
        try {
            return Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            throw DomainException.invalid(key + " must be an integer");
        }
    }

    public Boolean bool(String key) {
        String s = string(key);
        if (s == null) return null;
        return switch (s.trim().toLowerCase()) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw DomainException.invalid(key + " must be true or false");
        };
    }

    /** The raw JSON value, or null (and always null for forms). */
    public JsonNode node(String key) {
        return json == null ? null : json.get(key);
    }

    public List<String> strings(String key) {
        if (json != null) {
            JsonNode n = json.get(key);
            if (n == null || n.isNull()) return null;
            if (!n.isArray()) throw DomainException.invalid(key + " must be an array");
            List<String> out = new ArrayList<>();
            for (JsonNode v : n) {
                if (!v.isValueNode() || v.isNull()) throw DomainException.invalid(key + " must be an array of strings");
                out.add(v.asText());
            }
            return out;
        }
        return form.get(key);
    }
}
