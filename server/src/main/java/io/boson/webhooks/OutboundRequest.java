package io.boson.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boson.devices.DeviceJson;
import io.boson.events.Event;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP request one webhook makes for one event, rendered from its settings as Particle does:
 * {@code json} (object, its strings templated, or a string templated whole), {@code form},
 * {@code body}, else the default fields ({@code event}, {@code data}, {@code published_at},
 * {@code coreid}) as a form for POST/PUT and as query parameters for GET/DELETE. The default fields
 * are added to {@code json}, {@code form} and GET queries unless {@code noDefaults}.
 */
record OutboundRequest(String method, URI uri, Map<String, String> headers, byte[] body) {

    static final String USER_AGENT = "Boson-Webhooks/1.0 (compatible; ParticleBot/1.1)";

    /** The variables a template sees: the fields of a JSON event body, then Particle's own names. */
    static ObjectNode context(ObjectMapper json, Event e, Integer productVersion) {
        ObjectNode ctx = json.createObjectNode();
        if (!e.base64() && e.data() != null && e.data().trim().startsWith("{")) {
            try {
                JsonNode parsed = json.readTree(e.data());
                if (parsed instanceof ObjectNode obj) ctx.setAll(obj);
            } catch (java.io.IOException notJson) {
                // a plain text body: only the predefined variables
            }
        }
        String published = DeviceJson.iso(e.publishedAt());
        String product = e.productId() == null ? "" : e.productId().toString();
        for (String prefix : new String[] {"PARTICLE_", "SPARK_"}) {
            ctx.put(prefix + "EVENT_NAME", e.name());
            ctx.put(prefix + "EVENT_VALUE", e.data());
            ctx.put(prefix + "DEVICE_ID", e.coreid());
            ctx.put(prefix + "PUBLISHED_AT", published);
        }
        ctx.put("PRODUCT_ID", product);
        ctx.put("PRODUCT_VERSION", productVersion == null ? "" : productVersion.toString());
        return ctx;
    }

    static OutboundRequest build(Webhook hook, Event e, ObjectNode ctx, ObjectMapper json) {
        ObjectNode s = hook.settings();
        String method = hook.requestType();
        boolean noDefaults = s.path("noDefaults").asBoolean(false);
        boolean bodyless = method.equals("GET") || method.equals("DELETE");
        Map<String, String> defaults = new LinkedHashMap<>();
        if (!noDefaults) {
            defaults.put("event", e.name());
            defaults.put("data", e.data());
            defaults.put("published_at", DeviceJson.iso(e.publishedAt()));
            defaults.put("coreid", e.coreid());
        }
        Map<String, String> query = new LinkedHashMap<>();
        if (s.get("query") instanceof ObjectNode q) query.putAll(renderPairs(q, ctx));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("User-Agent", USER_AGENT);
        byte[] body = null;
        JsonNode jsonTemplate = s.get("json");
        if (jsonTemplate != null && !bodyless) {
            String text;
            if (jsonTemplate.isTextual()) {
                text = Template.render(jsonTemplate.textValue(), ctx);
            } else {
                ObjectNode out = json.createObjectNode();
                defaults.forEach(out::put);
                JsonNode rendered = renderJson(jsonTemplate, ctx, json);
                if (rendered instanceof ObjectNode obj) out.setAll(obj);
                text = rendered.isObject() ? out.toString() : rendered.toString();
            }
            body = text.getBytes(StandardCharsets.UTF_8);
            headers.put("Content-Type", "application/json");
            headers.put("Accept", "application/json");
        } else if (s.get("form") instanceof ObjectNode form) {
            Map<String, String> fields = new LinkedHashMap<>(defaults);
            fields.putAll(renderPairs(form, ctx));
            if (bodyless) {
                query.putAll(fields);
            } else {
                body = encode(fields).getBytes(StandardCharsets.UTF_8);
                headers.put("Content-Type", "application/x-www-form-urlencoded");
            }
        } else if (s.hasNonNull("body") && !bodyless) {
            body = Template.render(s.get("body").asText(), ctx).getBytes(StandardCharsets.UTF_8);
        } else if (bodyless) {
            query.putAll(defaults);
        } else if (!defaults.isEmpty()) {
            body = encode(defaults).getBytes(StandardCharsets.UTF_8);
            headers.put("Content-Type", "application/x-www-form-urlencoded");
        }
        if (s.get("headers") instanceof ObjectNode h) {
            // A webhook's own headers win over ours (a custom body usually names its Content-Type).
            renderPairs(h, ctx).forEach((k, v) -> {
                headers.keySet().removeIf(existing -> existing.equalsIgnoreCase(k));
                headers.put(k, v);
            });
        }
        if (s.get("auth") instanceof ObjectNode auth) {
            String user = Template.render(auth.path("username").asText(""), ctx);
            String pass = Template.render(auth.path("password").asText(""), ctx);
            headers.put("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8)));
        }
        String url = Template.render(hook.url(), ctx);
        if (!query.isEmpty()) url += (url.contains("?") ? "&" : "?") + encode(query);
        return new OutboundRequest(method, URI.create(url), headers, body == null ? new byte[0] : body);
    }

    private static Map<String, String> renderPairs(ObjectNode o, ObjectNode ctx) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String v = f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString();
            out.put(Template.render(f.getKey(), ctx), Template.render(v, ctx));
        }
        return out;
    }

    /** Strings (keys and values) are templates; numbers, booleans and null stay as they are. */
    private static JsonNode renderJson(JsonNode n, ObjectNode ctx, ObjectMapper json) {
        if (n.isTextual()) return json.getNodeFactory().textNode(Template.render(n.textValue(), ctx));
        if (n.isObject()) {
            ObjectNode out = json.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                out.set(Template.render(f.getKey(), ctx), renderJson(f.getValue(), ctx, json));
            }
            return out;
        }
        if (n.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode out = json.createArrayNode();
            for (JsonNode item : n) out.add(renderJson(item, ctx, json));
            return out;
        }
        return n;
    }

    static String encode(Map<String, String> fields) {
        StringBuilder b = new StringBuilder();
        fields.forEach((k, v) -> {
            if (!b.isEmpty()) b.append('&');
            b.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(v == null ? "" : v, StandardCharsets.UTF_8));
        });
        return b.toString();
    }
}
