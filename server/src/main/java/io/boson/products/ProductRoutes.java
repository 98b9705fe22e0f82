package io.boson.products;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.auth.Principal;
import io.boson.devices.DeviceJson;
import io.boson.errors.DomainException;
import io.boson.http.Body;
import io.boson.orgs.Org;
import io.boson.orgs.OrgService;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.boson.team.Action;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Creating, listing, reading and editing products, in Particle's shapes. */
public final class ProductRoutes implements HttpApi.Routes {

    private final ProductService products;
    private final Tokens tokens;
    private final ObjectMapper json;
    private final OrgService orgs;

    public ProductRoutes(ProductService products, OrgService orgs, Tokens tokens, ObjectMapper json) {
        this.orgs = orgs;
        this.products = products;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        r.post("/v1/user/products", this::create);
        r.get("/v1/user/products", this::list);
        r.get("/v1/products", this::list);
        r.get("/v1/products/{product}", ctx -> {
            Product p = products.require(tokens.principal(ctx), ctx.pathParam("product"), Action.VIEW_SETTINGS);
            ctx.json(Map.of("product", view(p)));
        });
        r.post("/v1/orgs/{org}/products", ctx -> {
            JsonNode fields = fields(ctx);
            Product p = orgs.createProduct(tokens.principal(ctx), ctx.pathParam("org"), text(fields, "name"),
                    text(fields, "description"), platformId(fields));
            ctx.json(Map.of("product", view(p)));
        });
        r.get("/v1/orgs/{org}/products", ctx -> ctx.json(Map.of("products",
                orgs.products(tokens.principal(ctx), ctx.pathParam("org")).stream().map(this::view).toList())));
        r.put("/v1/products/{product}", ctx -> {
            Principal caller = tokens.principal(ctx);
            JsonNode fields = fields(ctx);
            Product p = products.update(caller, ctx.pathParam("product"), text(fields, "name"), text(fields, "description"),
                    fields.hasNonNull("platform_id") ? fields.get("platform_id").asInt() : null);
            ctx.json(Map.of("product", view(p)));
        });
    }

    private void create(Context ctx) {
        Principal caller = tokens.principal(ctx);
        JsonNode fields = fields(ctx);
        Product p = products.create(caller, text(fields, "name"), text(fields, "description"), platformId(fields));
        ctx.json(Map.of("product", view(p)));
    }

    private static Integer platformId(JsonNode fields) {
        if (fields.hasNonNull("platform_id") && !fields.get("platform_id").canConvertToInt()) {
            throw DomainException.invalid("product.platform_id must be a number");
        }
        return fields.hasNonNull("platform_id") ? fields.get("platform_id").asInt() : null;
    }

    private void list(Context ctx) {
        ctx.json(Map.of("products", products.list(tokens.principal(ctx)).stream().map(this::view).toList()));
    }

    /** particle-cli sends {@code {product:{…}}}; a flat object or a form works too. */
    private JsonNode fields(Context ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType();
        if (!type.startsWith("application/json") && !ctx.body().trim().startsWith("{")) {
            Body b = Body.of(ctx, json);
            var node = json.createObjectNode();
            for (String k : List.of("name", "description", "platform_id")) if (b.string(k) != null) node.put(k, b.string(k));
            return node;
        }
        JsonNode root;
        try {
            root = ctx.body().isBlank() ? json.createObjectNode() : json.readTree(ctx.body());
        } catch (java.io.IOException e) {
            throw DomainException.invalid("The request body must be a JSON object");
        }
        if (!root.isObject()) throw DomainException.invalid("The request body must be a JSON object");
        JsonNode product = root.get("product");
        if (product != null && !product.isObject()) throw DomainException.invalid("product must be an object");
        return product != null ? product : root;
    }

    private static String text(JsonNode fields, String key) {
        JsonNode v = fields.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isValueNode()) throw DomainException.invalid("product." + key + " must be a string");
        return v.asText();
    }

    Map<String, Object> view(Product p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("platform_id", p.platformId());
        m.put("name", p.name());
        m.put("slug", p.slug());
        m.put("description", p.description());
        Org org = p.orgId() == null ? null : orgs.find(p.orgId()).orElse(null);
        m.put("org", org == null ? null : org.slug());
        // Boson extension: who is billed for the product's usage.
        m.put("billing_owner", org != null ? Map.of("type", "org", "id", org.id(), "slug", org.slug())
                : Map.of("type", "user", "id", p.ownerUserId()));
        m.put("created_at", DeviceJson.iso(p.createdAt()));
        m.put("device_count", products.deviceCount(p));
        m.put("settings", Map.of("quarantine", true));
        m.put("device_protection", "active");
        return m;
    }
}
