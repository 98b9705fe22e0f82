package io.boson.events;

import io.boson.auth.Principal;
import io.boson.devices.DeviceJson;
import io.boson.devices.DeviceRef;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A Boson extension: past events of a device or a product, newest first, paged. Not under
 * {@code /events/…}, where Particle's paths take an event-name prefix. Who may read a history is
 * who may open the matching stream.
 */
public final class EventHistoryRoutes implements HttpApi.Routes {

    private final EventService events;
    private final EventHistory history;
    private final Tokens tokens;

    public EventHistoryRoutes(EventService events, EventHistory history, Tokens tokens) {
        this.events = events;
        this.history = history;
        this.tokens = tokens;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        r.get("/v1/devices/{id}/event-history",
                ctx -> list(ctx, (p, prefix) -> events.device(p, DeviceRef.owned(ctx.pathParam("id")), prefix)));
        r.get("/v1/products/{product}/event-history",
                ctx -> list(ctx, (p, prefix) -> events.product(p, ctx.pathParam("product"), prefix)));
        r.get("/v1/products/{product}/devices/{id}/event-history", ctx -> list(ctx, (p, prefix) -> events.device(p,
                DeviceRef.inProduct(ctx.pathParam("product"), ctx.pathParam("id")), prefix)));
    }

    private void list(Context ctx, BiFunction<Principal, String, EventService.Filter> filterFor) {
        Principal p = tokens.principal(ctx);
        EventService.Filter filter = filterFor.apply(p, null);
        EventHistory.Page page = history.list(filter, ctx.queryParam("from"), ctx.queryParam("to"),
                ctx.queryParam("before"), ctx.queryParam("limit"));
        List<Map<String, Object>> out = new ArrayList<>();
        for (EventHistoryRepository.Stored s : page.events()) {
            Event e = s.event();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", Long.toString(s.id())); // a string: JavaScript numbers lose the low digits
            m.put("name", e.name());
            m.put("data", e.data());
            m.put("ttl", e.ttl());
            m.put("published_at", DeviceJson.iso(e.publishedAt()));
            m.put("coreid", e.coreid());
            if (e.productId() != null) m.put("productID", e.productId());
            if (e.base64()) m.put("data_encoding", "base64");
            out.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("events", out);
        body.put("from", DeviceJson.iso(page.from()));
        body.put("to", DeviceJson.iso(page.to()));
        body.put("next_before", page.nextBefore() == null ? null : Long.toString(page.nextBefore()));
        ctx.json(body);
    }
}
