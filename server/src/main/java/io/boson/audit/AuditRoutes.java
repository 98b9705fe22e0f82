package io.boson.audit;

import io.boson.devices.DeviceJson;
import io.boson.http.HttpApi;
import io.boson.http.Paging;
import io.boson.http.Tokens;
import io.boson.products.Product;
import io.boson.products.ProductDeviceQuery;
import io.boson.products.ProductService;
import io.boson.team.Action;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /v1/products/:product/audit} (a Boson extension): Administrators read the log, newest first. See also the org's. */
public final class AuditRoutes implements HttpApi.Routes {

    private final AuditLog audit;
    private final ProductService products;
    private final Tokens tokens;

    public AuditRoutes(AuditLog audit, ProductService products, Tokens tokens) {
        this.audit = audit;
        this.products = products;
        this.tokens = tokens;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        r.get("/v1/products/{product}/audit", ctx -> {
            Product p = products.require(tokens.principal(ctx), ctx.pathParam("product"), Action.READ_AUDIT);
            ctx.json(page(ctx, (pg, per) -> audit.product(p.id(), pg, per)));
        });
    }

    /** One page of entries in the shape both audit routes answer with; {@code read} takes (page, perPage). */
    public static Map<String, Object> page(io.javalin.http.Context ctx,
                                           java.util.function.BiFunction<Integer, Integer, AuditLog.Page> read) {
        String perPage = ctx.queryParam("per_page") != null ? ctx.queryParam("per_page") : ctx.queryParam("perPage");
        ProductDeviceQuery paging = ProductDeviceQuery.of(null, null, null, null, null, ctx.queryParam("page"), perPage);
        AuditLog.Page page = read.apply(paging.page(), paging.perPage());
        List<Map<String, Object>> entries = page.entries().stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id());
            m.put("at", DeviceJson.iso(e.at()));
            m.put("actor", e.actor());
            m.put("action", e.action());
            m.put("target", e.target());
            m.put("details", e.details());
            m.put("remote_address", e.remoteAddress());
            return m;
        }).toList();
        return Map.of("entries", entries, "meta", Paging.meta(paging.page(), paging.perPage(), page.total()));
    }
}
