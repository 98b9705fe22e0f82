package io.boson.health;

import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Boson extension: {@code GET /v1/products/:p/fleet_health} (devices and devices online now) and
 * {@code GET /v1/products/:p/fleet_health/:metric?from&to&bucket&group&firmware_version&system_version}.
 */
public final class FleetHealthRoutes implements HttpApi.Routes {

    private final FleetHealth fleet;
    private final Tokens tokens;

    FleetHealthRoutes(FleetHealth fleet, Tokens tokens) {
        this.fleet = fleet;
        this.tokens = tokens;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        r.get("/v1/products/{product}/fleet_health", ctx -> {
            FleetHealth.Now now = fleet.now(tokens.principal(ctx), ctx.pathParam("product"), query(ctx));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("devices", now.devices());
            body.put("devices_online", now.online());
            body.put("metrics", FleetMetric.seriesNames());
            ctx.json(body);
        });
        r.get("/v1/products/{product}/fleet_health/{metric}", ctx -> {
            FleetHealth.Series s = fleet.series(tokens.principal(ctx), ctx.pathParam("product"), ctx.pathParam("metric"), query(ctx));
            List<Map<String, Object>> points = new ArrayList<>(s.points().size());
            for (FleetHealth.Point p : s.points()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("time", Dates.iso(p.at()));
                m.putAll(p.values());
                points.add(m);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("metric", s.metric());
            body.put("bucket", Buckets.name(s.bucket()));
            body.put("from", Dates.iso(s.from()));
            body.put("to", Dates.iso(s.to()));
            body.put("parts", s.parts());
            body.put("series", points);
            ctx.json(body);
        });
    }

    private static FleetHealth.Query query(Context ctx) {
        return new FleetHealth.Query(ctx.queryParam("from"), ctx.queryParam("to"), ctx.queryParam("bucket"),
                ctx.queryParam("group"), ctx.queryParam("firmware_version"), ctx.queryParam("system_version"));
    }
}
