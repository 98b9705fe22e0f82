package io.boson.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boson.devices.DeviceJson;
import io.boson.errors.DomainException;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Particle's webhook endpoints: {@code /v1/webhooks} for an account's own, and
 * {@code /v1/products/:p/webhooks} (also under {@code /v1/orgs/:o/...}) for a product's. Create
 * answers {@code {ok, id, url, event, created_at}} (the CLI wants {@code ok}); list answers a JSON
 * array, as the CLI and api-js read it; delete answers {@code {ok: true}}.
 */
public final class WebhookRoutes implements HttpApi.Routes {

    private final WebhookService webhooks;
    private final Tokens tokens;
    private final ObjectMapper json;

    WebhookRoutes(WebhookService webhooks, Tokens tokens, ObjectMapper json) {
        this.webhooks = webhooks;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        for (String base : new String[] {"/v1/webhooks", "/v1/products/{product}/webhooks",
                "/v1/orgs/{org}/products/{product}/webhooks"}) {
            r.post(base, ctx -> {
                Webhook w = webhooks.create(tokens.principal(ctx), product(ctx), body(ctx));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("ok", true);
                out.putAll(view(w, null));
                ctx.status(201).json(out);
            });
            r.get(base, ctx -> ctx.json(webhooks.list(tokens.principal(ctx), product(ctx)).stream()
                    .map(v -> view(v.webhook(), v.counts())).toList()));
            r.get(base + "/{id}", ctx -> {
                WebhookService.View v = webhooks.get(tokens.principal(ctx), product(ctx), ctx.pathParam("id"));
                ctx.json(view(v.webhook(), v.counts()));
            });
            r.delete(base + "/{id}", ctx -> {
                webhooks.delete(tokens.principal(ctx), product(ctx), ctx.pathParam("id"));
                ctx.json(Map.of("ok", true));
            });
        }
    }

    private static String product(Context ctx) {
        return ctx.pathParamMap().get("product");
    }

    /** A JSON object, or a form whose values may themselves be JSON objects (headers, json, ...). */
    private ObjectNode body(Context ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase();
        if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
            ObjectNode o = json.createObjectNode();
            ctx.formParamMap().forEach((k, v) -> {
                if (v.isEmpty()) return;
                String value = v.get(0);
                if ((k.equals("json") || k.equals("responseTemplate")) && value.trim().startsWith("{")) {
                    try {
                        o.set(k, json.readTree(value));
                        return;
                    } catch (IOException notJson) {
                        // kept as text
                    }
                }
                o.put(k, value);
            });
            return o;
        }
        String text = ctx.body();
        if (text.isBlank()) return json.createObjectNode();
        try {
            if (json.readTree(text) instanceof ObjectNode obj) return obj;
        } catch (IOException e) {
            // below
        }
        throw DomainException.invalid("The request body must be a JSON object or a form");
    }

    /** The settings as Particle names them, then Boson's delivery counts ({@code counters}, an extension). */
    private static Map<String, Object> view(Webhook w, Webhook.Counts counts) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", w.id());
        m.put("event", w.event());
        m.put("url", w.url());
        m.put("requestType", w.requestType());
        if (w.deviceId() != null) m.put("deviceID", w.deviceId());
        if (w.productId() != null) m.put("product_id", w.productId());
        for (Iterator<Map.Entry<String, JsonNode>> it = w.settings().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            m.putIfAbsent(f.getKey(), f.getValue());
        }
        m.put("created_at", DeviceJson.iso(w.createdAt()));
        if (counts != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("sent", counts.sent());
            c.put("succeeded", counts.succeeded());
            c.put("failed", counts.failed());
            c.put("skipped", counts.skipped());
            c.put("success_rate", counts.sent() == 0 ? null : (double) counts.succeeded() / counts.sent());
            c.put("last_error", counts.lastError());
            c.put("last_error_at", counts.lastErrorAt() == null ? null : DeviceJson.iso(counts.lastErrorAt()));
            m.put("counters", c);
        }
        return m;
    }
}
